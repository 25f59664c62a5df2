"""The staffing needs' pure rules: job minutes, weekday shares, needed and rostered hours, and the
greedy suggested roster (areas, skills, leave, overlaps, no second shift a day, the weekly limit)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from core import rosters
from core import staffing_needs as rules
from core.i18n import Bilingual, translate
from core.rosters import Leave, Span
from core.skills import SKILLS

MONDAY = date(2026, 12, 7)
DAYS = rosters.week_days(MONDAY)
TUESDAY, WEDNESDAY = DAYS[1], DAYS[2]
AREAS = {1: Bilingual("Xuhui", "徐汇区"), 2: Bilingual("Minhang", "闵行区")}


def h(day: date, hour: int) -> datetime:
    """An instant (UTC is the calendar here)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.date()


def standard(day: date) -> Span:
    return Span(h(day, 9), h(day, 17))


def the_rules(limit: str = "48", open_days: frozenset[date] | None = None) -> rules.Rules:
    return rules.Rules(MONDAY, open_days or frozenset(DAYS), standard, utc_day, Decimal(limit))


def person(staff_id: int, name: str, areas=(1,), skills=("carpet",), **extra) -> rules.Person:
    return rules.Person(staff_id, name, frozenset(areas), {d: frozenset(skills) for d in DAYS}, **extra)


def test_job_minutes_come_from_history_else_the_catalogue_with_a_floor():
    assert rules.job_minutes(900, 10, Decimal("1.5")) == (Decimal(90), "history")
    assert rules.job_minutes(None, 0, Decimal("1.5")) == (Decimal(30), "catalogue")  # at least 30
    assert rules.job_minutes(0, 0, Decimal(120)) == (Decimal(120), "catalogue")


def test_weekday_shares_fall_back_until_a_pattern_has_enough_jobs():
    few = [1, 0, 0, 0, 0, 0, 0]  # fewer than MIN_SHARE_JOBS
    service = [5, 5, 0, 0, 0, 0, 0]
    assert rules.weekday_shares(few, service) == (Decimal("0.5"), Decimal("0.5"), 0, 0, 0, 0, 0)
    own = [10, 0, 0, 0, 0, 0, 10]
    assert rules.weekday_shares(own, service)[6] == Decimal("0.5")
    even = rules.weekday_shares(few, few)
    assert even == tuple(Decimal(1) / 7 for _ in range(7))
    assert abs(sum(even) - 1) < Decimal("1e-20")


def test_needed_hours_are_jobs_times_minutes_times_share_plus_the_allowance():
    shares = {(10, 1): (Decimal("0.5"), Decimal("0.5"), 0, 0, 0, 0, 0), (11, 1): (0, 1, 0, 0, 0, 0, 0)}
    demand = [rules.Demand(10, 1, 8.0), rules.Demand(11, 1, 2.0), rules.Demand(11, 2, -3.0)]
    needed = rules.needed_hours(
        demand, {10: Decimal(90), 11: Decimal(60)}, lambda s, a: shares.get((s, a), [1] * 7), DAYS
    )
    # service 10: 8 jobs × 1.5 h = 12 h, half on Monday and Tuesday; service 11: 2 × 1 h on Tuesday
    assert needed[(1, MONDAY)] == Decimal("6.90")  # 6 h × 1.15
    assert needed[(1, TUESDAY)] == Decimal("9.20")  # (6 + 2) × 1.15
    assert needed[(1, WEDNESDAY)] == 0
    assert needed[(2, MONDAY)] == 0  # a negative forecast counts as none
    assert rules.round_hours(Decimal("1.005")) == Decimal("1.01")


def test_rostered_hours_split_over_the_persons_areas_whatever_the_shift_names():
    shifts = [
        rules.RosteredShift(1, MONDAY, Decimal(8), "technician"),  # serves areas 1 and 2: 4 h each
        rules.RosteredShift(2, MONDAY, Decimal(6), "technician"),  # serves area 2 only
        rules.RosteredShift(3, MONDAY, Decimal(8), "supervisor"),  # not a technician's shift
        rules.RosteredShift(4, TUESDAY, Decimal(5), "technician"),  # serves no area
        rules.RosteredShift(5, TUESDAY, Decimal(9), "technician"),  # three areas: 3 h each
    ]
    found, nowhere = rules.rostered_hours(shifts, {1: [1, 2], 2: [2], 3: [1], 4: [], 5: [1, 2, 3]})
    assert found == {
        (1, MONDAY): Decimal(4),
        (2, MONDAY): Decimal(10),
        (1, TUESDAY): Decimal(3),
        (2, TUESDAY): Decimal(3),
        (3, TUESDAY): Decimal(3),
    }
    assert nowhere == Decimal(5)


def test_a_proposed_shift_counts_for_each_of_the_persons_areas():
    """Two areas short on Tuesday; one shift of someone serving both covers 4 h of each."""
    both = person(1, "Both", areas=(1, 2))
    gaps = {(1, TUESDAY): Decimal(6), (2, TUESDAY): Decimal(3)}
    result = rules.suggest(gaps, {}, [both], the_rules(), AREAS, SKILLS)
    assert [(p.staff_id, p.area_id) for p in result.proposals] == [(1, 1)]  # the shorter area first
    assert "the shift counts 4 h here" in translate(result.proposals[0].reason, "en")
    [left] = result.uncovered  # area 2: 3 − 4 < 0, covered; area 1: 6 − 4 = 2 h short
    assert (left.area_id, left.hours) == (1, Decimal(2))
    assert "1 already on a shift that day" in translate(left.reason, "en")


