"""The managers' dashboard: filters kept in the address (a view is shared as a link), Plotly
charts of the orders, and the rows behind a selected bar or point, paged and downloadable.
Every figure comes from core (core.analytics.dashboard); the page only draws."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.analytics.dashboard import DOWNLOAD_LIMIT, LISTS, Drill, Filters, link
from core.entities.csv_io import safe_cell
from core.errors import OpsdeskError, ValidationFailed
from core.order_status import STATUSES
from core.services import dashboards
from ui.context import current_actor, language, md, t
from ui.downloads import download
from ui.order_form import CHANNEL_LABELS
from ui.tables import first_page, paged_frame

KEY = "dash"
NAMES = ("from", "to", "area", "service", "channel", "tech", "grain", "drill")
actor = current_actor()


def url_params() -> dict[str, list[str]]:
    return {name: [str(v) for v in st.query_params.get_all(name)] for name in NAMES}


def as_lists(params: dict[str, Any]) -> dict[str, list[str]]:
    lists = {name: params.get(name, []) for name in NAMES}
    return {name: list(value) if isinstance(value, list) else [value] for name, value in lists.items()}


def label_of(name: str, value: Any) -> str:
    if name == "channel":
        return t(CHANNEL_LABELS[value]) if value in CHANNEL_LABELS else str(value)
    found = next((o for o in options[name] if o["id"] == value), None)
    return found[language()] if found else str(value)


def picked(chart: str) -> None:
    """A bar or point was selected: its drill goes into the address, the rows start on page 1."""
    state = st.session_state.get(chart)
    points = state.selection.points if state and state.selection else []
    drills = st.session_state.get(f"{chart}.drills", [])
    if not points:
        return
    index = points[0].get("point_index", points[0].get("point_number"))
    if isinstance(index, int) and 0 <= index < len(drills):
        st.query_params["drill"] = drills[index]
        first_page(f"{KEY}.rows")


def chart(name: str, title: str, figure: go.Figure, drills: list[str], where: Any) -> None:
    key = f"{KEY}.chart.{name}"
    st.session_state[f"{key}.drills"] = drills
    figure.update_layout(
        title=title, height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False, clickmode="event+select"
    )
    with where:
        st.plotly_chart(
            figure,
            key=key,
            on_select=partial(picked, key),
            selection_mode="points",
            config={"displayModeBar": False},
        )


def bars(rows: list[dict[str, Any]], labels: list[str], value: str, kind: str, text: str | None = None) -> go.Figure:
    return go.Figure(
        go.Bar(
            x=labels,
            y=[float(r[value] or 0) for r in rows],
            customdata=[f"{kind}:{r['key']}" for r in rows],
            hovertext=text and [str(r[text]) for r in rows],
        )
    )


def draw(found: dict[str, Any], grain: str) -> None:
    left, right = st.columns(2)
    buckets = [r["bucket"].isoformat() for r in found["over_time"]]
    over_time = go.Figure(go.Bar(x=buckets, y=[float(r["revenue"]) for r in found["over_time"]], name=t("Revenue")))
    over_time.add_trace(
        go.Scatter(x=buckets, y=[r["orders"] for r in found["over_time"]], name=t("Orders"), yaxis="y2")
    )
    over_time.update_layout(yaxis2={"overlaying": "y", "side": "right"})
    chart("time", t("Revenue (bars) and orders (line)"), over_time, [f"{grain}:{b}" for b in buckets], left)

    started = found["on_time"]
    rate = go.Figure(
        go.Scatter(
            x=[r["bucket"].isoformat() for r in started],
            y=[None if r["rate"] is None else round(100 * r["rate"], 1) for r in started],
            mode="lines+markers",
        )
    )
    rate.update_layout(yaxis={"range": [0, 100], "ticksuffix": "%"})
    chart("on_time", t("On-time rate"), rate, [f"started_{grain}:{r['bucket'].isoformat()}" for r in started], right)

    for name, title, where in (
        ("area", t("Revenue by area"), left),
        ("service", t("Revenue by service"), right),
        ("channel", t("Revenue by channel"), left),
    ):
        rows = found[name]
        labels = [label_of(name, r["key"]) if name != "area" else r[f"name_{language()}"] for r in rows]
        if name == "service":
            labels = [r["code"] for r in rows]
        chart(name, title, bars(rows, labels, "revenue", name, "orders"), [f"{name}:{r['key']}" for r in rows], where)

    steps = found["funnel"]
    funnel = go.Figure(go.Funnel(y=[t(STATUSES[r["status"]]) for r in steps], x=[r["orders"] for r in steps]))
    chart("funnel", t("Order status funnel"), funnel, [f"status:{r['status']}" for r in steps], right)

    stars = found["ratings"]
    rating = go.Figure(go.Bar(x=[f"{r['rating']}★" for r in stars], y=[r["orders"] for r in stars]))
    chart("ratings", t("Ratings"), rating, [f"rating:{r['rating']}" for r in stars], left)

    people = found["utilisation"]
    use = go.Figure(
        go.Bar(
            x=[r["name"] for r in people],
            y=[None if r["utilisation"] is None else round(100 * r["utilisation"], 1) for r in people],
        )
    )
    use.update_layout(yaxis={"ticksuffix": "%"})
    chart("utilisation", t("Technician utilisation"), use, [f"technician:{r['key']}" for r in people], right)

    items = found["stock"]
    stock = go.Figure(go.Bar(x=[r["sku"] for r in items], y=[float(r["cost"]) for r in items]))
    chart("stock", t("Stock consumption (cost)"), stock, [f"item:{r['key']}" for r in items], left)


def describe(drill: Drill) -> str:
    kind = drill.kind.removeprefix("started_")
    if kind in ("day", "week", "month"):
        day = drill.value if kind != "month" else drill.value[:7]
        period = {
            "day": t("on {day}", day=day),
            "week": t("in the week from {day}", day=day),
            "month": t("in {day}", day=day),
        }
        if drill.kind != kind:
            return t("Jobs started, requested {when}", when=period[kind])
        return t("Orders requested {when}", when=period[kind])
    if kind == "status":
        status = t(STATUSES[drill.value]) if drill.value in STATUSES else drill.value
        return t("Orders that reached {status}", status=status)
    if kind == "rating":
        return t("Orders rated {rating}", rating=drill.value)
    if kind == "item":
        return t("Stock movements of item {item}", item=drill.value)
    names = {"area": t("Area"), "service": t("Service"), "channel": t("Channel"), "technician": t("Technician")}
    lookup = "tech" if kind == "technician" else kind
    value = drill.value if kind == "channel" else int(drill.value)
    return f"{names[kind]}: {label_of(lookup, value)}"


def order_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("Number"): [r["number"] for r in rows],
            t("Requested"): [r["requested_date"].isoformat() for r in rows],
            t("Window"): [f"{r['window_start']:%H:%M}–{r['window_end']:%H:%M}" for r in rows],
            t("Status"): [t(STATUSES[r["status"]]) if r["status"] in STATUSES else r["status"] for r in rows],
            t("Channel"): [label_of("channel", r["channel"]) for r in rows],
            t("Area"): [r[f"area_{language()}"] for r in rows],
            t("Technician"): [r["technician"] or "" for r in rows],
            t("Started"): [_when(r["started_at"]) for r in rows],
            t("Total"): [r["total"] for r in rows],
            t("Rating"): [r["rating"] for r in rows],
        },
        dtype=object,
    )


def movement_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("When"): [_when(r["at"]) for r in rows],
            t("Kind"): [r["kind"] for r in rows],
            t("Order"): [r["number"] for r in rows],
            t("Quantity"): [r["quantity"] for r in rows],
            t("Unit"): [r["unit"] for r in rows],
            t("Unit cost"): [r["unit_cost"] for r in rows],
            t("Value"): [r["value"] for r in rows],
            t("By"): [r["actor_name"] for r in rows],
        },
        dtype=object,
    )


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def rows_behind(filters: Filters, drill: Drill) -> None:
    to_frame: Callable[[list[dict[str, Any]]], pd.DataFrame] = movement_frame if drill.kind == "item" else order_frame
    head, clear = st.columns([5, 1], vertical_alignment="center")
    head.subheader(t("The rows behind: {what}", what=describe(drill)))
    if clear.button(t("Clear selection"), key=f"{KEY}.clear"):
        del st.query_params["drill"]
        st.rerun()
    page, _ = paged_frame(
        f"{KEY}.rows",
        lambda number, size: dashboards.drill_page(
            actor=actor, filters=filters, drill=drill, page=number, page_size=size
        ),
        lambda page: to_frame(page.rows),
        selectable=False,
    )
    if page.total > DOWNLOAD_LIMIT:
        st.warning(
            t(
                "{total} rows is more than the {limit} a download may hold: narrow the filters.",
                total=page.total,
                limit=DOWNLOAD_LIMIT,
            )
        )
    elif page.total:

        def build() -> bytes:
            frame = to_frame(dashboards.drill_rows(actor=actor, filters=filters, drill=drill))
            guarded = frame.map(lambda cell: safe_cell(cell) if isinstance(cell, str) else cell)
            return guarded.to_csv(index=False).encode("utf-8-sig")

        download(t("Download CSV"), build, "dashboard-rows", key=f"{KEY}.download")


# --- the filters, from the address -----------------------------------------------------------

st.title(t("Dashboard"))
params = url_params()
resolved = dashboards.resolve(actor=actor, params=params)
options = resolved["options"]
if st.session_state.get(f"{KEY}.url") != params:  # a link was opened: the widgets follow it
    start = resolved["filters"]
    st.session_state[f"{KEY}.from"], st.session_state[f"{KEY}.to"] = start.date_from, start.date_to
    st.session_state[f"{KEY}.grain"] = resolved["grain"]
    for name, field in LISTS.items():
        st.session_state[f"{KEY}.{name}"] = list(getattr(start, field))
    st.session_state[f"{KEY}.url"] = params

if resolved["dropped"]:
    names = {"area": t("area"), "service": t("service"), "channel": t("channel"), "tech": t("technician")}
    gone = ", ".join(f"{names[name]} {value}" for name, values in resolved["dropped"].items() for value in values)
    st.warning(md("This link names filters that no longer exist; they were left out: {gone}.", gone=gone))
if resolved["bad_drill"]:
    st.warning(
        md(
            "The selection {drill} in this link is not one this dashboard makes; it was left out.",
            drill=resolved["bad_drill"],
        )
    )

from_column, to_column, grain_column = st.columns([1, 1, 1])
from_column.date_input(t("From"), key=f"{KEY}.from")
to_column.date_input(t("To"), key=f"{KEY}.to")
grain_labels = {"day": t("Day"), "week": t("Week"), "month": t("Month")}
grain_column.segmented_control(
    t("Over time by"), list(grain_labels), format_func=grain_labels.__getitem__, key=f"{KEY}.grain"
)
columns = st.columns(4)
for column, (name, label) in zip(
    columns,
    {"area": t("Areas"), "service": t("Services"), "channel": t("Channels"), "tech": t("Technicians")}.items(),
    strict=True,
):
    column.multiselect(
        label,
        [o["id"] for o in options[name]],
        format_func=partial(label_of, name),
        key=f"{KEY}.{name}",
        placeholder=t("All"),
    )

grain = st.session_state.get(f"{KEY}.grain") or "week"
filters = Filters(
    st.session_state[f"{KEY}.from"] or resolved["filters"].date_from,  # a cleared date: the link's
    st.session_state[f"{KEY}.to"] or resolved["filters"].date_to,
    **{field: tuple(st.session_state[f"{KEY}.{name}"]) for name, field in LISTS.items()},
)
drill = resolved["drill"]
wanted = as_lists(link(filters, grain, drill))
if wanted != params:  # the widgets moved: the address follows, so the view can be shared
    st.query_params.from_dict({name: values for name, values in wanted.items() if values})
    st.session_state[f"{KEY}.url"] = wanted

try:
    found = dashboards.view(actor=actor, filters=filters, grain=grain)
except ValidationFailed as refused:
    to_column.error(md(refused.errors["dates"]))
    st.stop()

if not found["funnel"][0]["orders"]:
    st.info(t("No orders match these filters. Widen the dates or remove a filter."))
    st.stop()

draw(found, grain)
if drill is not None:
    try:
        rows_behind(filters, drill)
    except OpsdeskError as problem:
        st.error(md(problem.message))
else:
    st.caption(t("Select a bar or a point to see the rows behind it."))
