"""Creating customers: codes, validation, possible duplicates, service areas."""

from __future__ import annotations

import pytest

from core import db
from core.errors import ValidationFailed
from core.i18n import translate
from core.models import ServiceArea
from core.services.customers import customers, reveal_contacts
from core.services.records import PossibleDuplicate
from tests.factories import customer_values, make_area, make_customer
from tests.integration.customer_support import add, count_customers, phone

SQL = "'; DROP TABLE customers; --"
HTML = "<script>alert(1)</script>"


# --- Creating ----------------------------------------------------------------------------


def test_new_customers_get_consecutive_codes(clerk, area):
    first = add(area, clerk, 1)
    second = add(area, clerk, 2)
    assert (first["code"], second["code"]) == ("CU-000001", "CU-000002")


def test_a_created_customer_is_stored_with_clean_values_and_stamped_by_its_creator(clerk, area):
    row = customers.create(
        actor=clerk, values=customer_values(area, phone=" 138-1234-5678 ", email="ZhangWei@Example.COM")
    )
    stored = customers.get(actor=clerk, record_id=row["id"])
    assert (stored["phone"], stored["email"]) == ("138****5678", "z***@example.com")  # answers are masked
    full = reveal_contacts(row["id"], actor=clerk)
    assert (full["phone"], full["email"]) == ("13812345678", "zhangwei@example.com")
    assert stored["version"] == 1
    assert stored["updated_by_id"] == clerk.user_id


def test_missing_required_fields_are_each_named_and_nothing_is_written(clerk, area):
    values = {**customer_values(area, name="", phone="  ", address=""), "area_id": None}
    with pytest.raises(ValidationFailed) as refused:
        customers.create(actor=clerk, values=values)
    assert set(refused.value.errors) == {"name", "phone", "address", "area_id"}
    assert count_customers() == 0


def test_a_bad_phone_is_refused_with_a_message_on_the_phone_field(clerk, area):
    with pytest.raises(ValidationFailed) as refused:
        customers.create(actor=clerk, values=customer_values(area, phone="12345"))
    assert set(refused.value.errors) == {"phone"}
    assert "mobile number" in translate(refused.value.errors["phone"], "en")
    assert count_customers() == 0


def test_a_bad_email_is_refused_with_a_message_on_the_email_field(clerk, area):
    with pytest.raises(ValidationFailed) as refused:
        customers.create(actor=clerk, values=customer_values(area, email="zhangwei@"))
    assert set(refused.value.errors) == {"email"}
    assert count_customers() == 0


def test_a_ten_thousand_character_name_is_refused_with_its_limit(clerk, area):
    with pytest.raises(ValidationFailed) as refused:
        customers.create(actor=clerk, values=customer_values(area, name="长" * 10_000))
    assert set(refused.value.errors) == {"name"}
    assert translate(refused.value.errors["name"], "en") == "At most 200 characters; this has 10000."
    assert count_customers() == 0


def test_a_refused_customer_does_not_use_up_a_code(clerk, area):
    with pytest.raises(ValidationFailed):
        customers.create(actor=clerk, values=customer_values(area, phone="bad"))
    assert add(area, clerk, 1)["code"] == "CU-000001"


def test_text_that_looks_like_sql_or_html_is_stored_and_returned_exactly(clerk, area):
    row = add(area, clerk, 1, name=SQL, address=HTML, notes=f"{SQL}\n{HTML}")
    stored = customers.get(actor=clerk, record_id=row["id"])
    assert (stored["name"], stored["address"], stored["notes"]) == (SQL, HTML, f"{SQL}\n{HTML}")
    assert customers.search(actor=clerk, query="DROP TABLE").rows[0]["name"] == SQL
    assert count_customers() == 1


# --- Possible duplicates -----------------------------------------------------------------


def test_a_phone_already_on_file_asks_for_confirmation_and_names_the_match(clerk, area):
    first = customers.create(actor=clerk, values=customer_values(area, email=None))
    with pytest.raises(PossibleDuplicate) as asked:
        customers.create(
            actor=clerk, values=customer_values(area, name="张伟的太太", phone="138 1234 5678", email=None)
        )
    [match] = asked.value.matches
    assert (match["code"], match["matched"]) == (first["code"], ["phone"])
    assert count_customers() == 1


def test_an_email_already_on_file_asks_for_confirmation(clerk, area):
    first = add(area, clerk, 1, email="shared@example.com")
    with pytest.raises(PossibleDuplicate) as asked:
        add(area, clerk, 2, email="Shared@Example.com")
    assert [(m["code"], m["matched"]) for m in asked.value.matches] == [(first["code"], ["email"])]
    assert count_customers() == 1


def test_a_confirmed_duplicate_is_saved(clerk, area):
    customers.create(actor=clerk, values=customer_values(area))
    second = customers.create(actor=clerk, values=customer_values(area, name="张伟的太太"), confirm_duplicate=True)
    assert second["code"] == "CU-000002"
    assert count_customers() == 2


def test_editing_a_duplicate_without_changing_its_phone_does_not_ask_again(clerk, area):
    make_customer(area, clerk)
    second = make_customer(area, clerk, name="张伟的太太")
    saved = customers.update(
        actor=clerk,
        record_id=second["id"],
        values=customer_values(area, name="李静"),
        expected_version=second["version"],
    )
    assert saved["name"] == "李静"


def test_changing_a_phone_to_one_already_on_file_asks_for_confirmation(clerk, area):
    first = add(area, clerk, 1)
    second = add(area, clerk, 2)
    with pytest.raises(PossibleDuplicate) as asked:
        customers.update(
            actor=clerk,
            record_id=second["id"],
            values=customer_values(area, phone=phone(1), email="c2@example.com"),
            expected_version=second["version"],
        )
    assert [m["code"] for m in asked.value.matches] == [first["code"]]
    assert reveal_contacts(second["id"], actor=clerk)["phone"] == phone(2)


# --- Options -----------------------------------------------------------------------------


def test_options_offer_only_active_service_areas(clerk, area):
    with db.writing(None) as session:
        session.add(ServiceArea(code="SH-OLD", name_en="Closed", name_zh="已关闭", city="Shanghai", active=False))
        session.commit()
    make_area("SH-PD", "Pudong", "浦东新区")
    options = customers.options(actor=clerk)["service_areas"]
    assert [(o.code, o.label.en, o.label.zh) for o in options] == [
        ("SH-PD", "Pudong", "浦东新区"),
        ("SH-XH", "Xuhui", "徐汇区"),
    ]


def test_a_customer_cannot_be_placed_in_an_inactive_area(clerk, store):
    with db.writing(None) as session:
        closed = ServiceArea(code="SH-OLD", name_en="Closed", name_zh="已关闭", city="Shanghai", active=False)
        session.add(closed)
        session.commit()
    with pytest.raises(ValidationFailed) as refused:
        customers.create(actor=clerk, values=customer_values(closed.id))
    assert set(refused.value.errors) == {"area_id"}