def test_the_standard_shift_is_nine_to_five_or_shorter_for_shorter_days():
    assert rules.standard_shift(Decimal(8)) == (time(9), time(17))
    assert rules.standard_shift(Decimal(10)) == (time(9), time(17))
    assert rules.standard_shift(Decimal("6.5")) == (time(9), time(15, 30))


def test_suggest_fills_a_gap_with_standard_shifts_least_rostered_first():
    busy = person(1, "Busy", shifts=(Span(h(MONDAY, 9), h(MONDAY, 17)),))
    idle = person(2, "Idle")
    result = rules.suggest(
        {(1, TUESDAY): Decimal(12)}, {1: frozenset({"carpet"})}, [busy, idle], the_rules(), AREAS, SKILLS
    )
    # 12 h short: two shifts of 8 h (after the first, 4 h remain, still worth a shift); Idle first
    assert [(p.staff_id, p.day, p.area_id) for p in result.proposals] == [(2, TUESDAY, 1), (1, TUESDAY, 1)]
    assert result.uncovered == []
    reason = translate(result.proposals[0].reason, "en")
    assert "Xuhui is 12 h short" in reason and "Carpet cleaning" in reason and "had 0 h" in reason


def test_small_gaps_and_surpluses_get_no_shift():
    result = rules.suggest(
        {(1, TUESDAY): Decimal("0.99"), (1, WEDNESDAY): Decimal(-5)}, {}, [person(1, "A")], the_rules(), AREAS, SKILLS
    )
    assert result.proposals == [] and result.uncovered == []


def test_suggest_respects_area_skills_leave_overlap_second_shift_and_weekly_limit():
    wanted = {1: frozenset({"carpet", "leather"})}
    people = [
        person(1, "Elsewhere", areas=(2,)),
        person(2, "Unskilled", skills=("window",)),
        person(3, "On leave", leave=(Leave(TUESDAY, TUESDAY),)),
        person(4, "Night", shifts=(Span(h(MONDAY, 22), h(TUESDAY, 10)),)),  # overlaps 09:00-17:00
        person(5, "Early", shifts=(Span(h(TUESDAY, 5), h(TUESDAY, 8)),)),  # already a shift that day
        person(6, "Full", shifts=tuple(Span(h(d, 8), h(d, 20)) for d in (DAYS[2], DAYS[3], DAYS[4]))),  # 36 h
        person(7, "Leather", skills=("leather",)),
    ]
    result = rules.suggest({(1, TUESDAY): Decimal(20)}, wanted, people, the_rules(limit="40"), AREAS, SKILLS)
    assert [p.staff_id for p in result.proposals] == [7]  # one skill of the needed ones is enough
    [left] = result.uncovered
    assert (left.day, left.area_id, left.hours) == (TUESDAY, 1, Decimal(12))
    assert translate(left.reason, "en") == (
        "Everyone who could work here is taken: 1 on leave, 3 already on a shift that day, "
        "1 would pass the weekly limit of 40 hours."
    )


def test_certificates_count_per_day():
    expiring = rules.Person(
        1, "A", frozenset({1}), {d: frozenset({"carpet"} if d < WEDNESDAY else set()) for d in DAYS}
    )
    wanted = {1: frozenset({"carpet"})}
    gaps = {(1, TUESDAY): Decimal(8), (1, WEDNESDAY): Decimal(8)}
    result = rules.suggest(gaps, wanted, [expiring], the_rules(), AREAS, SKILLS)
    assert [p.day for p in result.proposals] == [TUESDAY]
    assert "has a skill its services need (Carpet cleaning)" in translate(result.uncovered[0].reason, "en")


def test_uncovered_says_why_nobody_fits_and_past_days_are_not_proposed():
    gaps = {(2, TUESDAY): Decimal(8), (1, MONDAY): Decimal(3)}
    result = rules.suggest(gaps, {}, [person(1, "A")], the_rules(open_days=frozenset(DAYS[1:])), AREAS, SKILLS)
    assert result.proposals == []
    reasons = {(u.day, u.area_id): translate(u.reason, "en") for u in result.uncovered}
    assert reasons[(TUESDAY, 2)] == "No active technician covers this area."
    assert reasons[(MONDAY, 1)] == "This day has begun or passed; no shift is proposed for it."


def test_proposals_count_against_the_week_and_the_day():
    """One person, gaps on every day: no two shifts a day, and the limit stops the sixth day."""
    gaps = {(1, day): Decimal(16) for day in DAYS}
    result = rules.suggest(gaps, {}, [person(1, "Solo")], the_rules(limit="40"), AREAS, SKILLS)
    assert [p.day for p in result.proposals] == DAYS[:5]
    assert len(result.uncovered) == 7
    assert result.uncovered[0].hours == Decimal(8)  # Monday: 16 − 8
    assert "1 would pass the weekly limit" in translate(result.uncovered[-1].reason, "en")
    assert result.uncovered[-1].hours == Decimal(16)
    assert all(p.span == standard(p.day) for p in result.proposals)
    assert timedelta(hours=8) == result.proposals[0].span.ends_at - result.proposals[0].span.starts_at
