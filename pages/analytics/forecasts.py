"""Demand forecasts: weekly jobs per service and area and weekly use per stock item, each by the
model that won its backtest, always beside the seasonal-naive baseline. A run works in the
background (one at a time) and this page follows its progress; until it is done the previous run
stays in force. Choosing a series draws its history, forecast and prediction interval
(core.services.forecasts; the rules in core.forecasting)."""

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import formatting
from core.permissions import allowed
from core.services import forecasts
from ui.context import current_actor, language, md, t
from ui.downloads import download_table
from ui.feedback import attempt, flash, show_flash

KEY = "forecasts"
actor = current_actor()
state = st.session_state
KINDS = {"demand": t("Jobs per service and area"), "consumption": t("Use per stock item")}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{formatting.number(round(value * 100, 1))} %"


def ratio(value: float | None) -> str:
    return "—" if value is None else formatting.number(round(value, 2))


def baseline(row: dict[str, Any]) -> dict[str, Any]:
    """The series' baseline: seasonal naive, or naive when the history is shorter than a season."""
    return row["accuracy"].get("SeasonalNaive") or row["accuracy"].get("Naive") or {}


def label(row: dict[str, Any]) -> str:
    if row["kind"] == "demand":
        return f"{row['service'].get(language())} · {row['area'].get(language())}"
    return f"{row['sku']} · {row['item'].get(language())}"


@st.fragment(run_every=2)
def follow(run_id: int) -> None:
    """The running run's progress bar, refreshed every two seconds until it ends."""
    run = forecasts.progress(actor=actor, run_id=run_id)
    if run["status"] == "running":
        st.progress(
            run["percent"] / 100,
            text=t("Forecasting: {done} of {total} series…", done=run["series_done"], total=run["series_total"]),
        )
        return
    flash(KEY, md(run["message"]) if run["message"] else t("The forecast run ended."))
    st.rerun(scope="app")


def start() -> None:
    attempt(lambda: forecasts.start_run(actor=actor, horizon_weeks=int(state.get(f"{KEY}.horizon", 12))))


def accuracy_table(accuracy: dict[str, Any]) -> pd.DataFrame:
    names = {"chosen": t("Chosen per series"), "baseline": t("Seasonal naive (baseline)")}
    order = ["chosen", "baseline", *sorted(set(accuracy) - {"chosen", "baseline"})]
    return pd.DataFrame(
        [
            {
                t("Model"): names.get(model, model),
                t("WAPE"): percent(accuracy[model].get("wape")),
                t("MASE"): ratio(accuracy[model].get("mase")),
                t("Series"): accuracy[model].get("series", ""),
            }
            for model in order
            if model in accuracy
        ],
        dtype=object,
    )


def chart(detail: dict[str, Any]) -> go.Figure:
    history, ahead = detail["history"], detail["forecast"]
    figure = go.Figure()
    figure.add_scatter(x=[p["week"] for p in history], y=[p["value"] for p in history], name=t("History"))
    if ahead and ahead[0]["low"] is not None:
        weeks = [p["week"] for p in ahead]
        figure.add_scatter(x=weeks, y=[p["high"] for p in ahead], line={"width": 0}, showlegend=False)
        figure.add_scatter(
            x=weeks,
            y=[p["low"] for p in ahead],
            fill="tonexty",
            line={"width": 0},
            name=t("{level} % interval", level=ahead[0]["level"]),
        )
    figure.add_scatter(
        x=[p["week"] for p in ahead], y=[p["value"] for p in ahead], name=t("Forecast"), line={"dash": "dash"}
    )
    figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=360, legend={"orientation": "h"})
    return figure


st.title(t("Forecasts"))
show_flash(KEY)
found = forecasts.latest(actor=actor)
running = found["running"]
if running is not None:
    follow(running["id"])
elif allowed(actor.roles, "forecasts", "create"):
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    left.number_input(t("Weeks ahead"), min_value=1, max_value=52, value=12, key=f"{KEY}.horizon")
    right.button(t("Run the forecasts now"), key=f"{KEY}.start", on_click=start)
last = found["last"]
if last is not None and last["status"] in {"failed", "interrupted"} and running is None:
    st.warning(md(last["message"]) if last["message"] else t("The last forecast run did not finish."))

run = found["run"]
if run is None:
    st.info(t("No forecast has been made yet."))
    st.stop()
st.caption(
    t(
        "In force: run {id}, history up to {day}, {weeks} weeks ahead, {count} series in {seconds} s.",
        id=run["id"],
        day=f"{run['as_of']:%Y-%m-%d}",
        weeks=run["horizon_weeks"],
        count=sum(found["series"].values()),
        seconds=formatting.number(round(run["seconds"] or 0, 1)),
    )
)
st.subheader(t("Backtest accuracy"))
st.caption(
    t(
        "Rolling-origin backtest over the last weeks of history. WAPE: absolute errors over actual demand "
        "(lower is better). MASE: error against the seasonal-naive error in the history (below 1 beats it)."
    )
)
st.dataframe(accuracy_table(found["accuracy"]), hide_index=True, width="stretch")

kind = st.radio(t("Series"), list(KINDS), format_func=KINDS.__getitem__, horizontal=True, key=f"{KEY}.kind")
rows = forecasts.series(actor=actor, kind=kind)
if not rows:
    st.info(t("This run has no series of this kind."))
    st.stop()
table = pd.DataFrame(
    [
        {
            t("Series"): label(row),
            t("Model"): row["model"],
            t("WAPE"): percent(row["wape"]),
            t("MASE"): ratio(row["mase"]),
            t("Baseline WAPE"): percent(baseline(row).get("wape")),
            t("Weeks of history"): row["history_weeks"],
            t("Note"): t(row["note"]) if row["note"] else "",
        }
        for row in rows
    ],
    dtype=object,
)
st.dataframe(table, hide_index=True, width="stretch")
download_table(t("Download CSV"), table, f"forecast-{kind}-{run['as_of']:%Y%m%d}", key=f"{KEY}.download")
labels = {index: label(row) for index, row in enumerate(rows)}
chosen = st.selectbox(t("Chart of"), list(labels), format_func=labels.__getitem__, key=f"{KEY}.series.{kind}")
detail = forecasts.series_detail(actor=actor, series_id=rows[chosen]["id"])
st.plotly_chart(chart(detail), width="stretch", key=f"{KEY}.chart")
