"""Money, dates and times in the company's locale, currency and time zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from core.config import get_settings


def money(amount: Decimal | float | int) -> str:
    settings = get_settings()
    return format_currency(amount, settings.currency, locale=settings.locale)


def number(value: Decimal | float | int) -> str:
    return format_decimal(value, locale=get_settings().locale)


def day(value: date | None) -> str:
    return "" if value is None else format_date(value, format="medium", locale=get_settings().locale)


def moment(value: datetime | None) -> str:
    """A stored UTC time as the company's wall-clock time."""
    if value is None:
        return ""
    settings = get_settings()
    return format_datetime(value, format="short", tzinfo=ZoneInfo(settings.timezone), locale=settings.locale)


def file_size(value: int | None) -> str:
    """Bytes as B, KB, MB or GB (powers of 1024), one decimal above a kilobyte."""
    if value is None:
        return ""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value >= scale:
            return f"{number(round(value / scale, 1))} {unit}"
    return f"{number(value)} B"
