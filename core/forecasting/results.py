"""Reading a stored forecast: the series of the run in force, and one series' points beside its
weekly history (for a chart of history, forecast and prediction interval)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core import db
from core.analytics import snapshot
from core.errors import NotFound, ValidationFailed
from core.forecasting import series as weekly
from core.forecasting.runs import latest_run, restored
from core.i18n import Bilingual, msg
from core.models import ForecastPoint, ForecastRun, ForecastSeries, Item, Service, ServiceArea

KINDS = ("demand", "consumption")


def _labels(session: Any) -> dict[str, dict[int, Any]]:
    """Names of services, areas and items, by id (small tables)."""
    return {
        "service": {s.id: Bilingual(s.name_en, s.name_zh) for s in session.scalars(select(Service))},
        "area": {a.id: Bilingual(a.name_en, a.name_zh) for a in session.scalars(select(ServiceArea))},
        "item": {i.id: (Bilingual(i.name_en, i.name_zh), i.sku, i.unit) for i in session.scalars(select(Item))},
    }


def _row(row: ForecastSeries, labels: dict[str, dict[int, Any]]) -> dict[str, Any]:
    item = labels["item"].get(row.item_id) if row.item_id is not None else None
    chosen = (row.accuracy or {}).get(row.model, {})
    return {
        "id": row.id,
        "run_id": row.run_id,
        "kind": row.kind,
        "service_id": row.service_id,
        "service": labels["service"].get(row.service_id) if row.service_id is not None else None,
        "area_id": row.area_id,
        "area": labels["area"].get(row.area_id) if row.area_id is not None else None,
        "item_id": row.item_id,
        "item": item[0] if item else None,
        "sku": item[1] if item else None,
        "unit": item[2] if item else None,
        "history_weeks": row.history_weeks,
        "model": row.model,
        "wape": chosen.get("wape"),
        "mase": chosen.get("mase"),
        "accuracy": dict(row.accuracy or {}),
        "note": restored(row.note),
    }


def series_count(run_id: int) -> dict[str, int]:
    """How many series of each kind a run has."""
    with db.reading() as session:
        found = session.execute(
            select(ForecastSeries.kind, func.count())
            .where(ForecastSeries.run_id == run_id)
            .group_by(ForecastSeries.kind)
        ).all()
    return {kind: int(count) for kind, count in found}


def series_list(kind: str | None = None) -> list[dict[str, Any]]:
    """The series of the run in force (all, or of one kind), with model, accuracy, note and labels;
    [] before the first run. Demand first, by service and area; then consumption by item."""
    if kind is not None and kind not in KINDS:
        raise ValidationFailed({"kind": msg("Choose demand or consumption.")})
    run = latest_run()
    if run is None:
        return []
    with db.reading() as session:
        query = select(ForecastSeries).where(ForecastSeries.run_id == run["id"])
        if kind is not None:
            query = query.where(ForecastSeries.kind == kind)
        rows = session.scalars(
            query.order_by(
                ForecastSeries.kind.desc(), ForecastSeries.service_id, ForecastSeries.area_id, ForecastSeries.item_id
            )
        ).all()
        labels = _labels(session)
        return [_row(row, labels) for row in rows]


def series_detail(series_id: int) -> dict[str, Any]:
    """One series: its row (as in series_list), the run's as_of and horizon, its weekly history up
    to as_of from the snapshot, and its forecast points with their interval."""
    with db.reading() as session:
        row = session.get(ForecastSeries, series_id)
        if row is None:
            raise NotFound(msg("There is no forecast series {id}.", id=series_id))
        run = session.get(ForecastRun, row.run_id)
        assert run is not None  # a series always belongs to a run (foreign key)
        found = _row(row, _labels(session))
        points = session.scalars(
            select(ForecastPoint).where(ForecastPoint.series_id == series_id).order_by(ForecastPoint.week)
        ).all()
        forecast = [{"week": p.week, "value": p.value, "low": p.low, "high": p.high, "level": p.level} for p in points]
    with snapshot.reader() as con:
        history = weekly.history(
            con, row.kind, run.as_of, service_id=row.service_id, area_id=row.area_id, item_id=row.item_id
        )
    return {**found, "as_of": run.as_of, "horizon_weeks": run.horizon_weeks, "history": history, "forecast": forecast}
