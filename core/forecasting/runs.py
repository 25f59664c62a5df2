"""Forecast runs: one at a time per database, in a background thread, stored whole or not at all.

A run row is created as 'running' (refused while another live run exists), then a daemon thread
builds the series from the analytics snapshot (its own cursor), backtests and forecasts them
(core.forecasting.engine), and writes `series_done` and `heartbeat_at` every few seconds. At the
end the series and their points are written in bulk in ONE transaction that also flips the run to
'done', so a page never sees half a run: pages read the newest 'done' run. A run that fails is
marked 'failed'; one whose heartbeat is older than STALE_AFTER (the process died, the server was
restarted) is marked 'interrupted' by whoever asks next. Either way the previous run stays in force.

Notes and messages are kept as JSON of a Message (English text and its parameters), so the page
shows them in the reader's language.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update

from core import db
from core.actor import Actor
from core.analytics import snapshot
from core.clock import today, utcnow
from core.errors import NotFound, ValidationFailed
from core.forecasting import engine, series
from core.i18n import Message, msg
from core.models import ForecastPoint, ForecastRun, ForecastSeries

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(days=7)  # the scheduler runs the forecasts again when the one in force is this old
STALE_AFTER = timedelta(minutes=5)  # a running run that has not beaten for this long was interrupted
BEAT_EVERY = 2.0  # seconds between progress writes
MAX_HORIZON = 52
LOCK_KEY = 7_100_517  # PostgreSQL advisory lock: one run starts at a time


class Stopped(Exception):
    """The run was marked interrupted (or failed) while it worked: its results are dropped."""


def stored(message: Message | None) -> str | None:
    """A Message as JSON for a text column."""
    if message is None:
        return None
    return json.dumps({"text": message.text, "params": message.params}, ensure_ascii=False, default=str)


def restored(value: str | None) -> Message | None:
    """The Message a text column keeps (see `stored`)."""
    if not value:
        return None
    found = json.loads(value)
    return Message(found["text"], found.get("params") or {})


def as_dict(run: ForecastRun) -> dict[str, Any]:
    """A run as the pages read it (message as a Message; percent done)."""
    return {
        "id": run.id,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "heartbeat_at": run.heartbeat_at,
        "started_by_id": run.started_by_id,
        "as_of": run.as_of,
        "horizon_weeks": run.horizon_weeks,
        "series_total": run.series_total,
        "series_done": run.series_done,
        "percent": round(100 * run.series_done / run.series_total) if run.series_total else 0,
        "models": list(run.models or []),
        "accuracy": dict(run.accuracy or {}),
        "seconds": run.seconds,
        "message": restored(run.message),
    }


def mark_interrupted() -> int:
    """Mark every running run whose heartbeat is older than STALE_AFTER as interrupted; how many."""
    now = utcnow()
    stale = (ForecastRun.status == "running", ForecastRun.heartbeat_at < now - STALE_AFTER)
    with db.reading() as session:  # a read first: pages ask often, and a write would take the lock
        if session.scalars(select(ForecastRun.id).where(*stale).limit(1)).first() is None:
            return 0
    message = msg("Interrupted: the run stopped reporting progress. The previous forecast stays in force.")
    with db.writing(None) as session:
        result = session.execute(
            update(ForecastRun).where(*stale).values(status="interrupted", finished_at=now, message=stored(message))
        )
        session.commit()
        return int(result.rowcount or 0)


def create_run(actor: Actor, horizon_weeks: int = 12, *, as_of: date | None = None) -> int:
    """The run row, 'running'; refused while another run is live."""
    if not isinstance(horizon_weeks, int) or not 1 <= horizon_weeks <= MAX_HORIZON:
        raise ValidationFailed({"horizon_weeks": msg("Forecast between 1 and {most} weeks ahead.", most=MAX_HORIZON)})
    mark_interrupted()
    now = utcnow()
    with db.writing(actor) as session:
        if session.get_bind().dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises this
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        live = session.scalars(select(ForecastRun).where(ForecastRun.status == "running")).first()
        if live is not None:
            raise ValidationFailed(
                {
                    "run": msg(
                        "A forecast is already running ({done} of {total} series done); "
                        "wait for it to finish before starting another.",
                        done=live.series_done,
                        total=live.series_total,
                    )
                }
            )
        run = ForecastRun(
            status="running",
            started_at=now,
            heartbeat_at=now,
            started_by_id=actor.user_id,
            as_of=as_of or series.as_of_for(today()),
            horizon_weeks=horizon_weeks,
            series_total=0,
            series_done=0,
        )
        session.add(run)
        session.commit()
        return run.id


def _beat(run_id: int, **values: Any) -> None:
    """Write progress and the heartbeat; Stopped when the run is no longer running."""
    with db.writing(None) as session:
        result = session.execute(
            update(ForecastRun)
            .where(ForecastRun.id == run_id, ForecastRun.status == "running")
            .values(heartbeat_at=utcnow(), **values)
        )
        session.commit()
    if not result.rowcount:
        raise Stopped(run_id)


def _finish(run_id: int, status: str, message: Message, **values: Any) -> None:
    with db.writing(None) as session:
        session.execute(
            update(ForecastRun)
            .where(ForecastRun.id == run_id, ForecastRun.status == "running")
            .values(status=status, finished_at=utcnow(), message=stored(message), **values)
        )
        session.commit()


def _store(run_id: int, found: list[series.WeeklySeries], outcomes: list[engine.Outcome], **values: Any) -> bool:
    """The series and points, and the flip to 'done', in one transaction; False when the run was
    stopped meanwhile (nothing is written then)."""
    by_uid = {item.uid: item for item in found}
    with db.writing(None) as session:
        flipped = session.execute(
            update(ForecastRun)
            .where(ForecastRun.id == run_id, ForecastRun.status == "running")
            .values(status="done", finished_at=utcnow(), heartbeat_at=utcnow(), **values)
        )
        if not flipped.rowcount:
            return False
        rows = [
            {
                "run_id": run_id,
                "kind": by_uid[o.uid].kind,
                "service_id": by_uid[o.uid].service_id,
                "area_id": by_uid[o.uid].area_id,
                "item_id": by_uid[o.uid].item_id,
                "history_weeks": len(by_uid[o.uid].values),
                "model": o.model,
                "accuracy": o.accuracy or None,
                "note": stored(o.note),
            }
            for o in outcomes
        ]
        ids = (
            list(
                session.scalars(insert(ForecastSeries).returning(ForecastSeries.id, sort_by_parameter_order=True), rows)
            )
            if rows
            else []
        )
        points = []
        for series_id, outcome in zip(ids, outcomes, strict=True):
            first = series.monday(by_uid[outcome.uid].weeks[-1]) + series.WEEK
            for step, (value, low, high) in enumerate(outcome.forecast):
                points.append(
                    {
                        "series_id": series_id,
                        "week": first + series.WEEK * step,
                        "value": value,
                        "low": low,
                        "high": high,
                        "level": engine.LEVEL if low is not None else None,
                    }
                )
        if points:
            session.execute(insert(ForecastPoint), points)
        session.commit()
    return True


def run_forecast(run_id: int, *, n_jobs: int | None = None) -> dict[str, Any]:
    """Do the run `run_id` (created 'running' by create_run) here and now; returns it as stored."""
    began = time.perf_counter()
    try:
        with db.reading() as session:
            run = session.get(ForecastRun, run_id)
            if run is None:
                raise NotFound(msg("There is no forecast run {id}.", id=run_id))
            as_of, horizon = run.as_of, run.horizon_weeks
        with snapshot.reader() as con:
            found, unused = series.build(con, as_of)
        if not found:
            _finish(
                run_id, "failed", msg("Nothing to forecast: no order or consumption history before {day}.", day=as_of)
            )
            return run_progress(run_id)
        _beat(run_id, series_total=len(found))
        last = [time.monotonic()]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= BEAT_EVERY or done == len(found):
                _beat(run_id, series_done=done)
                last[0] = time.monotonic()

        outcomes = engine.run([(item.uid, item.values) for item in found], horizon, n_jobs=n_jobs, progress=progress)
        models = sorted({name for o in outcomes for name in o.plan.models})
        message = msg(
            "{series} series forecast; {unused} items never consumed were skipped.", series=len(found), unused=unused
        )
        _store(
            run_id,
            found,
            outcomes,
            series_total=len(found),
            series_done=len(found),
            models=models,
            accuracy=engine.overall(outcomes),
            seconds=round(time.perf_counter() - began, 2),
            message=stored(message),
        )
    except Stopped:
        log.info("forecast run %s was stopped before it finished", run_id)
    except NotFound:
        raise
    except Exception as error:  # a failed run must say so, never stay 'running'
        log.exception("forecast run %s failed", run_id)
        _finish(
            run_id,
            "failed",
            msg("The forecast failed ({error}); the previous forecast stays in force.", error=str(error)[:200]),
            seconds=round(time.perf_counter() - began, 2),
        )
    return run_progress(run_id)


def start_run(
    actor: Actor, horizon_weeks: int = 12, *, wait: bool = False, n_jobs: int | None = None
) -> dict[str, Any]:
    """Create a run and do it in a daemon thread (or here, with `wait`); returns the run as it stands."""
    run_id = create_run(actor, horizon_weeks)
    if wait:
        return run_forecast(run_id, n_jobs=n_jobs)
    worker = threading.Thread(
        target=run_forecast, args=(run_id,), kwargs={"n_jobs": n_jobs}, name=f"forecast-run-{run_id}", daemon=True
    )
    worker.start()
    return run_progress(run_id)


def run_if_due(actor: Actor, *, every: timedelta = REFRESH_EVERY) -> dict[str, Any] | None:
    """The scheduler's weekly forecast: a run, done here, when none is running and the run in force
    is older than `every` (or there is none yet); None when nothing was due."""
    if live_run() is not None:
        return None
    current = latest_run()
    if current is not None and current["finished_at"] is not None and utcnow() - current["finished_at"] < every:
        return None
    return start_run(actor, wait=True)


def run_progress(run_id: int) -> dict[str, Any]:
    """One run as it stands (stale runs are marked interrupted first)."""
    mark_interrupted()
    with db.reading() as session:
        run = session.get(ForecastRun, run_id)
        if run is None:
            raise NotFound(msg("There is no forecast run {id}.", id=run_id))
        return as_dict(run)


def latest_run() -> dict[str, Any] | None:
    """The run in force: the newest one that is done; None before the first."""
    mark_interrupted()
    with db.reading() as session:
        run = session.scalars(
            select(ForecastRun)
            .where(ForecastRun.status == "done")
            .order_by(ForecastRun.finished_at.desc(), ForecastRun.id.desc())
            .limit(1)
        ).first()
        return as_dict(run) if run is not None else None


def live_run() -> dict[str, Any] | None:
    """The run in progress, if any."""
    mark_interrupted()
    with db.reading() as session:
        run = session.scalars(select(ForecastRun).where(ForecastRun.status == "running").limit(1)).first()
        return as_dict(run) if run is not None else None


def newest_run() -> dict[str, Any] | None:
    """The newest run whatever its status (to say that the last one failed or was interrupted)."""
    mark_interrupted()
    with db.reading() as session:
        run = session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(1)).first()
        return as_dict(run) if run is not None else None
