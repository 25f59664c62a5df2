"""How fast and how accurate the forecast engine is on a real database: backtest and forecast of
every series, against the seasonal-naive baseline.

    .venv/bin/python benchmarks/forecasts.py                 # data/bench/opsdesk-1m.db, 520 series
    .venv/bin/python benchmarks/forecasts.py --demo          # data/opsdesk.db (the demo company)
    .venv/bin/python benchmarks/forecasts.py --series 1000 --jobs 1,2

The series are built as a run builds them (core.forecasting.series, from the analytics snapshot;
the snapshot's cold load is timed apart). Both databases hold ~160 series (13 services x 10 areas
of demand, ~30 items of consumption), so to measure at --series (default 520) the benchmark adds
VARIANTS of the real series: each a real series times a factor drawn in [0.5, 2], with Poisson
noise (so it keeps its season and how intermittent it is); accuracy is printed for the real
series alone and for all. The timed part is core.forecasting.engine.run — plan, rolling-origin
backtest of every model, choice, forecast with intervals — exactly what a run does before it
writes its rows; nothing is written to the database.

Then a held-out check of the whole pipeline on the real series: the last --holdout weeks are cut
off, the engine chooses and forecasts from the rest, and the chosen forecasts' WAPE on the weeks
cut off is compared with seasonal naive's (the backtest WAPE of the chosen model is a little
optimistic, since it is also what chose it; this check is not). Results go to
data/bench/forecasts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db  # noqa: E402
from core.analytics import snapshot  # noqa: E402
from core.clock import today  # noqa: E402
from core.forecasting import engine  # noqa: E402
from core.forecasting.series import as_of_for, build  # noqa: E402

BENCH_DB = ROOT / "data" / "bench" / "opsdesk-1m.db"
DEMO_DB = ROOT / "data" / "opsdesk.db"
OUTPUT = ROOT / "data" / "bench" / "forecasts.json"


def real_series(path: Path) -> tuple[list[tuple[str, np.ndarray]], int, dict[str, float]]:
    """The run's series of the database at `path`, the items never consumed, and the seconds spent."""
    db.use_engine(db.make_engine(f"sqlite:///{path}"))
    began = time.perf_counter()
    snapshot.current().refresh()
    loaded = time.perf_counter() - began
    with snapshot.reader() as con:
        found, unused = build(con, as_of_for(today()))
    return (
        [(s.uid, s.values) for s in found],
        unused,
        {"snapshot_load": loaded, "series_sql": time.perf_counter() - began - loaded},
    )


def variants(real: list[tuple[str, np.ndarray]], wanted: int, seed: int = 20261201) -> list[tuple[str, np.ndarray]]:
    """Real series scaled by a factor in [0.5, 2] with Poisson noise, until there are `wanted` in all."""
    rng = np.random.default_rng(seed)
    made = []
    for index in range(max(0, wanted - len(real))):
        uid, values = real[index % len(real)]
        made.append((f"{uid}#v{index}", rng.poisson(values * rng.uniform(0.5, 2.0)).astype(float)))
    return made


def summary(outcomes: list[engine.Outcome]) -> dict[str, Any]:
    accuracy = engine.overall(outcomes)
    return {
        "accuracy": accuracy,
        "chosen_vs_baseline": {key: accuracy.get(key) for key in ("chosen", "baseline")},
        "chosen_models": dict(Counter(o.model for o in outcomes).most_common()),
        "families": dict(Counter(o.plan.family for o in outcomes).most_common()),
    }


