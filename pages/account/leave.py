"""My leave: ask for days off (a manager decides) and follow one's requests; a pending one can be
cancelled. Only for someone whose login is linked to a staff record."""

from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.services import leave
from core.services.leave import KINDS, STATUSES
from ui import forms
from ui.context import current_actor, language, t
from ui.feedback import flash, show_flash, succeeded

KEY = "my-leave"
FORM = "my-leave.ask"
FIELDS = ("kind", "starts_on", "ends_on", "reason")
actor = current_actor()
state = st.session_state
KIND_NAMES = {code: label.get(language()) for code, label in KINDS.items()}


def collect() -> dict[str, Any]:
    values = {name: state.get(f"{FORM}.{name}") for name in FIELDS}
    values["kind"] = values["kind"] or ""
    return values


def ask() -> None:
    if forms.result(FORM) is not None:
        for name in FIELDS:
            state.pop(f"{FORM}.{name}", None)
        flash(KEY, t("Leave requested; a manager will decide."))
        st.rerun()
    errors = forms.errors_of(FORM)
    with st.form(FORM, enter_to_submit=False):
        st.selectbox(
            t("Kind of leave *"),
            list(KIND_NAMES),
            format_func=KIND_NAMES.__getitem__,
            index=None,
            placeholder=t("Choose…"),
            key=f"{FORM}.kind",
        )
        forms.error_under(errors.get("kind"))
        first, last = st.columns(2)
        with first:
            st.date_input(t("First day *"), value=today(), key=f"{FORM}.starts_on")
            forms.error_under(errors.get("starts_on"))
        with last:
            st.date_input(t("Last day *"), value=today(), key=f"{FORM}.ends_on")
            forms.error_under(errors.get("ends_on"))
        st.text_area(t("Reason"), key=f"{FORM}.reason", height=80, help=t("Required for personal leave."))
        forms.error_under(errors.get("reason"))
        forms.show_notice(FORM)
        st.form_submit_button(
            t("Ask for leave"),
            type="primary",
            on_click=forms.run_action,
            args=(FORM, collect, lambda values, _c: leave.request_leave(actor=actor, **values), False),
        )


def requests(rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info(t("You have not asked for leave yet."))
        return
    frame = pd.DataFrame(
        [
            {
                t("Kind"): KIND_NAMES.get(row["kind"], row["kind"]),
                t("From"): formatting.day(row["starts_on"]),
                t("To"): formatting.day(row["ends_on"]),
                t("Days"): row["days"],
                t("Status"): STATUSES[row["status"]].get(language()),
                t("Note"): row["decision_note"] or "",
            }
            for row in rows
        ],
        dtype=object,
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    for row in rows:
        if row["status"] != "pending":
            continue
        label = t(
            "Cancel the request for {starts} to {ends}",
            starts=formatting.day(row["starts_on"]),
            ends=formatting.day(row["ends_on"]),
        )
        if st.button(label, key=f"{KEY}.cancel.{row['id']}") and succeeded(
            lambda row=row: leave.cancel_leave(actor=actor, leave_id=row["id"])
        ):
            flash(KEY, t("Request cancelled."))
            st.rerun()


st.title(t("My leave"))
show_flash(KEY)
mine = leave.my_leave(actor=actor)
if not mine["linked"]:
    st.info(t("Your login is not linked to a staff record; ask a manager."))
    st.stop()
st.subheader(t("Ask for leave"))
ask()
st.subheader(t("My requests"))
requests(mine["requests"])
