"""The "Report a problem" action in the sidebar of every page a signed-in person opens: what happened
and an optional screenshot; the page it was reported from is recorded without asking."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.actor import Actor
from core.services import problems
from ui import forms
from ui.context import t

FORM = "problem_report"
DESCRIPTION = f"{FORM}.description"
NONCE = f"{FORM}.nonce"  # a fresh uploader after each report: Streamlit lets no code empty one
OPEN = f"{FORM}.open"  # whether the popover is open (True/False in the session)


def screenshot_key() -> str:
    return f"{FORM}.screenshot.{st.session_state.get(NONCE, 0)}"


def _collect() -> dict[str, Any]:
    upload = st.session_state.get(screenshot_key())
    return {
        "description": st.session_state.get(DESCRIPTION) or "",
        "screenshot": upload.getvalue() if upload is not None else None,
    }


def _reporter(actor: Actor, page: str) -> forms.Action:
    def report(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
        return problems.report_problem(actor=actor, page=page, **values)

    return report


def report_action(actor: Actor, page: str) -> None:
    """A popover holding the form, its content run only while it is open; on success it empties and
    thanks the person, on bad input the message stands under the field and what was typed (and
    uploaded) stays."""
    sent = forms.result(FORM)
    if sent is not None:
        st.session_state.pop(DESCRIPTION, None)
        st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
        st.session_state[f"{FORM}.sent"] = sent["id"]
    errors = forms.errors_of(FORM)
    popover = st.popover(
        t("Report a problem"), icon=":material/bug_report:", width="stretch", key=OPEN, on_change="rerun"
    )
    if not popover.open:  # drawn only when opened: no widgets on every page for nothing
        for name in ("errors", "notice"):  # closing it sets aside the last attempt's messages
            st.session_state.pop(f"{FORM}.{name}", None)
        return
    with popover:
        thanked = st.session_state.pop(f"{FORM}.sent", None)
        if thanked is not None:
            st.success(t("Thank you: problem report {id} was sent to the administrators.", id=thanked))
        st.caption(t("Reported from the page: {page}", page=page or "home"))
        st.text_area(
            t("What went wrong? *"),
            key=DESCRIPTION,
            height=110,
            placeholder=t("What you did, what you expected, what happened instead"),
        )
        forms.error_under(errors.get("description"))
        st.file_uploader(t("Screenshot (PNG or JPEG, up to 2 MB)"), type=["png", "jpg", "jpeg"], key=screenshot_key())
        forms.error_under(errors.get("screenshot"))
        forms.error_under(errors.get("page"))
        forms.show_notice(FORM)
        st.button(
            t("Send the report"),
            key=f"{FORM}.send",
            type="primary",
            on_click=forms.run_action,
            args=(FORM, _collect, _reporter(actor, page), False),
        )
