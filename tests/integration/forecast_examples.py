"""The forecast part of the service permission examples: one valid call per service. The run is made
synchronously (`wait`), so no thread outlives the test; on the empty example store it ends 'failed'
(nothing to forecast), which the reading services then read like any other run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.actor import SYSTEM
from core.forecasting import runs


def _run_id(context: Any) -> int:
    return runs.start_run(SYSTEM, 4, wait=True)["id"]


FORECAST_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.forecasts.start_run": lambda c: {"horizon_weeks": 4, "wait": True},
    "core.services.forecasts.latest": lambda c: {},
    "core.services.forecasts.progress": lambda c: {"run_id": _run_id(c)},
    "core.services.forecasts.series": lambda c: {"kind": "demand"},
    "core.services.forecasts.series_detail": lambda c: {"series_id": _series_id(c)},
}


def _series_id(context: Any) -> int:
    """A stored series of a done run (made by hand: the example store has no history to forecast)."""
    from core import db
    from core.clock import today, utcnow
    from core.forecasting.series import as_of_for
    from core.models import ForecastRun, ForecastSeries

    area_id = context.area_id  # made first: it writes in a transaction of its own
    with db.writing(None) as session:
        run = ForecastRun(
            status="done",
            started_at=utcnow(),
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            as_of=as_of_for(today()),
            horizon_weeks=4,
            series_total=1,
            series_done=1,
        )
        session.add(run)
        session.flush()
        row = ForecastSeries(run_id=run.id, kind="demand", area_id=area_id, history_weeks=3, model="HistoricAverage")
        session.add(row)
        session.commit()
        return row.id
