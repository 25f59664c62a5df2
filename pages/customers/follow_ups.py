"""Follow-ups: what is due (mine or everyone's, up to a day), each closed with what came of it;
and a new reminder for a customer picked by search (?customer=ID picks one from their page)."""

from datetime import timedelta
from typing import Any

import streamlit as st

from core import formatting
from core.clock import today
from core.errors import NotFound, ValidationFailed
from core.i18n import msg
from core.permissions import allowed
from core.services import follow_ups
from core.services.customers import customers
from ui import forms
from ui.contacts import contact_lines
from ui.context import current_actor, md, query_id, t
from ui.feedback import flash, show_flash
from ui.follow_ups import follow_up_frame
from ui.order_form import customer_picker
from ui.tables import first_page, paged_frame

KEY = "follow_ups"
ADD = f"{KEY}.new"
CLOSE = f"{KEY}.close"
actor = current_actor()
state = st.session_state


def _k(form: str, name: str) -> str:
    return f"{form}.{name}"


def add(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
    return follow_ups.add_follow_up(actor=actor, **values)


def collect_add() -> dict[str, Any]:
    names = ("customer_id", "due_on", "note", "assigned_to_id")
    return {name: state.get(_k(ADD, name)) for name in names}


def closer(versions: dict[int, int]) -> forms.Action:
    """The close button's action, with the versions of the rows as this run showed them."""

    def close(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
        chosen = values["follow_up_id"]
        if chosen not in versions:
            raise ValidationFailed({"follow_up_id": msg("Choose the follow-up to close.")})
        return follow_ups.close_follow_up(
            actor=actor, follow_up_id=chosen, outcome=values["outcome"] or "", expected_version=versions[chosen]
        )

    return close


def collect_close() -> dict[str, Any]:
    return {"follow_up_id": state.get(_k(CLOSE, "follow_up_id")), "outcome": state.get(_k(CLOSE, "outcome"))}


def after_saving() -> None:
    """Say what the last add or close did, and empty the fields it used (before they are drawn)."""
    added = forms.result(ADD)
    if added is not None:
        for name in ("customer_id", "customer_query", "note", "assigned_to_id"):
            state.pop(_k(ADD, name), None)
        flash(
            KEY,
            md(
                "Follow-up with {customer} set for {day}.",
                customer=added["customer_name"],
                day=formatting.day(added["due_on"]),
            ),
        )
    closed = forms.result(CLOSE)
    if closed is not None:
        for name in ("follow_up_id", "outcome"):
            state.pop(_k(CLOSE, name), None)
        flash(KEY, md("Closed the follow-up with {customer}.", customer=closed["customer_name"]))


def close_form(rows: list[dict[str, Any]]) -> None:
    if not allowed(actor.roles, "follow_ups", "edit"):
        return
    open_rows = [row for row in rows if row["done_at"] is None]
    if not open_rows:
        forms.show_notice(CLOSE)  # why the last close was refused, though the row has left the list
        return
    errors = forms.errors_of(CLOSE)
    labels = {
        row["id"]: f"{formatting.day(row['due_on'])} · {row['customer_code']} · {row['customer_name']} · "
        f"{row['note'][:60]}"
        for row in open_rows
    }
    if state.get(_k(CLOSE, "follow_up_id")) not in labels:
        state.pop(_k(CLOSE, "follow_up_id"), None)
    with st.container(border=True):
        st.subheader(t("Close a follow-up"))
        st.selectbox(
            t("Follow-up *"),
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            key=_k(CLOSE, "follow_up_id"),
            placeholder=t("Choose…"),
            help=t("Or click its row in the table."),
        )
        forms.error_under(errors.get("follow_up_id"))
        chosen = state.get(_k(CLOSE, "follow_up_id"))
        contact_lines(next((r["customer_id"] for r in open_rows if r["id"] == chosen), None), _k(CLOSE, "contacts"))
        st.text_area(
            t("Outcome *"),
            key=_k(CLOSE, "outcome"),
            height=70,
            placeholder=t("What came of it: booked a visit, not interested, call again later…"),
        )
        forms.error_under(errors.get("outcome"))
        forms.show_notice(CLOSE)
        versions = {row["id"]: row["version"] for row in open_rows}
        st.button(
            t("Close follow-up"),
            key=_k(CLOSE, "save"),
            type="primary",
            on_click=forms.run_action,
            args=(CLOSE, collect_close, closer(versions), False),
        )


def add_form() -> None:
    if not allowed(actor.roles, "follow_ups", "create"):
        return
    linked = query_id("customer")
    if linked is not None and state.get(_k(ADD, "linked")) != linked:  # came from the customer's page
        state[_k(ADD, "linked")] = linked
        try:
            customers.get(actor=actor, record_id=linked)
            state[_k(ADD, "customer_id")] = linked
        except NotFound as missing:
            st.warning(md(missing.message))
    state.setdefault(_k(ADD, "due_on"), today() + timedelta(days=1))
    errors = forms.errors_of(ADD)
    people = {person["id"]: person["name"] for person in follow_ups.assignees(actor=actor)}
    with st.container(border=True):
        st.subheader(t("Add a follow-up"))
        customer_picker(ADD, False, errors)
        left, right = st.columns(2)
        with left:
            st.date_input(t("Due on *"), key=_k(ADD, "due_on"))
            forms.error_under(errors.get("due_on"))
        with right:
            st.selectbox(
                t("Assigned to"),
                list(people),
                format_func=people.__getitem__,
                index=None,
                key=_k(ADD, "assigned_to_id"),
                placeholder=t("Anyone"),
            )
            forms.error_under(errors.get("assigned_to_id"))
        st.text_area(t("Note *"), key=_k(ADD, "note"), height=70, placeholder=t("What to follow up on"))
        forms.error_under(errors.get("note"))
        forms.show_notice(ADD)
        st.button(
            t("Add follow-up"),
            key=_k(ADD, "save"),
            type="primary",
            on_click=forms.run_action,
            args=(ADD, collect_add, add, False),
        )


after_saving()
st.title(t("Follow-ups"))
show_flash(KEY)
mine_box, until_box, done_box = st.columns(3, vertical_alignment="bottom")
mine = mine_box.toggle(t("Only mine"), value=True, key=_k(KEY, "mine"), on_change=first_page, args=(KEY,))
until = until_box.date_input(t("Due until"), value=today(), key=_k(KEY, "until"), on_change=first_page, args=(KEY,))
with_done = done_box.toggle(t("Show closed ones"), key=_k(KEY, "done"), on_change=first_page, args=(KEY,))
page, chosen = paged_frame(
    KEY,
    lambda number, size: follow_ups.due_follow_ups(
        actor=actor, until=until or None, mine_only=mine, include_done=with_done, page=number, per_page=size
    ),
    lambda found: follow_up_frame(found.rows),
)
if chosen is not None and chosen["done_at"] is None:
    state[_k(CLOSE, "follow_up_id")] = chosen["id"]
close_form(page.rows)
add_form()
