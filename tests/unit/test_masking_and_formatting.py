"""Masking contact details, and money, dates and times in the company's locale."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core import formatting
from core.masking import mask

# --- masking ---------------------------------------------------------------------------------------


def test_a_mobile_shows_its_first_three_and_last_four_digits():
    assert mask("13812345678") == "138****5678"


def test_a_landline_hides_its_middle():
    masked = mask("021-61234567")
    assert masked == "021****4567"
    assert "6123" not in masked


def test_an_email_shows_its_first_letter_and_domain():
    assert mask("zhang.wei@example.com") == "z***@example.com"


@pytest.mark.parametrize(("value", "expected"), [("abcd", "a***d"), ("abc", "a***c"), ("ab", "***"), ("", "***")])
def test_short_text_hides_all_but_its_ends(value, expected):
    assert mask(value) == expected


@pytest.mark.parametrize("value", ["13812345678", "021-61234567", "+442079460958", "zhang.wei@example.com"])
def test_a_masked_value_never_equals_the_original(value):
    assert mask(value) != value
    assert "***" in mask(value)


# --- money, dates, times ---------------------------------------------------------------------------


def test_money_is_in_yuan_for_china(test_settings):
    assert (test_settings.currency, test_settings.locale) == ("CNY", "zh_CN")
    assert formatting.money(Decimal("1234.5")) == "¥1,234.50"
    assert formatting.money(0) == "¥0.00"


def test_the_currency_and_locale_are_settings(test_settings, monkeypatch):
    monkeypatch.setattr(formatting, "get_settings", lambda: replace(test_settings, currency="USD", locale="en_US"))
    assert formatting.money(Decimal("1234.5")) == "$1,234.50"


def test_a_stored_utc_time_is_shown_as_shanghai_wall_time():
    late_evening_utc = datetime(2024, 3, 5, 23, 30, tzinfo=UTC)
    shown = formatting.moment(late_evening_utc)
    assert "2024/3/6" in shown  # already the next morning in Shanghai
    assert "07:30" in shown


def test_the_time_zone_is_a_setting(test_settings, monkeypatch):
    monkeypatch.setattr(formatting, "get_settings", lambda: replace(test_settings, timezone="Europe/London"))
    assert "23:30" in formatting.moment(datetime(2024, 3, 5, 23, 30, tzinfo=UTC))


def test_a_day_in_chinese_form():
    assert formatting.day(date(2024, 3, 5)) == "2024年3月5日"


def test_nothing_is_shown_for_no_date_or_time():
    assert formatting.day(None) == ""
    assert formatting.moment(None) == ""


def test_numbers_are_grouped_for_the_locale():
    assert formatting.number(Decimal("1234567.5")) == "1,234,567.5"
