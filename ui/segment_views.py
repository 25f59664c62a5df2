"""What the customer-segments page shows of a selection (a segment or a cluster): its customers,
a page at a time, and the two things to do with them — follow-ups for all of them in one step
(clerks, managers) and a download for a campaign (analysts, managers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.actor import Actor
from core.clock import today
from core.entities.records import Page
from core.i18n import Bilingual
from core.permissions import allowed
from core.services import follow_ups
from ui import forms
from ui.context import language, md, t
from ui.downloads import download
from ui.feedback import flash
from ui.navigation import page_script
from ui.tables import paged_frame


def risk(value: float | None) -> str:
    return "—" if value is None else f"{formatting.number(round(value * 100))} %"


def customer_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Customers of a selection with their scores, rhythm, risk and expected value (what is known)."""
    frame = []
    for row in rows:
        area = row.get("area")
        shown = {
            t("Code"): row["code"],
            t("Name"): row["name"],
            t("Area"): area.get(language()) if isinstance(area, Bilingual) else area or "",
        }
        if row.get("r") is not None:
            shown[t("R F M")] = f"{row['r']} {row['f']} {row['m']}"
        if row.get("last_order_day") is not None:
            shown[t("Last order")] = f"{row['last_order_day']:%Y-%m-%d}"
        elif row.get("recency_days") is not None:
            shown[t("Days since last order")] = row["recency_days"]
        shown[t("Orders")] = row["orders"]
        shown[t("Spent")] = formatting.money(row["monetary"])
        if row.get("usual_interval_days") is not None:
            shown[t("Usual interval (days)")] = round(row["usual_interval_days"])
        if row.get("churn_risk") is not None:
            shown[t("Churn risk")] = risk(row["churn_risk"])
        if row.get("lifetime_value") is not None:
            shown[t("Expected value (12 months)")] = formatting.money(row["lifetime_value"])
        frame.append(shown)
    return pd.DataFrame(frame, dtype=object)


def customer_list(key: str, fetch: Callable[[int, int], dict[str, Any]]) -> int:
    """The selection's customers, paged; a click opens the customer. Returns how many there are."""

    def page_of(number: int, size: int) -> Page:
        found = fetch(number, size)
        return Page(found["rows"], found["total"], found["page"], found["per_page"])

    page, chosen = paged_frame(key, page_of, lambda page: customer_frame(page.rows))
    if chosen is not None:
        st.switch_page(page_script("customer"), query_params={"id": str(chosen["id"])})
    return page.total


def follow_up_form(actor: Actor, key: str, origin: str, count: int, ids: Callable[[], list[int]]) -> None:
    """Follow-ups for every customer of the selection, in one step (those with an open one from
    the same selection are skipped, so a second click adds nothing)."""
    if not allowed(actor.roles, "follow_ups", "create") or count == 0:
        return
    form = f"{key}.follow_up"
    done = forms.result(form)
    if done is not None:
        skipped = len(done["skipped"])
        flash(key, t("{created} follow-ups created, {skipped} skipped.", created=done["created"], skipped=skipped))
    errors = forms.errors_of(form)
    title = t("Follow up with these {count} customers", count=count)
    with st.expander(title, expanded=bool(errors)), st.form(form, enter_to_submit=False):
        st.date_input(t("Due on *"), value=today() + timedelta(days=1), key=f"{form}.due_on")
        forms.error_under(errors.get("due_on"))
        st.text_area(t("Note *"), key=f"{form}.note", max_chars=500)
        forms.error_under(errors.get("note"))
        forms.error_under(errors.get("customer_ids"))
        forms.show_notice(form)
        st.form_submit_button(
            t("Create the follow-ups"),
            type="primary",
            on_click=forms.run_action,
            args=(form, lambda: _values(form), lambda values, _c: _create(actor, values, origin, ids), False),
        )


def _values(form: str) -> dict[str, Any]:
    state = st.session_state
    return {"due_on": state.get(f"{form}.due_on"), "note": state.get(f"{form}.note") or ""}


def _create(actor: Actor, values: dict[str, Any], origin: str, ids: Callable[[], list[int]]) -> dict[str, Any]:
    due: date | None = values["due_on"]
    return follow_ups.add_follow_ups(actor=actor, customer_ids=ids(), due_on=due, note=values["note"], origin=origin)


def campaign_download(actor: Actor, key: str, stem: str, build: Callable[[], dict[str, Any]]) -> None:
    """The selection with its contacts as CSV for a campaign, built (and audited) only on a click."""
    if not allowed(actor.roles, "data", "view"):
        return

    def csv() -> bytes:
        found = build()
        frame = pd.DataFrame(found["rows"], columns=[name for name, _label in found["columns"]])
        frame = frame.rename(columns=dict(found["columns"]))
        return frame.to_csv(index=False).encode("utf-8-sig")

    download(t("Download for a campaign (CSV)"), csv, stem, key=f"{key}.campaign")
    st.caption(md("Every download is recorded in the audit log."))
