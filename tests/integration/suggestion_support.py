"""Forecast runs written by hand, as the forecasting engine leaves them (plain inserts into
forecast_runs, forecast_series and forecast_points), for the purchase suggestion tests and examples."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from core import db
from core.actor import SYSTEM
from core.clock import today, utcnow
from core.models import ForecastPoint, ForecastRun, ForecastSeries
from core.suggestions import week_of

Z80 = 1.2815515655446004  # an 80% two-sided interval is the mean ± 1.28155 sigma

Point = tuple[float, float | None, float | None]  # mean, low, high


def weekly(mean: float, sigma: float | None = None) -> Point:
    """A week's forecast whose 80% interval is mean ± 1.28155 sigma (no interval without sigma)."""
    if sigma is None:
        return (mean, None, None)
    return (mean, mean - Z80 * sigma, mean + Z80 * sigma)


def last_sunday() -> date:
    """The as_of of a run made this week: its first forecast week is the current one."""
    return week_of(today()) - timedelta(days=1)


def _insert(session: Any, table: Any, **values: Any) -> int:
    return int(session.execute(insert(table).values(**values).returning(table.id)).scalar_one())


def seed_run(
    consumption: dict[int, list[Point]],
    *,
    as_of: date | None = None,
    status: str = "done",
    level: int = 80,
    demand_series: int = 0,
) -> int:
    """A forecast run with a consumption series per item (week 1 = the Monday after `as_of`), and
    optionally some points of a 'demand' series that suggestions must not read. Returns its id."""
    as_of = as_of or last_sunday()
    now = utcnow()
    horizon = max((len(points) for points in consumption.values()), default=0)
    with db.writing(SYSTEM) as session:
        run_id = _insert(
            session,
            ForecastRun,
            status=status,
            started_at=now,
            finished_at=now if status == "done" else None,
            heartbeat_at=now,
            as_of=as_of,
            horizon_weeks=horizon,
            series_total=len(consumption) + (1 if demand_series else 0),
            series_done=len(consumption),
            models=["Naive", "AutoETS"],
            accuracy={"AutoETS": {"wape": 0.2, "mase": 0.9}},
            seconds=1.5,
        )
        for item_id, points in consumption.items():
            series_id = _insert(
                session,
                ForecastSeries,
                run_id=run_id,
                kind="consumption",
                item_id=item_id,
                history_weeks=52,
                model="AutoETS",
                accuracy={"AutoETS": {"wape": 0.2, "mase": 0.9}},
            )
            for index, (value, low, high) in enumerate(points):
                week = as_of + timedelta(days=1 + 7 * index)
                interval = level if low is not None else None
                _insert(
                    session,
                    ForecastPoint,
                    series_id=series_id,
                    week=week,
                    value=value,
                    low=low,
                    high=high,
                    level=interval,
                )
        if demand_series:
            series_id = _insert(
                session, ForecastSeries, run_id=run_id, kind="demand", history_weeks=52, model="Naive", accuracy=None
            )
            for index in range(demand_series):
                _insert(
                    session, ForecastPoint, series_id=series_id, week=as_of + timedelta(days=1 + 7 * index), value=9e9
                )
        session.commit()
    return run_id


def steady_run(item_id: int, per_week: float = 40.0, sigma: float = 10.0, weeks: int = 8) -> int:
    """A finished run forecasting the same consumption of one item every week."""
    return seed_run({item_id: [weekly(per_week, sigma)] * weeks})
