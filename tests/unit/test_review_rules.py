"""The review rules: the weights setting, the figures of a person, their 0–100 points and the score."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from core import bootstrap, config
from core.i18n import translate
from core.reviews import (
    DEFAULT_WEIGHTS,
    SCORED,
    Job,
    LaterOrder,
    WeightsInvalid,
    best_of,
    figures,
    last_month,
    last_quarter,
    normalised,
    parse_weights,
    ranks,
    reworked,
    score,
    started_on_time,
)

DAY = date(2026, 5, 12)
# Shanghai is UTC+8: 09:00 there is 01:00 UTC.
NINE = datetime(2026, 5, 12, 1, 0, tzinfo=UTC)


def job(order_id: int = 1, customer_id: int = 10, **changes) -> Job:
    values = {
        "order_id": order_id,
        "customer_id": customer_id,
        "total": Decimal("100.00"),
        "rating": 5,
        "completed_at": NINE + timedelta(hours=3),
        "started_at": NINE + timedelta(minutes=30),
        "requested_date": DAY,
        "window_start": time(9),
        "window_end": time(12),
        "services": frozenset({1}),
    }
    values.update(changes)
    return Job(**values)


def test_empty_weights_are_the_documented_defaults_and_the_rest_weigh_nothing():
    weights = parse_weights("")
    assert set(weights) == set(SCORED)
    assert {name: weights[name] for name in DEFAULT_WEIGHTS} == DEFAULT_WEIGHTS
    assert weights["hours"] == weights["revenue"] == 0
    assert parse_weights("  ") == weights


def test_weights_are_read_from_name_number_pairs_with_left_out_names_at_zero():
    weights = parse_weights(" jobs=30, Rating = 10.5 ,,hours=0")
    assert weights["jobs"] == 30 and weights["rating"] == Decimal("10.5")
    assert weights["hours"] == weights["on_time"] == weights["attendance"] == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("jobs=20,speed=5", "unknown figure “speed”"),
        ("jobs=20,rating=-1", "the weight of rating is negative"),
        ("jobs=0,rating=0", "the weights add up to zero"),
        ("jobs=20,jobs=10", "jobs is given twice"),
        ("jobs:20", "“jobs:20” is not name=number"),
        ("jobs=lots", "“jobs=lots” is not name=number"),
        ("jobs=nan", "“jobs=nan” is not name=number"),
    ],
)
def test_a_weights_setting_that_cannot_be_used_is_refused_saying_why(text, says):
    with pytest.raises(WeightsInvalid) as refused:
        parse_weights(text)
    assert says in translate(refused.value.message, "en")
    assert translate(refused.value.message, "en").startswith("OPSDESK_REVIEW_WEIGHTS")


def test_a_job_is_on_time_when_started_within_the_window_on_the_requested_day_in_company_time():
    assert started_on_time(job())
    assert started_on_time(job(started_at=NINE))  # exactly at the window's start
    assert started_on_time(job(started_at=NINE + timedelta(hours=3)))  # exactly at its end
    assert not started_on_time(job(started_at=NINE - timedelta(minutes=1)))
    assert not started_on_time(job(started_at=NINE + timedelta(hours=3, minutes=1)))
    assert not started_on_time(job(started_at=NINE + timedelta(days=1)))  # right time, wrong day
    assert not started_on_time(job(started_at=None))


def test_rework_is_the_same_customer_ordering_a_same_service_within_14_days_after_completion():
    done = job()
    after = done.completed_at + timedelta(days=3)

    def later(**changes) -> LaterOrder:
        values = {"order_id": 2, "customer_id": 10, "created_at": after, "services": frozenset({1, 7})}
        values.update(changes)
        return LaterOrder(**values)

    assert reworked(done, [later()])
    assert reworked(done, [later(created_at=done.completed_at + timedelta(days=14))])
    assert not reworked(done, [later(created_at=done.completed_at + timedelta(days=14, seconds=1))])
    assert not reworked(done, [later(created_at=done.completed_at - timedelta(hours=1))])  # booked before
    assert not reworked(done, [later(customer_id=11)])
    assert not reworked(done, [later(services=frozenset({7}))])
    assert not reworked(done, [later(order_id=done.order_id)])  # the job itself


def test_figures_count_jobs_revenue_ratings_complaints_rework_on_time_hours_and_attendance():
    jobs = [
        job(1, rating=5),
        job(2, rating=2, total=Decimal("50.50"), started_at=NINE - timedelta(hours=1)),
        job(3, customer_id=11, rating=None),
        job(4, customer_id=12, rating=1),
    ]
    again = LaterOrder(9, 11, jobs[2].completed_at + timedelta(days=1), frozenset({1}))
    worked = [(NINE, NINE + timedelta(hours=8)), (NINE + timedelta(days=1), NINE + timedelta(days=1, minutes=90))]
    worked.append((NINE + timedelta(days=2), None))  # still clocked in: not counted
    shift_days = {DAY, DAY + timedelta(days=1), DAY + timedelta(days=2), DAY + timedelta(days=3)}
    clocked = {DAY, DAY + timedelta(days=2), DAY + timedelta(days=9)}  # a day without a shift does not count
    found = figures(jobs, worked, shift_days, clocked, [again])
    assert found["jobs"] == 4
    assert found["revenue"] == 350.5
    assert found["rating"] == round((5 + 2 + 1) / 3, 2) and found["rated"] == 3
    assert found["complaints"] == 2
    assert found["rework"] == 1
    assert found["on_time"] == 75.0 and found["on_time_jobs"] == 3
    assert found["hours"] == 9.5
    assert found["attendance"] == 50.0 and (found["shift_days"], found["attended_days"]) == (4, 2)


def test_someone_without_jobs_or_shifts_has_zeros_and_nones_and_nothing_divides_by_zero():
    found = figures([], [], set(), set())
    assert (found["jobs"], found["hours"], found["revenue"], found["complaints"], found["rework"]) == (0, 0, 0, 0, 0)
    assert found["rating"] is found["on_time"] is found["attendance"] is None
    points = normalised(found, best_of([found]))
    assert points["jobs"] == points["hours"] == points["revenue"] == 0
    assert points["rating"] is points["complaints"] is points["rework"] is None
    assert score(points, parse_weights("")) == Decimal("0.00")


def test_each_figure_is_brought_to_0_100_as_documented():
    mine = {"jobs": 5, "hours": 30, "revenue": 500.0, "rating": 4.2, "complaints": 1, "rework": 2}
    mine |= {"on_time": 80.0, "attendance": 95.5}
    best = best_of([mine, {"jobs": 10, "hours": 40, "revenue": 400.0}])
    points = normalised(mine, best)
    assert points["jobs"] == 50 and points["hours"] == 75 and points["revenue"] == 100
    assert points["rating"] == 80  # 1 → 0, 5 → 100
    assert points["on_time"] == 80 and points["attendance"] == Decimal("95.5")
    assert points["complaints"] == 80 and points["rework"] == 60  # 100 − share of the jobs


def test_the_score_is_the_weighted_mean_rounded_to_two_decimals():
    points = {name: None for name in SCORED} | {"jobs": Decimal(50), "rating": Decimal(80), "on_time": Decimal(100)}
    weights = parse_weights("jobs=1,rating=1,on_time=1")
    assert score(points, weights) == Decimal("76.67")
    assert score(points, parse_weights("jobs=3,rating=1")) == Decimal("57.50")


def test_figures_the_person_does_not_have_leave_their_weight_to_the_others():
    points = {name: None for name in SCORED} | {"jobs": Decimal(40), "attendance": Decimal(90)}
    # rating (25), on_time (20), complaints and rework (10 each) are missing: 20 × 40 + 15 × 90 over 35
    assert score(points, parse_weights("")) == Decimal("61.43")


def test_equal_scores_share_a_rank():
    assert ranks([Decimal(90), Decimal(80), Decimal(80), Decimal(10)]) == [1, 2, 2, 4]
    assert ranks([]) == []


def test_the_period_presets_are_the_previous_calendar_month_and_quarter():
    assert last_month(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_month(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert last_quarter(date(2026, 5, 20)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert last_quarter(date(2026, 1, 10)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert last_quarter(date(2026, 12, 31)) == (date(2026, 7, 1), date(2026, 9, 30))


def test_a_bad_weights_setting_stops_the_start_with_its_reason(capsys):
    settings = config.get_settings()
    config.override_settings(review_weights="jobs=abc")
    try:
        assert bootstrap.main() == 1
    finally:
        config.override_settings(review_weights=settings.review_weights)
    assert "OPSDESK_REVIEW_WEIGHTS" in capsys.readouterr().err
