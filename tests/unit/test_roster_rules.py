"""The roster's pure rules: the week, overlaps, leave days, the weekly hours limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from core import rosters
from core.rosters import Leave, Span


def h(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in December 2026 (UTC is the calendar here: Monday is the 7th)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.date()


def test_the_week_starts_on_monday():
    assert rosters.monday(date(2026, 12, 7)) == date(2026, 12, 7)
    assert rosters.monday(date(2026, 12, 13)) == date(2026, 12, 7)  # Sunday
    assert rosters.monday(date(2026, 12, 14)) == date(2026, 12, 14)
    assert rosters.monday(date(2027, 1, 1)) == date(2026, 12, 28)  # across the year
    assert rosters.week_days(date(2026, 12, 7))[-1] == date(2026, 12, 13)
    assert len(rosters.week_days(date(2026, 12, 7))) == 7


def test_hours_count_to_the_minute():
    assert Span(h(7, 8), h(7, 17)).hours == Decimal(9)
    assert Span(h(7, 22), h(8, 6, 30)).hours == Decimal("8.5")
    assert rosters.plain(Decimal("40.00")) == "40"
    assert rosters.plain(Decimal("7.50")) == "7.5"


def test_shifts_that_touch_do_not_overlap_but_sharing_a_minute_does():
    morning = Span(h(7, 8), h(7, 12))
    assert not rosters.overlaps(morning, Span(h(7, 12), h(7, 16)))
    assert rosters.overlaps(morning, Span(h(7, 11, 59), h(7, 16)))
    assert rosters.overlaps(morning, Span(h(7, 9), h(7, 10)))  # inside
    assert rosters.overlaps(Span(h(7, 9), h(7, 10)), morning)
    night = Span(h(7, 22), h(8, 6))
    assert rosters.first_overlap([morning, night], Span(h(8, 5), h(8, 13))) == night
    assert rosters.first_overlap([morning, night], Span(h(8, 6), h(8, 13))) is None


def test_a_night_shift_touches_two_days_and_a_day_shift_one():
    assert rosters.days_of(Span(h(7, 22), h(8, 6)), utc_day) == [date(2026, 12, 7), date(2026, 12, 8)]
    assert rosters.days_of(Span(h(7, 8), h(7, 17)), utc_day) == [date(2026, 12, 7)]
    assert rosters.days_of(Span(h(7, 16), h(8, 0)), utc_day) == [date(2026, 12, 7)]  # ends at midnight


def test_leave_days_include_both_ends():
    leave = Leave(date(2026, 12, 9), date(2026, 12, 11))
    assert rosters.leave_on([leave], [date(2026, 12, 9)]) == leave
    assert rosters.leave_on([leave], [date(2026, 12, 11)]) == leave
    assert rosters.leave_on([leave], [date(2026, 12, 8)]) is None
    assert rosters.leave_on([leave], [date(2026, 12, 12)]) is None
    assert rosters.leave_on([leave], [date(2026, 12, 8), date(2026, 12, 9)]) == leave  # a night shift into it


def test_leave_requests_overlap_when_they_share_a_day():
    week = Leave(date(2026, 12, 7), date(2026, 12, 11))
    assert rosters.leave_overlaps(week, Leave(date(2026, 12, 11), date(2026, 12, 14)))
    assert rosters.leave_overlaps(Leave(date(2026, 12, 8), date(2026, 12, 8)), week)
    assert not rosters.leave_overlaps(week, Leave(date(2026, 12, 12), date(2026, 12, 14)))


def test_a_shift_counts_in_the_week_it_starts():
    monday = date(2026, 12, 7)
    sunday_night = Span(h(13, 22), h(14, 6))  # starts on Sunday: this week's, all 8 hours
    previous_sunday_night = Span(h(6, 22), h(7, 6))  # last week's, though it ends on Monday
    next_monday = Span(h(14, 8), h(14, 16))
    tuesday = Span(h(8, 8), h(8, 17))
    week = [sunday_night, previous_sunday_night, next_monday, tuesday]
    assert rosters.week_hours(week, monday, utc_day) == Decimal(17)
    assert rosters.week_hours(week, monday + timedelta(days=7), utc_day) == Decimal(8)
    assert rosters.week_hours(week, monday - timedelta(days=7), utc_day) == Decimal(8)


def test_the_weekly_limit_allows_exactly_the_limit():
    eight = Span(h(8, 8), h(8, 16))
    assert not rosters.beyond_week_limit(Decimal(40), eight, Decimal(48))
    assert rosters.beyond_week_limit(Decimal("40.5"), eight, Decimal(48))
