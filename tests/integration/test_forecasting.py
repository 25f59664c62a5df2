"""Demand and consumption forecasts: the metrics by hand, the engine on synthetic series (seasonal,
intermittent, short), and stored runs on a small hand-made history on both databases — one run at
a time, an interrupted or stopped run leaving the previous one in force."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import select, update

from core import db
from core.actor import SYSTEM
from core.clock import at, today, utcnow
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.forecasting import engine, runs
from core.forecasting.series import WEEK, as_of_for, monday
from core.models import ForecastPoint, ForecastRun, ForecastSeries
from core.services import forecasts
from tests.factories import history_order, make_customer, make_service, make_user, put_row

WEEKS = 70  # of hand-made history: more than a season, less than two
AS_OF = as_of_for(today())
FIRST = monday(AS_OF) - WEEK * (WEEKS - 1)


def jobs_in(week: int) -> int:
    return 2 + week % 3


# --- metrics by hand --------------------------------------------------------------------------


def test_wape_is_the_sum_of_absolute_errors_over_the_sum_of_actuals():
    assert engine.wape(np.array([2.0, 0.0, 4.0]), np.array([1.0, 1.0, 4.0])) == pytest.approx(2 / 6)
    assert engine.wape(np.array([0.0, 0.0]), np.array([1.0, 0.0])) is None


def test_mase_scales_by_naive_on_short_history_and_seasonal_naive_on_two_seasons():
    short = np.array([1.0, 3.0, 2.0, 5.0])  # lag-1 differences 2, 1, 3: scale 2
    assert engine.mase_scale(short) == pytest.approx(2.0)
    assert engine.mase(np.array([2.0, 0.0, 4.0]), np.array([1.0, 1.0, 4.0]), 2.0) == pytest.approx((2 / 3) / 2)
    long = np.arange(110, dtype=float)  # lag-52 differences are all 52
    assert engine.mase_scale(long) == pytest.approx(52.0)
    assert engine.mase_scale(np.full(10, 3.0)) is None
    assert engine.mase(np.array([1.0]), np.array([2.0]), None) is None


def test_the_baseline_is_kept_unless_a_model_beats_it_strictly():
    errors = {"SeasonalNaive": (4.0, 10.0, 1.0), "SES": (4.0, 10.0, 1.0), "Theta": (5.0, 10.0, 0.4)}
    assert engine.choose(errors, "SeasonalNaive", 8) == "SeasonalNaive"  # a tie is no win; WAPE first
    errors["SES"] = (4.0, 10.0, 0.9)  # the same WAPE: MASE decides
    assert engine.choose(errors, "SeasonalNaive", 8) == "SES"
    errors["Theta"] = (3.0, 10.0, 2.0)
    assert engine.choose(errors, "SeasonalNaive", 8) == "Theta"
    zeros = {"SeasonalNaive": (2.0, 0.0, None), "HistoricAverage": (1.0, 0.0, None)}  # actuals all zero
    assert engine.choose(zeros, "SeasonalNaive", 8) == "HistoricAverage"


# --- the engine on synthetic series -------------------------------------------------------------


def seasonal(seed: int, weeks: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    return 100 + 30 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 6, weeks)


def test_the_chosen_forecast_beats_seasonal_naive_on_a_held_out_period():
    held, horizon = 12, 12
    full = {f"s{seed}": seasonal(seed, 3 * 52 + held) for seed in range(4)}
    outcomes = engine.run([(uid, y[:-held]) for uid, y in full.items()], horizon, n_jobs=1)
    chosen_error = naive_error = 0.0
    for outcome in outcomes:
        y = full[outcome.uid]
        actual = y[-held:]
        forecast = np.array([value for value, _, _ in outcome.forecast])
        assert outcome.plan.family == "seasonal" and outcome.note is None
        assert all(low <= value <= high for value, low, high in outcome.forecast)
        chosen_error += np.abs(forecast - actual).sum()
        naive_error += np.abs(y[-held - 52 : -52] - actual).sum()  # seasonal naive: the same weeks a year before
    assert chosen_error < naive_error
    overall = engine.overall(outcomes)
    assert overall["chosen"]["wape"] < overall["baseline"]["wape"]
    assert overall["baseline"] == {k: overall["SeasonalNaive"][k] for k in ("wape", "mase", "series")}


def test_an_intermittent_series_gets_the_intermittent_models():
    rng = np.random.default_rng(7)
    y = rng.poisson(0.25, 156).astype(float)
    y[0] = 1
    (outcome,) = engine.run([("rare", y)], 8, n_jobs=1)
    assert outcome.plan.family == "intermittent"
    assert {"CrostonOptimized", "ADIDA", "IMAPA", "TSB"} <= set(outcome.accuracy)
    assert outcome.model in outcome.plan.models
    assert "Intermittent" in outcome.note.text
    assert len(outcome.forecast) == 8 and all(value >= 0 for value, _, _ in outcome.forecast)


def test_a_series_shorter_than_a_season_uses_naive_as_baseline_and_says_so():
    y = seasonal(3, 30)
    (outcome,) = engine.run([("young", y)], 12, n_jobs=1)
    assert outcome.plan.baseline == "Naive" and "SeasonalNaive" not in outcome.accuracy
    assert outcome.plan.windows == 2  # 30 weeks: 8 to train, then two windows of 8
    assert outcome.note.params == {"weeks": 30} and "less than a season" in outcome.note.text
    assert len(outcome.forecast) == 12


def test_a_series_with_almost_no_history_gets_its_mean_with_a_note():
    (outcome,) = engine.run([("new", np.array([2.0, 0.0, 4.0, 2.0]))], 3, n_jobs=1)
    assert outcome.model == "HistoricAverage" and outcome.accuracy == {}
    assert outcome.note.params == {"weeks": 4}
    assert [value for value, _, _ in outcome.forecast] == pytest.approx([2.0, 2.0, 2.0])
    assert engine.overall([outcome]) == {}


# --- stored runs on a hand-made history ------------------------------------------------------------


CARPET_LINE = {"service_code": "CARPET", "name_en": "Carpet", "name_zh": "地毯"}


def new_order(customer: int, area: int, day: date, status: str, service: int, lines: int = 1) -> int:
    return history_order(customer, area, day, status, "80", lines=[{**CARPET_LINE, "service_id": service}] * lines)


def new_item(sku: str) -> int:
    values = {"sku": sku, "name_en": sku, "name_zh": sku, "category": "chemicals", "unit": "bottle"}
    values |= {"unit_cost": Decimal(5), "reorder_level": Decimal(0), "reorder_quantity": Decimal(0)}
    return put_row("items", **values, active=True, on_hand=Decimal(100))


def move(item: int, kind: str, quantity: str, day: date, order_id: int | None = None) -> None:
    values = {"item_id": item, "kind": kind, "quantity": Decimal(quantity), "unit_cost": Decimal(5)}
    put_row(
        "stock_movements", **values, balance_after=Decimal(100), at=at(day, time(10)), actor_name="x", order_id=order_id
    )


@pytest.fixture
def history(area) -> dict[str, int]:
    """WEEKS weeks to AS_OF: jobs_in(week) carpet jobs a week in the area (one order of two lines on
    Wednesdays), a cancelled order a week (not counted), one after AS_OF (not used); SOAP issued 3
    to an order each week, 1 returned in the last week; GLOVES received but never consumed."""
    customer = make_customer(area)["id"]
    carpet = make_service("CARPET")
    soap, gloves = new_item("SOAP"), new_item("GLOVES")
    for week in range(WEEKS):
        monday_ = FIRST + WEEK * week
        first = new_order(customer, area, monday_ + timedelta(days=2), "paid", carpet, lines=2)
        for extra in range(jobs_in(week) - 2):
            new_order(customer, area, monday_ + timedelta(days=3 + extra), "completed", carpet)
        new_order(customer, area, monday_ + timedelta(days=4), "cancelled", carpet)
        move(soap, "issue", "-3", monday_ + timedelta(days=2), first)
    move(soap, "return", "1", monday_ + timedelta(days=5), first)
    new_order(customer, area, AS_OF + timedelta(days=1), "confirmed", carpet)
    move(gloves, "receipt", "50", FIRST)
    return {"area": area, "carpet": carpet, "soap": soap, "gloves": gloves}


def test_a_run_stores_series_accuracy_and_points_and_pages_read_it(store, history):
    analyst = make_user("ana", "analyst")
    run = forecasts.start_run(actor=make_user("boss", "manager"), horizon_weeks=6, wait=True)
    assert run["status"] == "done" and run["series_total"] == run["series_done"] == 2
    assert run["as_of"] == AS_OF and run["percent"] == 100
    assert run["message"].params == {"series": 2, "unused": 1}  # GLOVES were never consumed
    assert {"chosen", "baseline", "SeasonalNaive"} <= set(run["accuracy"])

    latest = forecasts.latest(actor=analyst)
    assert latest["run"]["id"] == run["id"] and latest["running"] is None
    assert latest["series"] == {"demand": 1, "consumption": 1}
    listed = {row["kind"]: row for row in forecasts.series(actor=analyst)}
    demand, used = listed["demand"], listed["consumption"]
    assert (demand["service_id"], demand["area_id"], demand["history_weeks"]) == (
        history["carpet"],
        history["area"],
        WEEKS,
    )
    assert demand["service"].en == "Carpet" and demand["area"].en == "Xuhui"
    assert used["item_id"] == history["soap"] and used["sku"] == "SOAP"
    assert demand["model"] in demand["accuracy"] and demand["wape"] == demand["accuracy"][demand["model"]]["wape"]
    assert "less than two seasons" in demand["note"].text  # 70 weeks
    assert [row["kind"] for row in forecasts.series(actor=analyst, kind="consumption")] == ["consumption"]

    detail = forecasts.series_detail(actor=analyst, series_id=demand["id"])
    assert [p["week"] for p in detail["history"]] == [FIRST + WEEK * w for w in range(WEEKS)]
    assert [p["value"] for p in detail["history"]] == [jobs_in(w) for w in range(WEEKS)]
    assert [p["week"] for p in detail["forecast"]] == [monday(AS_OF) + WEEK * (k + 1) for k in range(6)]
    assert all(p["low"] <= p["value"] <= p["high"] and p["level"] == 80 for p in detail["forecast"])
    soap = forecasts.series_detail(actor=analyst, series_id=used["id"])
    assert [p["value"] for p in soap["history"]] == [3.0] * (WEEKS - 1) + [2.0]  # issues net of the return

    with pytest.raises(PermissionDenied):
        forecasts.start_run(actor=make_user("tech", "technician"), wait=True)
    with pytest.raises(ValidationFailed) as refused:
        forecasts.start_run(actor=analyst, horizon_weeks=0)
    assert "horizon_weeks" in refused.value.errors
    with pytest.raises(ValidationFailed):
        forecasts.series(actor=analyst, kind="weather")
    with pytest.raises(NotFound):
        forecasts.series_detail(actor=analyst, series_id=999_999)


def test_nothing_to_forecast_fails_the_run_with_a_message(store):
    run = forecasts.start_run(actor=SYSTEM, wait=True)
    assert run["status"] == "failed" and "Nothing to forecast" in run["message"].text
    assert forecasts.latest(actor=SYSTEM)["run"] is None and forecasts.series(actor=SYSTEM) == []


def test_an_interrupted_run_leaves_the_previous_run_in_force(store, history):
    done = forecasts.start_run(actor=SYSTEM, horizon_weeks=4, wait=True)
    stale = runs.create_run(SYSTEM, 4)
    with db.writing(None) as session:  # the process running it died ten minutes ago
        session.execute(
            update(ForecastRun).where(ForecastRun.id == stale).values(heartbeat_at=utcnow() - timedelta(minutes=10))
        )
        session.commit()
    latest = forecasts.latest(actor=SYSTEM)
    assert latest["run"]["id"] == done["id"] and latest["running"] is None
    assert latest["last"]["id"] == stale and latest["last"]["status"] == "interrupted"
    assert forecasts.progress(actor=SYSTEM, run_id=stale)["status"] == "interrupted"
    again = forecasts.start_run(actor=SYSTEM, horizon_weeks=4, wait=True)  # no longer refused
    assert again["status"] == "done" and forecasts.latest(actor=SYSTEM)["run"]["id"] == again["id"]


def test_a_run_stopped_midway_writes_nothing(store, history):
    done = forecasts.start_run(actor=SYSTEM, horizon_weeks=4, wait=True)
    stopped = runs.create_run(SYSTEM, 4)
    with db.writing(None) as session:  # marked interrupted by someone while it works
        session.execute(update(ForecastRun).where(ForecastRun.id == stopped).values(status="interrupted"))
        session.commit()
    assert runs.run_forecast(stopped)["status"] == "interrupted"
    with db.reading() as session:
        assert session.scalars(select(ForecastSeries.id).where(ForecastSeries.run_id == stopped)).all() == []
        kept = session.scalars(select(ForecastSeries.id).where(ForecastSeries.run_id == done["id"])).all()
        assert len(kept) == 2
        assert session.scalars(select(ForecastPoint.id).where(ForecastPoint.series_id.in_(kept))).all()
    assert forecasts.latest(actor=SYSTEM)["run"]["id"] == done["id"]


def test_a_second_run_is_refused_while_one_runs(store, history):
    worker_started = forecasts.start_run(actor=SYSTEM, horizon_weeks=4)
    try:
        assert worker_started["status"] in {"running", "done"}
        if worker_started["status"] == "running":
            with pytest.raises(ValidationFailed) as refused:
                forecasts.start_run(actor=SYSTEM, horizon_weeks=4)
            assert "already running" in refused.value.errors["run"].text
    finally:
        for worker in threading.enumerate():
            if worker.name == f"forecast-run-{worker_started['id']}":
                worker.join(timeout=120)
    assert forecasts.progress(actor=SYSTEM, run_id=worker_started["id"])["status"] == "done"
    live = runs.create_run(SYSTEM, 4)  # a live run, beating: always refused
    with pytest.raises(ValidationFailed):
        forecasts.start_run(actor=SYSTEM, horizon_weeks=4, wait=True)
    assert forecasts.latest(actor=SYSTEM)["running"]["id"] == live


def test_the_weekly_job_runs_when_the_forecast_in_force_is_a_week_old(store, history):
    first = runs.run_if_due(SYSTEM)
    assert first is not None and first["status"] == "done"
    assert runs.run_if_due(SYSTEM) is None  # fresh: nothing due
    with db.writing(SYSTEM) as session:  # a week later
        session.execute(
            update(ForecastRun).where(ForecastRun.id == first["id"]).values(finished_at=utcnow() - timedelta(days=8))
        )
        session.commit()
    again = runs.run_if_due(SYSTEM)
    assert again is not None and again["id"] != first["id"] and again["status"] == "done"
    live = runs.create_run(SYSTEM, 4)  # one running: the job leaves it alone
    assert runs.run_if_due(SYSTEM, every=timedelta(0)) is None
    assert runs.live_run()["id"] == live
