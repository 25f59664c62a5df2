"""Forecasts of weekly demand (jobs per service and area) and consumption (per stock item): start a
background run, follow it, and read the run in force with each series' accuracy and points.
The rules are in core.forecasting (engine: models, backtest, metrics; runs: one run at a time)."""

from __future__ import annotations

from typing import Any

from core.actor import Actor
from core.forecasting import results, runs
from core.permissions import service


@service("forecasts", "create")
def start_run(*, actor: Actor, horizon_weeks: int = 12, wait: bool = False) -> dict[str, Any]:
    """Start a forecast run of `horizon_weeks` (1–52) in the background and return it as it stands
    (status 'running'; follow it with `progress`). Refused (ValidationFailed on "run") while another
    run is running. `wait`: do it in this thread and return it finished (tests, command line)."""
    return runs.start_run(actor, horizon_weeks, wait=wait)


@service("forecasts", "view")
def latest(*, actor: Actor) -> dict[str, Any]:
    """The run in force and what is going on: {"run": the newest done run or None, "accuracy":
    {model: {wape, mase, series}} overall incl. "chosen" and "baseline" (seasonal naive), "series":
    {kind: count}, "running": the run in progress or None, "last": the newest run of any status}."""
    run = runs.latest_run()
    return {
        "run": run,
        "accuracy": run["accuracy"] if run else {},
        "series": results.series_count(run["id"]) if run else {},
        "running": runs.live_run(),
        "last": runs.newest_run(),
    }


@service("forecasts", "view")
def progress(*, actor: Actor, run_id: int) -> dict[str, Any]:
    """One run: status, series_done of series_total (percent), message; NotFound if there is none."""
    return runs.run_progress(run_id)


@service("forecasts", "view")
def series(*, actor: Actor, kind: str | None = None) -> list[dict[str, Any]]:
    """The series of the run in force ("demand", "consumption" or both), each with its labels, the
    chosen model, its backtest WAPE / MASE, every model's accuracy and its note."""
    return results.series_list(kind)


@service("forecasts", "view")
def series_detail(*, actor: Actor, series_id: int) -> dict[str, Any]:
    """One series for its chart: the row as in `series`, plus "history" [{week, value}] up to the
    run's as_of and "forecast" [{week, value, low, high, level}]."""
    return results.series_detail(series_id)
