"""Attendance rules, pure: what a month of clocked entries, rostered shifts and approved leave
add up to for one person.

An entry belongs to the company's local day its clock-in falls on, so a night shift clocked
22:00–06:00 counts its 8 hours on the first day. Hours beyond the daily hours of a day are
overtime. A late start is a day whose first clock-in comes more than the allowed minutes after
the day's first shift starts. An absence is a rostered day, over by now, with no entry and no
approved leave. Open entries count no hours: they are missing clock-outs once their day is past.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

HOUR = Decimal(3600)
CENT = Decimal("0.01")
MAX_ENTRY = timedelta(hours=16)  # an open entry older than this is a forgotten clock-out


@dataclass(frozen=True)
class Entry:
    clock_in: datetime
    clock_out: datetime | None = None


@dataclass(frozen=True)
class Rostered:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Leave:
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class MonthFigures:
    days: int
    hours: Decimal
    overtime: Decimal
    late_starts: int
    absences: int
    missing_clock_outs: int


def rounded(hours: Decimal) -> Decimal:
    return hours.quantize(CENT, rounding=ROUND_HALF_UP)


def day_of(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def hours_of(entry: Entry, now: datetime | None = None) -> Decimal:
    """The entry's length in hours; an open one counts up to `now` if given, else nothing."""
    end = entry.clock_out or now
    if end is None or end <= entry.clock_in:
        return Decimal(0)
    return Decimal(int((end - entry.clock_in).total_seconds())) / HOUR


def is_stale(entry: Entry, now: datetime) -> bool:
    """Open for longer than any shift lasts: the person forgot to clock out."""
    return entry.clock_out is None and now - entry.clock_in > MAX_ENTRY


def hours_by_day(entries: Iterable[Entry], zone: tzinfo, now: datetime | None = None) -> dict[date, Decimal]:
    """Hours worked per local day, each entry on the day it started."""
    days: dict[date, Decimal] = {}
    for entry in entries:
        day = day_of(entry.clock_in, zone)
        days[day] = days.get(day, Decimal(0)) + hours_of(entry, now)
    return days


def overtime(by_day: dict[date, Decimal], daily_hours: Decimal) -> Decimal:
    return sum((max(Decimal(0), hours - daily_hours) for hours in by_day.values()), Decimal(0))


def _first_starts(shifts: Iterable[Rostered], zone: tzinfo) -> dict[date, datetime]:
    firsts: dict[date, datetime] = {}
    for shift in shifts:
        day = day_of(shift.starts_at, zone)
        if day not in firsts or shift.starts_at < firsts[day]:
            firsts[day] = shift.starts_at
    return firsts


def late_start_days(
    entries: Iterable[Entry], shifts: Iterable[Rostered], zone: tzinfo, late_minutes: int
) -> list[date]:
    first_in: dict[date, datetime] = {}
    for entry in entries:
        day = day_of(entry.clock_in, zone)
        if day not in first_in or entry.clock_in < first_in[day]:
            first_in[day] = entry.clock_in
    allowed = timedelta(minutes=late_minutes)
    return sorted(
        day for day, start in _first_starts(shifts, zone).items() if day in first_in and first_in[day] - start > allowed
    )


def on_leave(day: date, leaves: Iterable[Leave]) -> bool:
    return any(leave.starts_on <= day <= leave.ends_on for leave in leaves)


def absence_days(
    entries: Iterable[Entry], shifts: Sequence[Rostered], leaves: Sequence[Leave], zone: tzinfo, now: datetime
) -> list[date]:
    """Rostered days whose shifts are all over, with no entry and no approved leave."""
    worked = {day_of(entry.clock_in, zone) for entry in entries}
    last_end: dict[date, datetime] = {}
    for shift in shifts:
        day = day_of(shift.starts_at, zone)
        last_end[day] = max(last_end.get(day, shift.ends_at), shift.ends_at)
    return sorted(
        day for day, end in last_end.items() if end <= now and day not in worked and not on_leave(day, leaves)
    )


def month_figures(
    entries: Sequence[Entry],
    shifts: Sequence[Rostered],
    leaves: Sequence[Leave],
    *,
    zone: tzinfo,
    now: datetime,
    daily_hours: Decimal,
    late_minutes: int,
) -> MonthFigures:
    """One person's month: `entries` and `shifts` are those starting in the month."""
    by_day = hours_by_day(entries, zone)
    today = day_of(now, zone)
    return MonthFigures(
        days=len(by_day),
        hours=rounded(sum(by_day.values(), Decimal(0))),
        overtime=rounded(overtime(by_day, daily_hours)),
        late_starts=len(late_start_days(entries, shifts, zone, late_minutes)),
        absences=len(absence_days(entries, shifts, leaves, zone, now)),
        missing_clock_outs=sum(1 for e in entries if e.clock_out is None and day_of(e.clock_in, zone) < today),
    )
