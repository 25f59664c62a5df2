"""Recurring contracts: a weekly or monthly job that generates its orders ahead. Each generated
order can then be changed or cancelled on its own."""

from datetime import time, timedelta

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.i18n import Bilingual as B
from core.order_status import STATUSES
from core.permissions import allowed
from core.recurrence import FREQUENCIES
from core.services import contracts, reference
from ui import forms, order_form
from ui.context import current_actor, language, md, t
from ui.feedback import attempt, flash, show_flash, succeeded
from ui.navigation import page_script
from ui.tables import pick_row

FORM = "contracts.new"
LABELS = {"weekly": B("Weekly", "每周"), "fortnightly": B("Every two weeks", "每两周"), "monthly": B("Monthly", "每月")}
actor = current_actor()
st.title(t("Recurring contracts"))
show_flash("contracts")

if allowed(actor.roles, "contracts", "create"):
    if st.button(t("Generate the coming visits now"), icon=":material/event_repeat:"):
        made = attempt(lambda: contracts.generate_orders(actor=actor))
        if made is not None:
            flash("contracts", t("{count} new orders generated.", count=made))
            st.rerun()
    saved = forms.result(FORM)
    if saved is not None:
        order_form.clear(FORM)
        flash("contracts", md("Contract {code} saved.", code=saved["code"]))
        st.rerun()
    with st.expander(t("New contract"), expanded=bool(forms.errors_of(FORM))):
        order_form.start(FORM, {"window_start": time(9), "window_end": time(12)})
        state = st.session_state
        state.setdefault(f"{FORM}.frequency", "weekly")
        state.setdefault(f"{FORM}.starts_on", today() + timedelta(days=1))
        errors = forms.errors_of(FORM)
        order_form.customer_picker(FORM, False, errors)
        areas = {o.id: o.label.get(language()) for o in reference.service_areas(actor=actor)}
        left, right = st.columns(2)
        left.selectbox(
            t("How often *"),
            FREQUENCIES,
            format_func={f: t(LABELS[f]) for f in FREQUENCIES}.__getitem__,
            key=f"{FORM}.frequency",
        )
        left.date_input(t("First visit *"), key=f"{FORM}.starts_on", **order_form.held(FORM, "starts_on"))
        left.date_input(t("Last visit (optional)"), key=f"{FORM}.ends_on", value=None)
        with left:
            forms.error_under(errors.get("starts_on") or errors.get("ends_on"))
        right.text_input(t("Service address *"), key=f"{FORM}.address")
        right.selectbox(
            t("Service area *"),
            list(areas),
            format_func=areas.__getitem__,
            index=None,
            key=f"{FORM}.area_id",
            placeholder=t("Choose…"),
        )
        begin, end = right.columns(2)
        # The values also as the widgets' defaults: see order_form.held.
        begin.time_input(
            t("Window from *"), key=f"{FORM}.window_start", step=1800, **order_form.held(FORM, "window_start")
        )
        end.time_input(t("to *"), key=f"{FORM}.window_end", step=1800, **order_form.held(FORM, "window_end"))
        with right:
            forms.error_under(errors.get("address") or errors.get("area_id") or errors.get("window_end"))
        order_form.lines_editor(FORM, errors)

        def collect() -> dict:
            collected = order_form.collect(FORM)
            values = {name: state.get(f"{FORM}.{name}") for name in contracts.CONTRACT_FIELDS}
            return {"values": values, "lines": collected["lines"]}

        forms.show_notice(FORM)
        st.button(
            t("Save the contract"),
            type="primary",
            on_click=forms.run_action,
            args=(
                FORM,
                collect,
                lambda c, _x: contracts.create_contract(actor=actor, values=c["values"], lines=c["lines"]),
                False,
            ),
        )

rows = contracts.list_contracts(actor=actor)
if not rows:
    st.info(t("No active contracts."))
else:
    frame = pd.DataFrame(
        [
            {
                t("Code"): r["code"],
                t("Customer"): r["customer_name"],
                t("How often"): t(LABELS[r["frequency"]]),
                t("First visit"): formatting.day(r["starts_on"]),
                t("Last visit"): formatting.day(r["ends_on"]),
                t("Window"): f"{r['window_start']:%H:%M}–{r['window_end']:%H:%M}",
                t("Address"): r["address"],
            }
            for r in rows
        ],
        dtype=object,
    )
    picked = pick_row("contracts.list", frame, rows)
    if picked is not None:
        st.session_state["contracts.open"] = picked["id"]

opened = st.session_state.get("contracts.open")
if opened is not None and any(r["id"] == opened for r in rows):
    contract = contracts.get_contract(actor=actor, contract_id=opened)
    st.subheader(md("Contract {code}", code=contract["code"]))
    visits = pd.DataFrame(
        [
            {
                t("Visit"): formatting.day(o["occurrence_date"]),
                t("Number"): o["number"],
                t("Status"): t(STATUSES[o["status"]]),
            }
            for o in contract["orders"]
        ],
        dtype=object,
    )
    chosen = pick_row(f"contracts.{opened}.orders", visits, contract["orders"]) if not visits.empty else None
    if chosen is not None:
        st.switch_page(page_script("order"), query_params={"id": str(chosen["id"])})
    st.caption(t("Each visit is an ordinary order: open it to change or cancel that visit alone."))
    ending = allowed(actor.roles, "contracts", "delete") and st.button(t("End the contract"), key="contracts.end")
    if ending and succeeded(
        lambda: contracts.end_contract(actor=actor, contract_id=opened, expected_version=contract["version"])
    ):
        st.session_state.pop("contracts.open", None)
        flash("contracts", t("Contract ended; visits already generated stay as they are."))
        st.rerun()
