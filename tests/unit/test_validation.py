"""Turning typed input into clean values: phones, each field kind, and the messages when it is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.entities.customers import CUSTOMERS
from core.entities.spec import Field
from core.entities.users import USERS
from core.entities.validation import FieldError, clean, clean_value, normalise_phone
from core.errors import ValidationFailed
from core.i18n import Bilingual, translate

REFS = {"service_areas": {"1": 1, "sh-xh": 1, "xuhui": 1, "徐汇区": 1}}


def value(entity, name, raw):
    return clean_value(entity.field(name), raw, REFS)


def problem(field: Field, raw) -> str:
    """The English message for a value that must be refused."""
    with pytest.raises(FieldError) as refused:
        clean_value(field, raw, REFS)
    return translate(refused.value.message, "en")


def field_of(kind: str, **options) -> Field:
    return Field("thing", Bilingual("Thing", "东西"), kind=kind, **options)


def good_customer(**changes) -> dict:
    values = {
        "name": "Zhang Wei",
        "kind": "person",
        "phone": "138 1234 5678",
        "email": "zhang@example.com",
        "address": "1 Caoxi Road",
        "area_id": "SH-XH",
        "source": "phone",
    }
    return {**values, **changes}


# --- phones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 138 1234 5678",
        " (138) 1234.5678 ",
    ],
)
def test_a_mobile_in_any_common_spelling_becomes_eleven_digits(typed):
    assert normalise_phone(typed) == "13812345678"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("021-61234567", "021-61234567"),
        ("021 6123 4567", "021-61234567"),
        ("02161234567", "021-61234567"),
        ("+86 21 6123 4567", "021-61234567"),
        ("0755-8888 6666", "0755-88886666"),
        ("0755-88886666", "0755-88886666"),
        ("010-1234567", "010-1234567"),
    ],
)
def test_a_landline_keeps_its_area_code_before_a_dash(typed, expected):
    assert normalise_phone(typed) == expected


def test_an_international_number_is_kept_as_plus_and_digits():
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("typed", ["", "hello", "123", "12345678901", "138123456789", "+1", "138-1234-567x", "0000"])
def test_junk_is_not_a_phone(typed):
    assert normalise_phone(typed) is None


def test_a_phone_field_stores_the_normalised_number():
    assert value(CUSTOMERS, "phone", "+86 138-1234-5678") == "13812345678"


def test_a_phone_field_refuses_junk_with_an_example_of_a_good_number():
    assert "021-61234567" in problem(CUSTOMERS.field("phone"), "call me")


# --- required and text ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_a_required_field_refuses_nothing_or_blanks(typed):
    assert problem(CUSTOMERS.field("name"), typed) == "This field is required."


def test_an_optional_field_left_empty_is_none():
    assert value(CUSTOMERS, "contact_person", "  ") is None
    assert value(CUSTOMERS, "email", None) is None


def test_text_is_trimmed():
    assert value(CUSTOMERS, "name", "  Zhang Wei  ") == "Zhang Wei"


def test_a_too_long_text_says_the_limit_and_its_length():
    text = problem(CUSTOMERS.field("contact_person"), "x" * 101)
    assert "100" in text
    assert "101" in text


def test_a_text_exactly_at_the_limit_is_accepted():
    assert value(CUSTOMERS, "contact_person", "x" * 100) == "x" * 100


def test_a_ten_thousand_character_name_gets_a_clear_message():
    assert problem(CUSTOMERS.field("name"), "名" * 10_000) == "At most 200 characters; this has 10000."


@pytest.mark.parametrize("typed", ["Zhang\x00Wei", "Zhang\x07Wei", "Zhang\x1bWei", "Zhang\nWei"])
def test_control_characters_are_refused_in_one_line_text(typed):
    assert "control characters" in problem(CUSTOMERS.field("name"), typed)


def test_newlines_and_tabs_are_allowed_in_long_text():
    notes = "first line\nsecond line\r\n\tindented"
    assert value(CUSTOMERS, "notes", notes) == notes


def test_other_control_characters_are_refused_in_long_text():
    assert "control characters" in problem(CUSTOMERS.field("notes"), "bell\x07here")


@pytest.mark.parametrize(
    "typed",
    [
        "Robert'); DROP TABLE customers;--",
        "' OR '1'='1",
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "Tom & Jerry <b>Ltd</b>",
    ],
)
def test_sql_and_html_are_accepted_as_plain_text_unchanged(typed):
    assert value(CUSTOMERS, "name", typed) == typed
    assert value(CUSTOMERS, "notes", typed) == typed


# --- email -----------------------------------------------------------------------------------------


def test_an_email_is_lowercased():
    assert value(CUSTOMERS, "email", " Zhang.Wei@Example.COM ") == "zhang.wei@example.com"


@pytest.mark.parametrize(
    "typed",
    [
        "zhang",
        "zhang@",
        "@example.com",
        "zhang@example",
        "zhang wei@example.com",
        "zhang@@example.com",
        "zhang@-example.com",
    ],
)
def test_a_malformed_email_is_refused_with_an_example(typed):
    assert "name@example.com" in problem(CUSTOMERS.field("email"), typed)


# --- choices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["company", "COMPANY", "Company", "企业", " company "])
def test_a_choice_accepts_its_value_or_either_label(typed):
    assert value(CUSTOMERS, "kind", typed) == "company"


def test_an_unknown_choice_lists_the_options():
    text = problem(CUSTOMERS.field("kind"), "robot")
    assert "Person" in text
    assert "Company" in text


def test_several_choices_from_a_list():
    assert value(USERS, "roles", ["manager", "Clerk", "文员"]) == ["clerk", "manager"]


@pytest.mark.parametrize("typed", ["clerk;manager", "Clerk; Manager", "文员；经理", "clerk,manager", "clerk;;manager;"])
def test_several_choices_from_text(typed):
    assert value(USERS, "roles", typed) == ["clerk", "manager"]


@pytest.mark.parametrize("typed", [None, "", [], " ; "])
def test_a_required_multichoice_needs_at_least_one(typed):
    assert problem(USERS.field("roles"), typed) == "Choose at least one."


def test_a_multichoice_refuses_an_unknown_item():
    assert "Administrator" in problem(USERS.field("roles"), "clerk;pilot")


def test_an_optional_multichoice_may_be_empty():
    assert clean_value(field_of("multichoice", choices=USERS.field("roles").choices), "", REFS) == []


# --- references ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1", 1, "SH-XH", "sh-xh", "Xuhui", "徐汇区", " xuhui "])
def test_a_reference_is_found_by_id_code_or_either_name(typed):
    assert value(CUSTOMERS, "area_id", typed) == 1


def test_an_unknown_reference_is_refused_quoting_what_was_typed():
    assert "Pudong" in problem(CUSTOMERS.field("area_id"), "Pudong")


def test_a_reference_with_no_lookup_table_is_refused():
    with pytest.raises(FieldError):
        clean_value(CUSTOMERS.field("area_id"), "1", {})


# --- yes/no, numbers, dates ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [True, "yes", "YES", "y", "true", "1", "是", "真"])
def test_yes_words_are_true(typed):
    assert clean_value(field_of("bool"), typed, REFS) is True


@pytest.mark.parametrize("typed", [False, "no", "No", "n", "false", "0", "否", "假"])
def test_no_words_are_false(typed):
    assert clean_value(field_of("bool"), typed, REFS) is False


def test_another_word_is_not_yes_or_no():
    assert problem(field_of("bool"), "maybe") == "Enter yes or no."


@pytest.mark.parametrize(("typed", "expected"), [("42", 42), ("1,234", 1234), (" -7 ", -7), (5, 5)])
def test_whole_numbers(typed, expected):
    assert clean_value(field_of("int"), typed, REFS) == expected


@pytest.mark.parametrize("typed", ["1.5", "abc", "1e3", "12 apples"])
def test_not_a_whole_number(typed):
    assert problem(field_of("int"), typed) == "Enter a whole number."


@pytest.mark.parametrize(
    ("typed", "expected"), [("12.50", Decimal("12.50")), ("1,234.5", Decimal("1234.5")), ("-0.01", Decimal("-0.01"))]
)
def test_decimal_numbers_are_exact(typed, expected):
    cleaned = clean_value(field_of("decimal"), typed, REFS)
    assert isinstance(cleaned, Decimal)
    assert cleaned == expected


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "¥12"])
def test_not_a_number(typed):
    assert problem(field_of("decimal"), typed) == "Enter a number."


@pytest.mark.parametrize("typed", ["NaN", "nan", "Infinity", "-inf"])
def test_not_a_number_and_infinity_are_not_numbers(typed):
    assert problem(field_of("decimal"), typed) == "Enter a number."


def test_a_date_in_iso_form():
    assert clean_value(field_of("date"), "2024-03-05", REFS) == date(2024, 3, 5)
    assert clean_value(field_of("date"), date(2024, 3, 5), REFS) == date(2024, 3, 5)


@pytest.mark.parametrize("typed", ["05/03/2024", "2024-02-30", "tomorrow"])
def test_a_date_in_another_form_is_refused(typed):
    assert problem(field_of("date"), typed) == "Enter a date as YYYY-MM-DD."


# --- patterns --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["zhang.wei", "clerk1", "a_b-c", "abc"])
def test_a_username_matching_the_pattern_is_accepted(typed):
    assert value(USERS, "username", typed) == typed


@pytest.mark.parametrize("typed", ["ab", "Zhang", "zhang wei", "_zhang", "张伟", "zhang@wei"])
def test_a_username_not_matching_the_pattern_gets_the_hint(typed):
    with pytest.raises(FieldError) as refused:
        value(USERS, "username", typed)
    assert translate(refused.value.message, "en") == "3 to 32 lowercase letters, digits, dots, dashes or underscores."
    assert translate(refused.value.message, "zh") == "3 到 32 位小写字母、数字、点、横线或下划线。"


def test_a_pattern_without_a_hint_says_the_format_is_wrong():
    assert problem(field_of("text", pattern=r"\d+"), "abc") == "This is not in the expected format."


# --- a whole record --------------------------------------------------------------------------------


def test_a_good_record_is_cleaned_whole():
    cleaned = clean(CUSTOMERS, good_customer(), REFS)
    assert cleaned["phone"] == "13812345678"
    assert cleaned["area_id"] == 1
    assert cleaned["contact_person"] is None
    assert "code" not in cleaned  # assigned by Opsdesk, never typed


def test_every_bad_field_is_reported_at_once():
    raw = good_customer(name="", phone="abc", email="x@", area_id="Mars", kind="robot")
    del raw["source"]
    with pytest.raises(ValidationFailed) as refused:
        clean(CUSTOMERS, raw, REFS)
    assert set(refused.value.errors) == {"name", "phone", "email", "area_id", "kind", "source"}
    assert translate(refused.value.errors["name"], "en") == "This field is required."
