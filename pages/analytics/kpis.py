"""The executives' KPI page: each figure of the period with its change against the previous
period, a sparkline and the manager's target, marked when off target. Cards three to a row on a
desk, one under the other on a phone. Managers set the targets in the expander below."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import streamlit as st

from core import formatting
from core.analytics.kpis import BY_KEY, KPIS
from core.clock import today
from core.errors import ValidationFailed
from core.permissions import allowed
from core.services import kpis
from ui import forms
from ui.context import current_actor, language, t
from ui.feedback import flash, show_flash

KEY = "kpis"
FORM = "kpis.target"
PER_ROW = 3
actor = current_actor()
state = st.session_state
KIND_LABELS = {
    "month": t("This month"),
    "quarter": t("This quarter"),
    "year": t("This year"),
    "custom": t("Custom period"),
}


def shown(unit: str, value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    if unit == "money":
        return formatting.money(value)
    if unit == "percent":
        return f"{formatting.number(value)} %"
    return formatting.number(value)


def delta(card: dict[str, Any]) -> str | None:
    """The change against the previous period: in percent for amounts, in points for rates."""
    if card["change"] is None:
        return None
    if card["unit"] in {"percent", "rating"} or card["change_pct"] is None:
        change = card["change"]
        text = formatting.number(abs(change))
        sign = "+" if change >= 0 else "-"
        return t("{sign}{change} pts", sign=sign, change=text) if card["unit"] == "percent" else f"{sign}{text}"
    sign = "+" if card["change_pct"] >= 0 else "-"
    return f"{sign}{formatting.number(abs(card['change_pct']))} %"


def show_card(card: dict[str, Any]) -> None:
    with st.container(border=True):
        points = [value for value in card["sparkline"] if value is not None]
        st.metric(
            card["label"].get(language()),
            shown(card["unit"], card["value"]),
            delta(card),
            delta_color="normal" if card["higher_is_better"] else "inverse",
            chart_data=points or None,
            chart_type="area",
            help=t("Previous period: {value}", value=shown(card["unit"], card["previous"])),
        )
        if card["target"] is None:
            st.caption(t("No target"))
            return
        target = t("Target: {target}", target=shown(card["unit"], card["target"]))
        if card["off_target"]:
            st.badge(t("Off target"), icon=":material/warning:", color="red")
        else:
            st.badge(t("On target"), icon=":material/check:", color="green")
        st.caption(target)


def period_inputs() -> tuple[dict[str, Any], dict[str, Any]]:
    """The chosen period, and where each of its fields stands (for its message)."""
    picked, first, last = st.columns([2, 1, 1], vertical_alignment="top")
    kind = picked.selectbox(t("Period"), list(KIND_LABELS), format_func=KIND_LABELS.__getitem__, key=f"{KEY}.kind")
    places = {"kind": picked, "start": first, "end": last}
    if kind != "custom":
        return {"kind": kind}, places
    if f"{KEY}.start" not in state:
        state[f"{KEY}.start"], state[f"{KEY}.end"] = today() - timedelta(days=29), today()
    with first:
        start = st.date_input(t("From"), key=f"{KEY}.start")
    with last:
        end = st.date_input(t("To"), key=f"{KEY}.end")
    return {"kind": kind, "start": start, "end": end}, places


def load_target() -> None:
    """When another KPI is chosen: its current target and direction in the fields."""
    chosen = state.get(f"{FORM}.kpi")
    card = next((c for c in state.get(f"{KEY}.cards", []) if c["key"] == chosen), None)
    state[f"{FORM}.target"] = "" if card is None or card["target"] is None else str(card["target"].normalize())
    state[f"{FORM}.higher"] = BY_KEY[chosen].higher_is_better if card is None else card["higher_is_better"]
    state[f"{FORM}.errors"] = {}


def collect() -> dict[str, Any]:
    return {
        "kpi": state.get(f"{FORM}.kpi"),
        "target": state.get(f"{FORM}.target") or "",
        "higher_is_better": bool(state.get(f"{FORM}.higher")),
    }


def save(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
    return kpis.set_target(actor=actor, **values)


def targets_form() -> None:
    with st.expander(t("Targets")):
        errors = forms.errors_of(FORM)
        if f"{FORM}.kpi" not in state:
            state[f"{FORM}.kpi"] = KPIS[0].key
            load_target()
        st.selectbox(
            t("KPI"),
            [kpi.key for kpi in KPIS],
            format_func={kpi.key: kpi.label.get(language()) for kpi in KPIS}.__getitem__,
            key=f"{FORM}.kpi",
            on_change=load_target,
        )
        forms.error_under(errors.get("kpi"))
        st.text_input(t("Target"), key=f"{FORM}.target", help=t("Leave empty to remove the target."))
        forms.error_under(errors.get("target"))
        st.checkbox(t("Higher is better"), key=f"{FORM}.higher", help=t("Off target means below it; untick: above."))
        forms.show_notice(FORM)
        st.button(t("Save the target"), type="primary", on_click=forms.run_action, args=(FORM, collect, save, False))
        if forms.result(FORM) is not None:
            flash(KEY, t("Target saved."))
            st.rerun()


st.title(t("Key figures"))
show_flash(KEY)
chosen, places = period_inputs()
try:
    board = kpis.overview(actor=actor, **chosen)
except ValidationFailed as failed:
    for field, message in failed.errors.items():
        with places.get(field, places["kind"]):
            forms.error_under(message)
    st.stop()
period = board["period"]
state[f"{KEY}.cards"] = board["cards"]
st.caption(
    t(
        "From {start} to {end}, compared with {previous_start} to {previous_end}.",
        start=formatting.day(period.start),
        end=formatting.day(period.end),
        previous_start=formatting.day(period.previous_start),
        previous_end=formatting.day(period.previous_end),
    )
)
st.caption(t("Charts: the last 8 weeks.") if period.grain == "week" else t("Charts: the last 12 months."))
cards = board["cards"]
for first in range(0, len(cards), PER_ROW):
    for column, card in zip(st.columns(PER_ROW), cards[first : first + PER_ROW], strict=False):
        with column:
            show_card(card)
if allowed(actor.roles, "kpis", "edit"):
    targets_form()
