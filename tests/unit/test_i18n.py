"""The one translation function: English ids, a Chinese catalogue, parameters and fallbacks."""

from __future__ import annotations

import pytest

from core import i18n
from core.i18n import Bilingual, Message, msg, translate

CHINESE = {
    "Customers": "客户",
    "Hello {name}": "你好 {name}",
    "Your role does not allow you to {action} {module}.": "你的角色不允许{action}{module}。",
    "{count} rows imported.": "已导入 {count} 行。",
    "This field is required.": "此项必填。",
}


@pytest.fixture
def chinese(monkeypatch):
    """A small Chinese catalogue, so these tests do not depend on the real one's wording."""
    monkeypatch.setattr(i18n, "catalogue", lambda language: CHINESE if language == "zh" else {})


def test_english_is_the_text_itself(chinese):
    assert translate("Customers", "en") == "Customers"


def test_chinese_comes_from_the_catalogue(chinese):
    assert translate("Customers", "zh") == "客户"


def test_parameters_fill_the_template_in_either_language(chinese):
    assert translate("Hello {name}", "en", name="Li") == "Hello Li"
    assert translate("Hello {name}", "zh", name="李") == "你好 李"


def test_text_missing_from_the_catalogue_falls_back_to_english(chinese):
    assert translate("Not translated yet", "zh") == "Not translated yet"
    assert translate("Not translated {n}", "zh", n=3) == "Not translated 3"


def test_an_unknown_language_falls_back_to_english(chinese):
    assert translate("Customers", "fr") == "Customers"


def test_a_message_carries_its_parameters(chinese):
    message = msg("{count} rows imported.", count=12)
    assert translate(message, "en") == "12 rows imported."
    assert translate(message, "zh") == "已导入 12 行。"


def test_parameters_given_when_translating_override_the_messages_own(chinese):
    assert translate(msg("Hello {name}", name="Li"), "en", name="Wang") == "Hello Wang"


def test_a_message_shown_as_a_string_is_english(chinese):
    assert str(msg("Hello {name}", name="Li")) == "Hello Li"


def test_bilingual_text_picks_the_language():
    assert translate(Bilingual("Manager", "经理"), "en") == "Manager"
    assert translate(Bilingual("Manager", "经理"), "zh") == "经理"
    assert Bilingual("Manager", "经理").get("fr") == "Manager"


def test_bilingual_parameters_are_translated_with_the_text(chinese):
    message = msg(
        "Your role does not allow you to {action} {module}.",
        action=Bilingual("edit", "编辑"),
        module=Bilingual("customers", "客户"),
    )
    assert translate(message, "en") == "Your role does not allow you to edit customers."
    assert translate(message, "zh") == "你的角色不允许编辑客户。"


def test_message_parameters_are_translated_with_the_text(chinese):
    inner = msg("This field is required.")
    outer = msg("Hello {name}", name=inner)
    assert translate(outer, "en") == "Hello This field is required."
    assert translate(outer, "zh") == "你好 此项必填。"


def test_braces_typed_by_a_user_are_not_read_as_placeholders(chinese):
    assert translate("Hello {name}", "en", name="{0} {name} {__class__}") == "Hello {0} {name} {__class__}"


def test_a_message_is_a_value():
    assert msg("Hello {name}", name="Li") == Message("Hello {name}", {"name": "Li"})


def test_a_language_without_a_catalogue_file_has_an_empty_catalogue():
    assert i18n.catalogue("xx") == {}
