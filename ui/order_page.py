"""One order: what, where, when and for how much; its next steps (confirm, dispatch, cancel,
approve a discount); its payments; its history. Each action is one service call."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import at
from core.entities.catalogue import unit_label
from core.errors import NotFound
from core.i18n import msg
from core.order_status import NEXT, STATUSES
from core.permissions import allowed
from core.services import dispatch, orders
from ui import contacts, forms, order_form
from ui.context import current_actor, language, query_id, t
from ui.feedback import attempt, flash, show_flash, succeeded
from ui.navigation import link
from ui.order_payments import order_payments
from ui.stock_widgets import item_label, quantity
from ui.text import escape_markdown


def _can(module: str, action: str) -> bool:
    return allowed(current_actor().roles, module, action)


def _money(value: Any) -> str:
    return escape_markdown(formatting.money(value))


def _done(message: str) -> None:
    flash("order", message)
    st.rerun()


def render() -> None:
    actor = current_actor()
    order_id = query_id()
    link("orders", t("Orders"), icon=":material/arrow_back:")
    try:
        order = orders.get_order(actor=actor, order_id=order_id) if order_id is not None else None
    except NotFound:
        order = None
    if order is None:
        st.error(t("No record chosen."))
        return
    st.title(f"{order['number']} · {t(STATUSES[order['status']])}")
    show_flash("order")
    names = [t("Summary")]
    if order["status"] in {"new", "confirmed"} and _can("orders", "edit"):
        names.append(t("Edit"))
    if _can("payments", "view"):
        names.append(t("Payments"))
    names.append(t("History"))
    tabs = dict(zip(names, st.tabs(names), strict=True))
    with tabs[t("Summary")]:
        _summary(order)
        _next_steps(order)
    if t("Edit") in tabs:
        with tabs[t("Edit")]:
            _edit(order)
    if t("Payments") in tabs:
        with tabs[t("Payments")]:
            order_payments(order, _done)
    with tabs[t("History")]:
        _history(order)


def _summary(order: dict[str, Any]) -> None:
    left, right = st.columns(2)
    customer = f"{order['customer_code']} · {order['customer_name']}"
    left.markdown(f"**{t('Customer')}**  \n{escape_markdown(customer)}")
    link("customer", t("Open the customer"), query_params={"id": order["customer_id"]}, where=left)
    with left:
        contacts.contact_lines(order["customer_id"], f"order.{order['id']}.contacts")
    window = f"{formatting.day(order['requested_date'])} {order['window_start']:%H:%M}–{order['window_end']:%H:%M}"
    left.markdown(f"**{t('Requested')}**  \n{escape_markdown(window)}")
    left.markdown(f"**{t('Service address')}**  \n{escape_markdown(order['address'])}")
    if order["technician_name"]:
        booked = f"{order['technician_name']} · {formatting.moment(order['scheduled_start'])}"
        right.markdown(f"**{t('Technician')}**  \n{escape_markdown(booked)}")
    if order["assignment_reason"]:
        right.caption(escape_markdown(order["assignment_reason"].get(language(), "")))
    if order["discount_state"] == "pending":
        right.warning(t("The discount waits for a manager's approval."))
    if order["rating"]:
        right.markdown(f"**{t('Rating')}**  \n{'★' * order['rating']}{'☆' * (5 - order['rating'])}")
    for label, key in (
        (t("Customer's comment"), "rating_comment"),
        (t("Materials used"), "materials_used"),
        (t("Notes"), "notes"),
        (t("Cancelled because"), "cancel_reason"),
    ):
        if order[key]:
            right.markdown(f"**{label}**  \n{escape_markdown(order[key])}")
    lines = [
        {
            t("Service"): line["name_zh"] if language() == "zh" else line["name_en"],
            t("Quantity"): formatting.number(line["quantity"]),
            t("Unit"): unit_label(line["unit"], language()),
            t("Unit price"): formatting.money(line["unit_price"]),
            t("Amount"): formatting.money(line["amount"]),
        }
        for line in order["lines"]
    ]
    st.dataframe(pd.DataFrame(lines, dtype=object), hide_index=True, width="stretch")
    figures = [
        (t("Subtotal"), order["subtotal"]),
        (t("Discount {pct}%", pct=order["discount_pct"]), -order["discount_amount"]),
        (t("Tax"), order["tax_amount"]),
        (t("Total"), order["total"]),
        (t("Received"), order["paid"] - order["refunded"]),
        (t("Balance due"), order["balance"]),
    ]
    st.markdown(" · ".join(f"{label}: **{_money(value)}**" for label, value in figures))
    if order["materials"]:
        _materials(order)


def _materials(order: dict[str, Any]) -> None:
    st.markdown(f"**{t('Materials')}**")
    used = [
        {
            t("Item"): item_label(line),
            t("Quantity"): quantity(line["quantity"], line["unit"]),
            t("Cost"): formatting.money(line["cost"]),
        }
        for line in order["materials"]
    ]
    st.dataframe(pd.DataFrame(used, dtype=object), hide_index=True, width="stretch")
    st.markdown(f"{t('Material cost')}: **{_money(order['material_cost'])}**")


def _next_steps(order: dict[str, Any]) -> None:
    actor, status, version, order_id = current_actor(), order["status"], order["version"], order["id"]
    buttons = st.container(horizontal=True)
    pending = order["discount_state"] == "pending"
    if (
        status == "new"
        and not pending
        and _can("orders", "edit")
        and buttons.button(t("Confirm and dispatch"), type="primary")
    ):
        result = attempt(lambda: orders.confirm_order(actor=actor, order_id=order_id, expected_version=version))
        if result is not None:
            why = escape_markdown(result["dispatch"]["reason"][language()])
            _done(
                t("Confirmed and assigned.")
                if result["dispatch"]["assigned"]
                else t("Confirmed. Nobody could be assigned: {why}", why=why)
            )
    deciding = pending and _can("discounts", "edit")
    if (
        deciding
        and buttons.button(t("Approve the discount"))
        and succeeded(
            lambda: orders.decide_discount(actor=actor, order_id=order_id, approve=True, expected_version=version)
        )
    ):
        _done(t("Discount approved."))
    if (
        deciding
        and buttons.button(t("Refuse the discount"))
        and succeeded(
            lambda: orders.decide_discount(actor=actor, order_id=order_id, approve=False, expected_version=version)
        )
    ):
        _done(t("Discount refused; the order is at full price."))
    if (
        status == "confirmed"
        and not pending
        and _can("dispatch", "edit")
        and buttons.button(t("Dispatch automatically"))
    ):
        result = attempt(lambda: dispatch.dispatch_again(actor=actor, order_id=order_id))
        if result is not None:
            _done(t("Assigned.") if result["assigned"] else escape_markdown(result["reason"][language()]))
    if (
        status == "scheduled"
        and _can("dispatch", "edit")
        and buttons.button(t("Unassign"))
        and succeeded(lambda: dispatch.unassign(actor=actor, order_id=order_id, expected_version=version))
    ):
        _done(t("Unassigned; the order waits for a technician."))
    if status in {"confirmed", "scheduled"} and not pending and _can("dispatch", "edit"):
        _assign(order)
    if "cancelled" in NEXT[status] and _can("orders", "delete"):
        _cancel(order)


def _assign(order: dict[str, Any]) -> None:
    actor = current_actor()
    people = {p["id"]: p["name"] for p in dispatch.technicians(actor=actor)}
    with st.expander(t("Assign a technician by hand")), st.form(f"order.{order['id']}.assign"):
        who = st.selectbox(
            t("Technician"), list(people), format_func=people.__getitem__, index=None, placeholder=t("Choose…")
        )
        when = st.time_input(t("Start"), value=order["window_start"], step=900)
        if st.form_submit_button(t("Assign")):
            if who is None:
                forms.error_under(msg("Choose an active technician."))
            elif succeeded(
                lambda: dispatch.assign(
                    actor=actor,
                    order_id=order["id"],
                    staff_id=who,
                    start=at(order["requested_date"], when),
                    expected_version=order["version"],
                )
            ):
                _done(t("Assigned."))


def _cancel(order: dict[str, Any]) -> None:
    actor = current_actor()
    with st.expander(t("Cancel the order")), st.form(f"order.{order['id']}.cancel"):
        reason = st.text_input(t("Why is it cancelled? *"))
        if st.form_submit_button(t("Cancel the order")) and succeeded(
            lambda: orders.cancel_order(
                actor=actor, order_id=order["id"], reason=reason, expected_version=order["version"]
            )
        ):
            _done(t("Cancelled."))


def _edit(order: dict[str, Any]) -> None:
    actor = current_actor()
    form = f"orders.edit.{order['id']}"
    saved = forms.result(form)
    if saved is not None:
        order_form.clear(form)
        _done(t("Saved."))
    version_key = f"{form}.read_version"
    if not order_form.started(form):
        order_form.start(
            form,
            {name: order[name] for name in order_form.FIELDS},
            [{"service_id": line["service_id"], "quantity": line["quantity"]} for line in order["lines"]],
        )
        st.session_state[version_key] = order["version"]
    order_form.order_form(
        form,
        lambda collected, _confirmed: orders.update_order(
            actor=actor,
            order_id=order["id"],
            values=collected["values"],
            lines=collected["lines"],
            expected_version=st.session_state[version_key],
        ),
        submit_label=t("Save changes"),
        allow_new_customer=False,
        fixed_customer=f"{order['customer_code']} · {order['customer_name']}",
    )


def _history(order: dict[str, Any]) -> None:
    rows = [
        {
            t("When"): formatting.moment(e["at"]),
            t("Who"): e["actor_name"],
            t("From"): t(STATUSES[e["from_status"]]) if e["from_status"] else "",
            t("To"): t(STATUSES[e["to_status"]]),
            t("Note"): e["note"] or "",
        }
        for e in order["events"]
    ]
    st.dataframe(pd.DataFrame(rows, dtype=object), hide_index=True, width="stretch")
