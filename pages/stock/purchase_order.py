"""One purchase order: its lines, ordered and received; the next step its status and the
person's role allow (submit, approve, mark ordered, receive, close, cancel); a draft's lines
can be changed."""

from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.errors import NotFound
from core.permissions import allowed
from core.services import purchasing
from core.services.purchasing import STATUSES
from ui import forms, item_lines
from ui.context import current_actor, query_id, t
from ui.feedback import flash, show_flash, succeeded
from ui.navigation import link
from ui.stock_widgets import item_label, quantity, unit_name
from ui.text import escape_markdown

KEY = "purchase-order"
LINE_FIELDS = ("quantity", "unit_cost")
actor = current_actor()
state = st.session_state


def can(module: str, action: str) -> bool:
    return allowed(actor.roles, module, action)


def done(message: str) -> None:
    flash(KEY, message)
    st.rerun()


def summary(po: dict[str, Any]) -> None:
    left, right = st.columns(2)
    left.markdown(f"**{t('Supplier')}**  \n{escape_markdown(po['supplier_name'])}")
    left.markdown(f"**{t('Expected on')}**  \n{formatting.day(po['expected_on']) or '—'}")
    if po["notes"]:
        left.markdown(f"**{t('Notes')}**  \n{escape_markdown(po['notes'])}")
    steps = [
        (t("Created"), po["created_at"]),
        (t("Approved"), po["approved_at"]),
        (t("Ordered"), po["ordered_at"]),
        (t("Last changed"), po["updated_at"]),
    ]
    right.markdown("  \n".join(f"{label}: {formatting.moment(when)}" for label, when in steps if when))
    if po["cancel_reason"]:
        right.markdown(f"**{t('Cancelled because')}**  \n{escape_markdown(po['cancel_reason'])}")
    rows = [
        {
            t("Item"): item_label(line),
            t("Unit"): unit_name(line["unit"]),
            t("Ordered"): quantity(line["quantity"]),
            t("Received"): quantity(line["received"]),
            t("Unit cost"): formatting.money(line["unit_cost"]),
        }
        for line in po["lines"]
    ]
    st.dataframe(pd.DataFrame(rows, dtype=object), hide_index=True, width="stretch")
    st.markdown(f"{t('Total')}: **{escape_markdown(formatting.money(po['total']))}**")


def next_steps(po: dict[str, Any]) -> None:
    status, version, po_id = po["status"], po["version"], po["id"]
    buttons = st.container(horizontal=True)
    steps = (
        ("draft", "purchasing", t("Submit for approval"), purchasing.submit_purchase_order, t("Submitted.")),
        ("submitted", "purchase_approval", t("Approve"), purchasing.approve_purchase_order, t("Approved.")),
        ("approved", "purchasing", t("Mark as ordered"), purchasing.mark_ordered, t("Marked as ordered.")),
        ("ordered", "purchasing", t("Close"), purchasing.close_purchase_order, t("Closed.")),
        ("received", "purchasing", t("Close"), purchasing.close_purchase_order, t("Closed.")),
    )
    for when, module, label, step, said in steps:
        if status != when or not can(module, "edit"):
            continue
        if buttons.button(label, type="primary" if when != "ordered" else "secondary", key=f"{KEY}.{when}") and (
            succeeded(lambda step=step: step(actor=actor, po_id=po_id, expected_version=version))
        ):
            done(said)
    if status == "ordered" and can("purchasing", "edit"):
        link("stock-receive", t("Receive goods"), icon=":material/move_to_inbox:", query_params={"po": po_id})
    if status == "submitted" and not can("purchase_approval", "edit"):
        st.caption(t("Waiting for a manager's approval."))
    if status in {"draft", "submitted", "approved", "ordered"} and can("purchasing", "delete"):
        cancel(po)


def cancel(po: dict[str, Any]) -> None:
    form = f"{KEY}.cancel.{po['id']}"
    if forms.result(form) is not None:
        done(t("Cancelled."))
    errors = forms.errors_of(form)
    with st.expander(t("Cancel the purchase order"), expanded=bool(errors)):
        st.text_input(t("Why is it cancelled? *"), key=f"{form}.reason")
        forms.error_under(errors.get("reason"))
        forms.show_notice(form)
        action = lambda values, _c: purchasing.cancel_purchase_order(  # noqa: E731
            actor=actor, po_id=po["id"], expected_version=po["version"], **values
        )
        st.button(
            t("Cancel the purchase order"),
            key=f"{form}.go",
            on_click=forms.run_action,
            args=(form, lambda: {"reason": state.get(f"{form}.reason") or ""}, action, False),
        )


def edit(po: dict[str, Any]) -> None:
    form = f"{KEY}.edit.{po['id']}"
    if forms.result(form) is not None:
        item_lines.clear(form)
        done(t("Saved."))
    if not item_lines.started(form, LINE_FIELDS) or f"{form}.version" not in state:
        item_lines.clear(form)
        item_lines.start(form, po["lines"], LINE_FIELDS)
        state[f"{form}.version"] = po["version"]
        state[f"{form}.expected_on"] = po["expected_on"]
        state[f"{form}.notes"] = po["notes"] or ""
    errors = forms.errors_of(form)
    st.date_input(t("Expected on"), key=f"{form}.expected_on")
    item_lines.editor(
        form, {"quantity": t("Quantity *"), "unit_cost": t("Unit cost *")}, errors, add_label=t("Add an item")
    )
    st.text_area(t("Notes"), key=f"{form}.notes", height=70)
    forms.show_notice(form)

    def collect() -> dict[str, Any]:
        return {
            "lines": item_lines.collect(form, LINE_FIELDS),
            "expected_on": state.get(f"{form}.expected_on"),
            "notes": state.get(f"{form}.notes") or "",
            "expected_version": state[f"{form}.version"],
        }

    st.button(
        t("Save changes"),
        type="primary",
        key=f"{form}.save",
        on_click=forms.run_action,
        args=(form, collect, lambda v, _c: purchasing.update_purchase_order(actor=actor, po_id=po["id"], **v), False),
    )


link("purchase-orders", t("Purchase orders"), icon=":material/arrow_back:")
po_id = query_id()
try:
    order = purchasing.get_purchase_order(actor=actor, po_id=po_id) if po_id is not None else None
except NotFound:
    order = None
if order is None:
    st.error(t("No record chosen."))
    st.stop()
st.title(f"{order['number']} · {t(STATUSES[order['status']])}")
show_flash(KEY)
editing = order["status"] == "draft" and can("purchasing", "edit")
names = [t("Summary"), *([t("Edit")] if editing else [])]
tabs = dict(zip(names, st.tabs(names), strict=True))
with tabs[t("Summary")]:
    summary(order)
    next_steps(order)
if editing:
    with tabs[t("Edit")]:
        edit(order)