def held_out(real: list[tuple[str, np.ndarray]], weeks: int, jobs: int) -> dict[str, Any]:
    """Cut the last `weeks` off, choose and forecast from the rest; pooled WAPE on the weeks cut off."""
    usable = [(uid, v) for uid, v in real if len(v) >= engine.SEASON + engine.STEP + weeks]
    outcomes = engine.run([(uid, v[:-weeks]) for uid, v in usable], weeks, n_jobs=jobs)
    full = dict(usable)
    chosen = naive = actual = 0.0
    for outcome in outcomes:
        truth = full[outcome.uid][-weeks:]
        predicted = np.array([value for value, _, _ in outcome.forecast])
        chosen += float(np.abs(predicted - truth).sum())
        naive += float(np.abs(full[outcome.uid][-weeks - engine.SEASON : -engine.SEASON] - truth).sum())
        actual += float(np.abs(truth).sum())
    return {
        "weeks": weeks,
        "series": len(outcomes),
        "chosen_wape": chosen / actual if actual else None,
        "seasonal_naive_wape": naive / actual if actual else None,
    }


def _show(title: str, found: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  {'model':<18} {'WAPE':>8} {'MASE':>8} {'series':>7}")
    for model, figures in found["accuracy"].items():
        wape = "-" if figures["wape"] is None else f"{figures['wape']:.4f}"
        mase = "-" if figures["mase"] is None else f"{figures['mase']:.4f}"
        print(f"  {model:<18} {wape:>8} {mase:>8} {figures['series']:>7}")
    print(f"  chosen models: {found['chosen_models']}")
    print(f"  families: {found['families']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--demo", action="store_true", help=f"use {DEMO_DB.relative_to(ROOT)} instead of the 1M-order database"
    )
    parser.add_argument("--series", type=int, default=520, help="series to forecast (real ones, then variants)")
    parser.add_argument("--horizon", type=int, default=12, help="weeks ahead")
    parser.add_argument("--jobs", default="2", help="worker processes to time, comma-separated (e.g. 1,2)")
    parser.add_argument("--holdout", type=int, default=12, help="weeks held out for the pipeline check (0: skip)")
    args = parser.parse_args()
    path = DEMO_DB if args.demo else BENCH_DB
    real, unused, building = real_series(path)
    everything = real + variants(real, args.series)
    print(
        f"database {path.relative_to(ROOT)}: {len(real)} real series ({unused} items never consumed), "
        f"{len(everything) - len(real)} variants; snapshot {building['snapshot_load']:.1f}s, "
        f"series SQL {building['series_sql']:.2f}s; cpus {os.cpu_count()}, load {os.getloadavg()}"
    )
    runs: list[dict[str, Any]] = []
    outcomes: list[engine.Outcome] = []
    for jobs in (int(j) for j in args.jobs.split(",")):
        began = time.perf_counter()
        outcomes = engine.run(everything, args.horizon, n_jobs=jobs)
        seconds = time.perf_counter() - began
        runs.append(
            {
                "n_jobs": jobs,
                "series": len(outcomes),
                "seconds": round(seconds, 2),
                "load_average_after": os.getloadavg(),
            }
        )
        print(
            f"n_jobs={jobs}: {len(outcomes)} series backtested and forecast in {seconds:.1f}s "
            f"({1000 * seconds / len(outcomes):.0f} ms a series)"
        )
    real_ids = {uid for uid, _ in real}
    on_real = summary([o for o in outcomes if o.uid in real_ids])
    on_all = summary(outcomes)
    _show(
        f"accuracy on the {len(real)} real series (backtest: {engine.WINDOWS} windows of {engine.STEP} weeks)", on_real
    )
    _show(f"accuracy on all {len(outcomes)} series", on_all)
    check = held_out(real, args.holdout, int(args.jobs.split(",")[-1])) if args.holdout else None
    if check:
        print(
            f"\nheld out {check['weeks']} weeks on {check['series']} real series: chosen WAPE "
            f"{check['chosen_wape']:.4f} vs seasonal naive {check['seasonal_naive_wape']:.4f}"
        )
    result = {
        "database": str(path.relative_to(ROOT)),
        "real_series": len(real),
        "variants": len(everything) - len(real),
        "items_never_consumed": unused,
        "horizon_weeks": args.horizon,
        "backtest": {"windows": engine.WINDOWS, "step_weeks": engine.STEP},
        "building_seconds": {k: round(v, 2) for k, v in building.items()},
        "runs": runs,
        "real": on_real,
        "all": on_all,
        "held_out": check,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"\nwritten to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
