"""The roster's rules, without the store: a week runs Monday to Sunday in the company's calendar
and a shift counts, whole, in the week it starts; shifts of one person must not overlap; nobody is
rostered on a day of their approved leave; leave requests of one person must not overlap."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

WEEK = 7


@dataclass(frozen=True)
class Span:
    """A stretch of time: a shift's two instants."""

    starts_at: datetime
    ends_at: datetime

    @property
    def hours(self) -> Decimal:
        return hours(self.starts_at, self.ends_at)


@dataclass(frozen=True)
class Leave:
    """Days off, both ends included."""

    starts_on: date
    ends_on: date


def monday(day: date) -> date:
    """The first day of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def week_days(first: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(WEEK)]


def hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """Whole and fractional hours, to the minute."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def overlaps(a: Span, b: Span) -> bool:
    """Whether two stretches share any time (one ending when the other starts does not)."""
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def first_overlap(shifts: Iterable[Span], new: Span) -> Span | None:
    return next((shift for shift in sorted(shifts, key=lambda s: s.starts_at) if overlaps(shift, new)), None)


def days_of(shift: Span, local_day: Callable[[datetime], date]) -> list[date]:
    """The company dates a shift touches: its start's, and the next one's for a night shift."""
    first, last = local_day(shift.starts_at), local_day(shift.ends_at - timedelta(microseconds=1))
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def leave_overlaps(a: Leave, b: Leave) -> bool:
    return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on


def leave_on(leaves: Iterable[Leave], days: Iterable[date]) -> Leave | None:
    """The first leave covering any of `days`."""
    wanted = sorted(set(days))
    for leave in sorted(leaves, key=lambda item: item.starts_on):
        if any(leave.starts_on <= day <= leave.ends_on for day in wanted):
            return leave
    return None


def week_hours(shifts: Iterable[Span], first: date, local_day: Callable[[datetime], date]) -> Decimal:
    """Rostered hours in the week starting on Monday `first`: the shifts that start in it."""
    last = first + timedelta(days=WEEK - 1)
    return sum((s.hours for s in shifts if first <= local_day(s.starts_at) <= last), Decimal(0))


def beyond_week_limit(rostered: Decimal, new: Span, limit: Decimal) -> bool:
    return rostered + new.hours > limit


def plain(value: Decimal) -> str:
    """Hours as people write them: 40, 7.5."""
    return f"{value.normalize():f}"
