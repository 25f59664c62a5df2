"""Forecasting weekly series with statsforecast: a model set suited to each series, a rolling-origin
backtest against the seasonal-naive baseline, the best model per series, its forecast.

Model sets (season = 52 weeks):
- intermittent series (ADI, the average interval between weeks with something, above 1.32):
  Croston (optimised), ADIDA, IMAPA, TSB, the 8-week moving average and the mean of all weeks;
- smooth series whose first backtest window trains on two seasons or more ("seasonal"):
  exponential smoothing without season (SES), Theta with a yearly season, MSTL (a yearly season
  taken out by STL, the rest by SES), the 8-week moving average and the mean of all weeks;
- smooth series with less history ("short"): the same without MSTL.
Theta deseasonalises only when its test of the lag-52 autocorrelation is significant, which three
years of weekly data rarely pass, so MSTL is the model that always carries the yearly season.
Why not AutoETS: statsforecast's ETS skips seasons longer than 24, so with 52 it is ETS without
season; in its place SES: on the 1M-order benchmark database AutoETS(ZZN) in the set lowered the
chosen forecasts' backtest WAPE only from 0.1302 to 0.1289, and its backtest of the 158 series took
31 s against SES's 0.1 s — the 60-second budget for 500 series on two shared cores decided.
The baseline is seasonal naive (the value of the same week a year before) when the first backtest
window trains on at least a season; for a series shorter than that it is naive (last week's value),
and the series' note says so. A series too short for one backtest window (fewer than MIN_TRAIN +
STEP weeks) gets the mean of its weeks, not backtested, with a note.

Backtest: up to WINDOWS windows of STEP weeks (each forecast STEP weeks ahead from its origin, the
origins STEP weeks apart, refitted each time), as many as the history allows. Per series and model:
- WAPE = sum |error| / sum |actual| over all windows (None when every actual is zero);
- MASE = mean |error| / scale, the scale being the in-sample MAE of seasonal naive (52 weeks) on the
  history before the first origin, or of naive (lag 1) when that history is shorter than two
  seasons (None when the scale is zero).
The chosen model has the lowest WAPE (MASE, then the mean absolute error, where WAPE is None), and
must beat the baseline strictly: otherwise the baseline is used. Overall, per model, WAPE is pooled
(all errors over all actuals of the series it ran on) and MASE is the mean over those series;
"chosen" and "baseline" are the same over every backtested series, with its chosen model and its
baseline. Forecasts and their intervals are clipped at zero (jobs and quantities are never negative).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from statsforecast import StatsForecast
from statsforecast.models import (
    ADIDA,
    IMAPA,
    MSTL,
    TSB,
    CrostonOptimized,
    HistoricAverage,
    Naive,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
    Theta,
    WindowAverage,
)
from statsforecast.utils import ConformalIntervals

from core.i18n import Message, msg

SEASON = 52
STEP = 8  # weeks per backtest window
WINDOWS = 3
MIN_TRAIN = 8  # weeks before the first origin, at the least
ADI_CUT = 1.32  # Syntetos–Boylan: above it, demand is intermittent
LEVEL = 80  # percent, of the prediction intervals
CHUNK = 100  # series per statsforecast call (progress is reported between chunks)
# Worker processes per statsforecast call. Measured on this 2-core machine shared with other work
# (benchmarks/forecasts.py, 520 series of the 1M-order database, two sessions): 15.2 s and 23.4 s
# with 1, 38.6 s and 27.8 s with 2 — forking costs more than a busy second core gives back, and one
# process never forks the server's process.
DEFAULT_JOBS = 1
BASELINE, SHORT_BASELINE, MEAN = "SeasonalNaive", "Naive", "HistoricAverage"

Intervals = ConformalIntervals | None
# Each model by name, made with conformal intervals when given (for models without native ones).
MODELS: dict[str, Callable[[Intervals], Any]] = {
    "SeasonalNaive": lambda pi: SeasonalNaive(season_length=SEASON),
    "Naive": lambda pi: Naive(),
    "HistoricAverage": lambda pi: HistoricAverage(),
    "WindowAverage": lambda pi: WindowAverage(window_size=8, prediction_intervals=pi),
    "SES": lambda pi: SimpleExponentialSmoothingOptimized(alias="SES", prediction_intervals=pi),
    "Theta": lambda pi: Theta(season_length=SEASON),
    "MSTL": lambda pi: MSTL(
        season_length=SEASON, trend_forecaster=SimpleExponentialSmoothingOptimized(prediction_intervals=pi)
    ),
    "CrostonOptimized": lambda pi: CrostonOptimized(prediction_intervals=pi),
    "ADIDA": lambda pi: ADIDA(prediction_intervals=pi),
    "IMAPA": lambda pi: IMAPA(prediction_intervals=pi),
    "TSB": lambda pi: TSB(alpha_d=0.1, alpha_p=0.1, prediction_intervals=pi),
}
NATIVE_INTERVALS = {"SeasonalNaive", "Naive", "HistoricAverage", "Theta"}  # others: conformal
SETS: dict[str, tuple[str, ...]] = {
    "intermittent": ("CrostonOptimized", "ADIDA", "IMAPA", "TSB", "WindowAverage", "HistoricAverage"),
    "seasonal": ("SES", "Theta", "MSTL", "WindowAverage", "HistoricAverage"),
    "short": ("SES", "Theta", "WindowAverage", "HistoricAverage"),
}


@dataclass(frozen=True)
class Plan:
    """How one series is handled: its model set, baseline and number of backtest windows."""

    family: str  # intermittent, seasonal, short, mean (too short to backtest)
    baseline: str
    windows: int

    @property
    def models(self) -> tuple[str, ...]:
        if self.family == "mean":
            return (MEAN,)
        return (self.baseline, *(m for m in SETS[self.family] if m != self.baseline))


@dataclass
class Outcome:
    """What the engine made of one series."""

    uid: str
    plan: Plan
    note: Message | None
    model: str
    accuracy: dict[str, dict[str, float | None]]  # model -> {wape, mase}
    forecast: list[tuple[float, float | None, float | None]] = field(default_factory=list)  # (value, low, high)
    # model -> (sum |error|, sum |actual|, MASE) over the backtest windows
    errors: dict[str, tuple[float, float, float | None]] = field(default_factory=dict)


def adi(values: np.ndarray) -> float:
    """Average demand interval: weeks per week with something in it (inf when there is none)."""
    busy = int(np.count_nonzero(values))
    return len(values) / busy if busy else float("inf")


def plan(values: np.ndarray) -> tuple[Plan, Message | None]:
    """The model set, baseline and backtest windows for a series of this history, and the note that
    says why, when it is not the full set."""
    weeks = len(values)
    if weeks >= SEASON + STEP:
        windows, baseline = min(WINDOWS, (weeks - SEASON) // STEP), BASELINE
    else:
        windows, baseline = min(WINDOWS, max(0, (weeks - MIN_TRAIN) // STEP)), SHORT_BASELINE
    if windows == 0:
        note = msg("Only {weeks} weeks of history: too few to backtest, so the forecast is their mean.", weeks=weeks)
        return Plan("mean", MEAN, 0), note
    interval = adi(values)
    short = msg(
        "{weeks} weeks of history, less than a season (52): only models that need no full season, "
        "against naive (last week's value) as the baseline.",
        weeks=weeks,
    )
    if interval > ADI_CUT:
        note = msg(
            "Intermittent: something in one week out of {interval} on average, so models for intermittent demand.",
            interval=f"{interval:.1f}",
        )
        return Plan("intermittent", baseline, windows), short if baseline == SHORT_BASELINE else note
    if weeks - windows * STEP >= 2 * SEASON:
        return Plan("seasonal", baseline, windows), None
    if baseline == SHORT_BASELINE:
        return Plan("short", baseline, windows), short
    note = msg("{weeks} weeks of history, less than two seasons: models without a yearly season.", weeks=weeks)
    return Plan("short", baseline, windows), note


def wape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    """Sum of absolute errors over the sum of absolute actuals; None when the actuals are all zero."""
    total = float(np.abs(actual).sum())
    return float(np.abs(forecast - actual).sum()) / total if total else None


def mase_scale(history: np.ndarray) -> float | None:
    """The in-sample MAE of seasonal naive (52 weeks) when the history holds two seasons or more,
    else of naive (lag 1); None when it is zero or cannot be computed."""
    lag = SEASON if len(history) >= 2 * SEASON else 1
    if len(history) <= lag:
        return None
    scale = float(np.mean(np.abs(history[lag:] - history[:-lag])))
    return scale or None


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float | None) -> float | None:
    """Mean absolute error over the scale (see mase_scale); None without a scale."""
    if not scale or not len(actual):
        return None
    return float(np.mean(np.abs(forecast - actual))) / scale


def _rank(errors: tuple[float, float, float | None], count: int) -> tuple[float, float]:
    """Lower is better: WAPE (or, where the actuals are all zero, MASE, then the mean error), then MASE."""
    error, actual, scaled = errors
    if actual:
        return (error / actual, scaled if scaled is not None else np.inf)
    if scaled is not None:
        return (scaled, scaled)
    return (error / max(count, 1), np.inf)


def choose(errors: dict[str, tuple[float, float, float | None]], baseline: str, count: int) -> str:
    """The model with the best backtest, if it beats the baseline strictly; else the baseline."""
    best = baseline
    for model, found in errors.items():
        if _rank(found, count) < _rank(errors[best], count):
            best = model
    return best


def _frame(series: Sequence[tuple[str, np.ndarray]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": np.concatenate([np.full(len(v), uid, dtype=object) for uid, v in series]).astype(str),
            "ds": np.concatenate([np.arange(len(v), dtype=np.int64) for _, v in series]),
            "y": np.concatenate([v.astype(np.float64) for _, v in series]),
        }
    )


def _fallback() -> Any:
    """What stands in for a model that fails on a series (statsforecast's fallback): the mean."""
    return HistoricAverage()


def _finite(value: float) -> float | None:
    """An interval bound, or None where the model could not give one (e.g. a single week of history)."""
    return float(value) if np.isfinite(value) else None


def _jobs(n_jobs: int | None, count: int) -> int:
    """Worker processes: one for small calls (starting processes costs more than it saves)."""
    wanted = n_jobs if n_jobs is not None else DEFAULT_JOBS
    return 1 if count < 20 else max(1, wanted)


def backtest(
    series: Sequence[tuple[str, np.ndarray]], the_plan: Plan, n_jobs: int | None
) -> dict[str, dict[str, tuple[float, float, float | None]]]:
    """Rolling-origin backtest of the plan's models: per series, per model (sum |error|, sum |actual|, MASE)."""
    models = [MODELS[name](None) for name in the_plan.models]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = StatsForecast(models=models, freq=1, n_jobs=_jobs(n_jobs, len(series)), fallback_model=_fallback())
        found = forecaster.cross_validation(df=_frame(series), h=STEP, step_size=STEP, n_windows=the_plan.windows)
    histories = dict(series)
    result: dict[str, dict[str, tuple[float, float, float | None]]] = {}
    for (uid,), part in found.sort("unique_id", "cutoff", "ds").group_by(["unique_id"], maintain_order=True):
        values = histories[uid]
        scale = mase_scale(values[: len(values) - the_plan.windows * STEP])
        actual = part["y"].to_numpy()
        result[uid] = {}
        for name in the_plan.models:
            predicted = np.clip(part[name].to_numpy(), 0, None)
            error = float(np.abs(predicted - actual).sum())
            result[uid][name] = (error, float(np.abs(actual).sum()), mase(actual, predicted, scale))
    return result


def forecast(
    series: Sequence[tuple[str, np.ndarray]], model: str, horizon: int
) -> dict[str, list[tuple[float, float | None, float | None]]]:
    """The model's forecast of each series, `horizon` weeks, with its LEVEL% interval where one can be
    had (native, or conformal from the series' last windows: then at least 2 × horizon + 1 weeks)."""
    conformal = model not in NATIVE_INTERVALS
    with_interval = [(uid, v) for uid, v in series if not conformal or len(v) >= 2 * horizon + 1]
    without = [(uid, v) for uid, v in series if conformal and len(v) < 2 * horizon + 1]
    result: dict[str, list[tuple[float, float | None, float | None]]] = {}
    for part, level in ((with_interval, [LEVEL]), (without, None)):
        if not part:
            continue
        intervals = ConformalIntervals(h=horizon, n_windows=3) if conformal and level else None
        instance = MODELS[model](intervals)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecaster = StatsForecast(models=[instance], freq=1, n_jobs=1, fallback_model=_fallback())
            found = forecaster.forecast(df=_frame(part), h=horizon, level=level)
        for (uid,), rows in found.sort("unique_id", "ds").group_by(["unique_id"], maintain_order=True):
            mean = np.clip(rows[model].to_numpy(), 0, None)
            if level:
                low = np.clip(rows[f"{model}-lo-{LEVEL}"].to_numpy(), 0, None)
                high = np.clip(rows[f"{model}-hi-{LEVEL}"].to_numpy(), 0, None)
                result[uid] = [(float(m), _finite(lo), _finite(hi)) for m, lo, hi in zip(mean, low, high, strict=True)]
            else:
                result[uid] = [(float(m), None, None) for m in mean]
    return result


def _accuracy(errors: dict[str, tuple[float, float, float | None]]) -> dict[str, dict[str, float | None]]:
    return {m: {"wape": e / a if a else None, "mase": s} for m, (e, a, s) in errors.items()}


def run(
    series: Iterable[tuple[str, np.ndarray]],
    horizon: int,
    *,
    n_jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Plan, backtest, choose and forecast every series; `progress(done)` is called after each chunk."""
    by_plan: dict[Plan, list[tuple[str, np.ndarray]]] = defaultdict(list)
    notes: dict[str, Message | None] = {}
    for uid, values in series:
        values = np.asarray(values, dtype=np.float64)
        the_plan, notes[uid] = plan(values)
        by_plan[the_plan].append((uid, values))
    outcomes: list[Outcome] = []
    for the_plan, members in by_plan.items():
        for start in range(0, len(members), CHUNK):
            chunk = members[start : start + CHUNK]
            errors = backtest(chunk, the_plan, n_jobs) if the_plan.windows else {}
            fresh = {}
            for uid, _ in chunk:
                found = errors.get(uid, {})
                model = choose(found, the_plan.baseline, the_plan.windows * STEP) if found else MEAN
                fresh[uid] = Outcome(uid, the_plan, notes[uid], model, _accuracy(found), errors=found)
            chosen = {uid: outcome.model for uid, outcome in fresh.items()}
            for model in sorted(set(chosen.values())):
                made = forecast([(uid, v) for uid, v in chunk if chosen[uid] == model], model, horizon)
                for uid, points in made.items():
                    fresh[uid].forecast = points
            outcomes.extend(fresh.values())
            if progress is not None:
                progress(len(outcomes))
    return outcomes


def overall(outcomes: Iterable[Outcome]) -> dict[str, dict[str, float | int | None]]:
    """Per model, and for "chosen" and "baseline": pooled WAPE, mean MASE, and how many series."""
    pooled: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    scaled: dict[str, list[float]] = defaultdict(list)
    counted: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        if not outcome.errors:
            continue
        picks = {name: name for name in outcome.errors}
        picks |= {"chosen": outcome.model, "baseline": outcome.plan.baseline}
        for key, model in picks.items():
            error, actual, score = outcome.errors[model]
            pooled[key][0] += error
            pooled[key][1] += actual
            counted[key] += 1
            if score is not None:
                scaled[key].append(score)
    return {
        key: {
            "wape": error / actual if actual else None,
            "mase": float(np.mean(scaled[key])) if scaled[key] else None,
            "series": counted[key],
        }
        for key, (error, actual) in sorted(pooled.items())
    }
