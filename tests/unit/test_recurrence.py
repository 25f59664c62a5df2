"""When a recurring contract's visits fall: weekly, fortnightly, monthly, until an end."""

from __future__ import annotations

from datetime import date

from core.recurrence import occurrences


def visits(frequency: str, first: date, until: date, last: date | None = None) -> list[date]:
    return list(occurrences(frequency, first, until, last))


def test_weekly_visits_fall_every_seven_days_from_the_first():
    assert visits("weekly", date(2026, 1, 5), date(2026, 2, 2)) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
        date(2026, 2, 2),
    ]


def test_fortnightly_visits_fall_every_fourteen_days():
    assert visits("fortnightly", date(2026, 1, 5), date(2026, 2, 15)) == [
        date(2026, 1, 5),
        date(2026, 1, 19),
        date(2026, 2, 2),
    ]


def test_monthly_visits_keep_the_day_of_the_month():
    assert visits("monthly", date(2026, 1, 15), date(2026, 4, 30)) == [
        date(2026, 1, 15),
        date(2026, 2, 15),
        date(2026, 3, 15),
        date(2026, 4, 15),
    ]


def test_a_monthly_visit_on_the_31st_falls_on_the_last_day_of_shorter_months():
    assert visits("monthly", date(2025, 1, 31), date(2025, 7, 31)) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
        date(2025, 6, 30),
        date(2025, 7, 31),
    ]


def test_a_monthly_visit_falls_on_the_29th_of_february_in_a_leap_year():
    assert visits("monthly", date(2024, 1, 31), date(2024, 3, 1)) == [date(2024, 1, 31), date(2024, 2, 29)]


def test_a_visit_on_the_29th_of_february_moves_to_the_28th_in_other_years_and_returns_to_the_29th():
    yearly = [d for d in visits("monthly", date(2024, 2, 29), date(2028, 3, 1)) if d.month == 2]
    assert yearly == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]
    assert date(2024, 3, 29) in visits("monthly", date(2024, 2, 29), date(2024, 4, 1))


def test_monthly_visits_run_over_the_year_end():
    assert visits("monthly", date(2025, 11, 30), date(2026, 3, 1)) == [
        date(2025, 11, 30),
        date(2025, 12, 30),
        date(2026, 1, 30),
        date(2026, 2, 28),
    ]


def test_the_horizon_is_inclusive():
    assert visits("weekly", date(2026, 1, 5), date(2026, 1, 12))[-1] == date(2026, 1, 12)
    assert visits("weekly", date(2026, 1, 5), date(2026, 1, 11)) == [date(2026, 1, 5)]


def test_the_contract_s_end_stops_the_visits_before_the_horizon():
    assert visits("weekly", date(2026, 1, 5), date(2026, 12, 31), last=date(2026, 1, 20)) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
    ]


def test_a_horizon_before_the_contract_s_end_stops_the_visits():
    assert visits("weekly", date(2026, 1, 5), date(2026, 1, 13), last=date(2026, 12, 31)) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
    ]


def test_the_last_day_itself_gets_its_visit():
    assert visits("fortnightly", date(2026, 1, 5), date(2026, 12, 31), last=date(2026, 1, 19))[-1] == date(2026, 1, 19)


def test_nothing_falls_before_the_first_day():
    assert visits("weekly", date(2026, 1, 5), date(2026, 1, 4)) == []
    assert visits("monthly", date(2026, 1, 5), date(2026, 12, 31), last=date(2026, 1, 1)) == []
