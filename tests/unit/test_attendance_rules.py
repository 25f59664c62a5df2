"""The attendance rules: entries belong to the day they start on (night shifts too), overtime over
the daily hours, late starts after a shift's start, and absences on rostered days without leave."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.attendance import (
    Entry,
    Leave,
    Rostered,
    absence_days,
    hours_by_day,
    hours_of,
    is_stale,
    late_start_days,
    month_figures,
    overtime,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Shanghai wall-clock time in March 2026 as the UTC instant the store keeps."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def shift(day: int, start: int, end: int) -> Rostered:
    ends_on = day + 1 if end <= start else day
    return Rostered(at(day, start), at(ends_on, end))


def figures(entries, shifts=(), leaves=(), now=None, daily="8", late=10):
    return month_figures(
        list(entries),
        list(shifts),
        list(leaves),
        zone=SHANGHAI,
        now=now or at(31, 23),
        daily_hours=Decimal(daily),
        late_minutes=late,
    )


class TestNightShifts:
    def test_a_night_shift_across_midnight_counts_all_its_hours_on_the_day_it_started(self):
        night = Entry(at(10, 22), at(11, 6))
        assert hours_by_day([night], SHANGHAI) == {date(2026, 3, 10): Decimal(8)}

    def test_the_day_is_the_companys_local_day_not_the_utc_one(self):
        early = Entry(at(10, 7), at(10, 15))  # 23:00 UTC on the 9th
        assert list(hours_by_day([early], SHANGHAI)) == [date(2026, 3, 10)]

    def test_a_night_shift_on_the_last_night_of_the_month_belongs_to_that_month(self):
        result = figures([Entry(at(31, 22), datetime(2026, 4, 1, 6, tzinfo=SHANGHAI).astimezone(UTC))])
        assert (result.days, result.hours, result.overtime) == (1, Decimal("8.00"), Decimal("0.00"))


class TestHoursAndOvertime:
    def test_hours_add_up_per_day_and_overtime_is_what_passes_the_daily_hours(self):
        entries = [Entry(at(2, 8), at(2, 12)), Entry(at(2, 13), at(2, 19, 30)), Entry(at(3, 8), at(3, 15))]
        by_day = hours_by_day(entries, SHANGHAI)
        assert by_day == {date(2026, 3, 2): Decimal("10.5"), date(2026, 3, 3): Decimal(7)}
        assert overtime(by_day, Decimal(8)) == Decimal("2.5")  # a short day does not offset a long one

    def test_the_month_sums_days_hours_and_overtime(self):
        entries = [Entry(at(2, 8), at(2, 18)), Entry(at(3, 8), at(3, 16)), Entry(at(4, 22), at(5, 7))]
        result = figures(entries)
        assert (result.days, result.hours, result.overtime) == (3, Decimal("27.00"), Decimal("3.00"))

    def test_an_open_entry_counts_no_hours_and_is_a_missing_clock_out_once_its_day_is_past(self):
        result = figures([Entry(at(2, 8), at(2, 16)), Entry(at(3, 8))], now=at(4, 9))
        assert (result.days, result.hours, result.missing_clock_outs) == (2, Decimal("8.00"), 1)
        today = figures([Entry(at(4, 8))], now=at(4, 9))
        assert today.missing_clock_outs == 0

    def test_an_open_entry_runs_up_to_now_when_asked(self):
        assert hours_of(Entry(at(4, 8)), now=at(4, 9, 30)) == Decimal("1.5")
        assert hours_of(Entry(at(4, 8))) == 0

    def test_an_entry_open_longer_than_any_shift_is_stale(self):
        assert not is_stale(Entry(at(4, 22)), at(5, 6))
        assert is_stale(Entry(at(4, 8)), at(5, 8))
        assert not is_stale(Entry(at(4, 8), at(4, 9)), at(9, 8))

    def test_hours_are_rounded_to_the_hundredth(self):
        result = figures([Entry(at(2, 8), at(2, 8, 20))])  # 20 minutes
        assert result.hours == Decimal("0.33")


class TestLateStarts:
    def test_a_clock_in_more_than_the_allowed_minutes_after_the_shift_is_late(self):
        shifts = [shift(2, 8, 17), shift(3, 8, 17), shift(4, 8, 17)]
        entries = [
            Entry(at(2, 8, 10), at(2, 17)),  # exactly 10 minutes: on time
            Entry(at(3, 8, 11), at(3, 17)),  # 11 minutes: late
            Entry(at(4, 7, 50), at(4, 17)),
        ]
        assert late_start_days(entries, shifts, SHANGHAI, 10) == [date(2026, 3, 3)]

    def test_the_days_first_clock_in_is_compared_with_its_first_shift(self):
        shifts = [shift(2, 8, 12), shift(2, 14, 18)]
        entries = [Entry(at(2, 8), at(2, 12)), Entry(at(2, 14, 30), at(2, 18))]
        assert late_start_days(entries, shifts, SHANGHAI, 10) == []

    def test_a_night_shift_is_late_against_its_evening_start(self):
        assert late_start_days([Entry(at(2, 22, 30), at(3, 6))], [shift(2, 22, 6)], SHANGHAI, 10) == [date(2026, 3, 2)]

    def test_a_day_without_a_shift_cannot_be_late_and_a_missed_shift_is_not_late(self):
        assert late_start_days([Entry(at(7, 11), at(7, 15))], [shift(8, 8, 17)], SHANGHAI, 10) == []


class TestAbsences:
    def test_a_rostered_day_without_an_entry_is_an_absence(self):
        shifts = [shift(2, 8, 17), shift(3, 8, 17)]
        assert absence_days([Entry(at(2, 8), at(2, 17))], shifts, [], SHANGHAI, at(31, 23)) == [date(2026, 3, 3)]

    def test_approved_leave_covers_a_rostered_day(self):
        shifts = [shift(2, 8, 17), shift(3, 8, 17), shift(5, 8, 17)]
        leave = [Leave(date(2026, 3, 2), date(2026, 3, 3))]
        assert absence_days([], shifts, leave, SHANGHAI, at(31, 23)) == [date(2026, 3, 5)]

    def test_a_shift_not_over_yet_is_no_absence(self):
        shifts = [shift(4, 8, 17), shift(5, 8, 17)]
        assert absence_days([], shifts, [], SHANGHAI, now=at(4, 18)) == [date(2026, 3, 4)]
        assert absence_days([], shifts, [], SHANGHAI, now=at(4, 12)) == []

    def test_a_night_worker_who_clocked_in_on_the_shifts_day_is_not_absent(self):
        assert absence_days([Entry(at(2, 21, 55), at(3, 6))], [shift(2, 22, 6)], [], SHANGHAI, at(31, 23)) == []

    def test_the_month_counts_late_starts_and_absences(self):
        shifts = [shift(2, 8, 17), shift(3, 8, 17), shift(4, 8, 17), shift(5, 8, 17)]
        entries = [Entry(at(2, 8, 30), at(2, 17)), Entry(at(3, 8), at(3, 17))]
        result = figures(entries, shifts, [Leave(date(2026, 3, 5), date(2026, 3, 5))], now=at(5, 20))
        assert (result.late_starts, result.absences) == (1, 1)


def test_the_allowed_lateness_comes_from_the_settings_argument():
    entries = [Entry(at(2, 8, 20), at(2, 17))]
    assert figures(entries, [shift(2, 8, 17)], late=30).late_starts == 0
    assert figures(entries, [shift(2, 8, 17)], late=15).late_starts == 1
    assert figures([Entry(at(2, 8), at(2, 17))], daily="7.5").overtime == Decimal("1.50")
