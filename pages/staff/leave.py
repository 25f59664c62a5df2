"""Leave requests, for a manager: the pending ones to approve or refuse with a note (never one's
own; approving waits until the person's shifts on those days are removed), and the decided ones."""

from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.services import leave
from core.services.leave import KINDS, STATUSES
from ui import forms
from ui.context import current_actor, language, t
from ui.downloads import download_table
from ui.feedback import flash, show_flash
from ui.text import escape_markdown

KEY = "leave-requests"
actor = current_actor()
state = st.session_state


def kind(code: str) -> str:
    return KINDS[code].get(language()) if code in KINDS else code


def days(request: dict[str, Any]) -> str:
    return t(
        "{starts} to {ends} ({days} days)",
        starts=formatting.day(request["starts_on"]),
        ends=formatting.day(request["ends_on"]),
        days=request["days"],
    )


def decided_now(form: str, request_id: int, approve: bool, note: str) -> dict[str, Any]:
    """The buttons' action: decide, and say so at the top of the next run (the request has left the list)."""
    row = leave.decide_leave(actor=actor, leave_id=request_id, approve=approve, note=note)
    flash(KEY, t("Approved.") if approve else t("Refused."))
    state.pop(f"{form}.note", None)
    return row


def decide(request: dict[str, Any]) -> None:
    form = f"{KEY}.{request['id']}"
    with st.container(border=True):
        team = f" · {escape_markdown(request['team'])}" if request["team"] else ""
        st.markdown(f"**{escape_markdown(request['staff_name'])}**{team} — {kind(request['kind'])}")
        st.markdown(days(request))
        if request["reason"]:
            st.caption(escape_markdown(request["reason"]))
        st.text_input(t("Note"), key=f"{form}.note", help=t("Required when refusing: say why."))
        forms.error_under(forms.errors_of(form).get("note"))
        forms.show_notice(form)
        buttons = st.container(horizontal=True)
        for approve, label in ((True, t("Approve")), (False, t("Refuse"))):
            buttons.button(
                label,
                key=f"{form}.{'approve' if approve else 'refuse'}",
                type="primary" if approve else "secondary",
                on_click=forms.run_action,
                args=(
                    form,
                    lambda form=form: {"note": state.get(f"{form}.note") or ""},
                    lambda values, _c, approve=approve: decided_now(form, request["id"], approve, values["note"]),
                    False,
                ),
            )


st.title(t("Leave requests"))
show_flash(KEY)
st.subheader(t("Waiting for a decision"))
pending = leave.pending_leave(actor=actor)
if not pending:
    st.info(t("No leave request is waiting."))
for request in pending:
    decide(request)

st.subheader(t("Decided"))
period = st.date_input(
    t("Between"), value=(today() - timedelta(days=30), today() + timedelta(days=60)), key=f"{KEY}.period"
)
date_from, date_to = (period[0], period[-1]) if period else (today(), today())
decided = leave.leave_between(actor=actor, date_from=date_from, date_to=date_to)
if not decided:
    st.info(t("No decided leave in these days."))
else:
    frame = pd.DataFrame(
        [
            {
                t("Staff member"): row["staff_name"],
                t("Kind"): kind(row["kind"]),
                t("From"): formatting.day(row["starts_on"]),
                t("To"): formatting.day(row["ends_on"]),
                t("Days"): row["days"],
                t("Status"): STATUSES[row["status"]].get(language()),
                t("Decided by"): row["decided_by"] or "",
                t("Decided at"): formatting.moment(row["decided_at"]),
                t("Note"): row["decision_note"] or "",
            }
            for row in decided
        ],
        dtype=object,
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    download_table(t("Export CSV"), frame, "leave", key=f"{KEY}.export")
