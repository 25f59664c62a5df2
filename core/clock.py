"""The one source of "now" in Opsdesk. Stored times are aware UTC; the company's own
calendar (what "today" and "09:00" mean) is its time zone's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone() -> ZoneInfo:
    from core.config import get_settings  # settings may be overridden after import

    return ZoneInfo(get_settings().timezone)


def today() -> date:
    """The company's date today (in Shanghai it is already tomorrow at 17:00 UTC)."""
    return utcnow().astimezone(zone()).date()


def at(day: date, wall_clock: time) -> datetime:
    """The UTC instant of a wall-clock time on a company date."""
    return datetime.combine(day, wall_clock, zone()).astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())
