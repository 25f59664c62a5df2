"""Receiving goods: against an ordered purchase order, item by item with the scanner (it types
the code and Enter), or without one (a sample, a transfer), with a reason."""

from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import ValidationFailed
from core.i18n import Message, msg
from core.permissions import allowed
from core.services import purchasing, stock
from core.services.purchasing import OverReceipt
from ui import forms
from ui.context import current_actor, md, query_id, t
from ui.feedback import flash, show_flash
from ui.stock_widgets import chosen_item, item_label, quantity, scan_box, show_chosen
from ui.text import escape_markdown

KEY = "receive"
FREE = "receive.free"
actor = current_actor()
state = st.session_state


def pending_of(po_id: int) -> dict[int, Decimal]:
    """What was scanned so far for the purchase order, by line (not yet posted)."""
    return state.setdefault(f"{KEY}.{po_id}.pending", {})


def on_po(po: dict[str, Any]) -> Any:
    def add(item: dict[str, Any]) -> Message | None:
        line = next((line for line in po["lines"] if line["item_id"] == item["id"]), None)
        if line is None:
            return msg("{sku} is not on purchase order {number}.", sku=item["sku"], number=po["number"])
        try:
            each = Decimal(str(state.get(f"{KEY}.each") or "1").strip())
        except InvalidOperation:
            each = Decimal("NaN")
        if not each.is_finite():
            return msg("Type the quantity per scan as a number.")
        pending = pending_of(po["id"])
        pending[line["id"]] = pending.get(line["id"], Decimal(0)) + each
        return None

    return add


def receive_or_warn(po_id: int, receipts: list[dict[str, Any]], confirmed: bool) -> dict[str, Any]:
    try:
        return purchasing.receive_goods(actor=actor, po_id=po_id, receipts=receipts, confirm_over=confirmed)
    except OverReceipt as over:
        return {"over": over.lines}


def after_receiving(po_id: int) -> None:
    """The outcome of the Receive button (its callback ran before this run): the over-receipt
    question, or the goods in stock (then the purchase order may have left the list)."""
    form = f"{KEY}.{po_id}"
    done = forms.result(form)
    if done is not None and "over" in done:
        state[f"{form}.over"] = done["over"]
    elif done is not None:
        state.pop(f"{form}.over", None)
        pending_of(po_id).clear()
        flash(KEY, md("Goods received on {number}.", number=done["number"]))
        st.rerun()


def against_po() -> None:
    if state.get(f"{KEY}.po") is not None:
        after_receiving(state[f"{KEY}.po"])
    ordered = {po["id"]: po for po in purchasing.list_purchase_orders(actor=actor, statuses=("ordered",))}
    linked = query_id("po")
    if linked in ordered and state.get(f"{KEY}.linked") != linked:  # opened from the purchase order
        state[f"{KEY}.linked"] = state[f"{KEY}.po"] = linked
    if state.get(f"{KEY}.po") not in ordered:
        state[f"{KEY}.po"] = None
    if not ordered:
        st.info(t("No purchase order is waiting for goods."))
        return
    labels = {po_id: f"{po['number']} · {po['supplier_name']}" for po_id, po in ordered.items()}
    po_id = st.selectbox(
        t("Purchase order"),
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        key=f"{KEY}.po",
        placeholder=t("Choose…"),
    )
    if po_id is not None:
        receiving(ordered[po_id])


def receiving(po: dict[str, Any]) -> None:
    form = f"{KEY}.{po['id']}"
    each, scan = st.columns([1, 3], vertical_alignment="top")
    each.text_input(t("Quantity per scan"), value="1", key=f"{KEY}.each")
    with scan:
        scan_box(f"{KEY}.scan", on_po(po))
    pending = pending_of(po["id"])
    lines = {line["id"]: line for line in po["lines"]}
    rows = [
        {
            t("Item"): item_label(lines[line_id]),
            t("Ordered"): quantity(lines[line_id]["quantity"], lines[line_id]["unit"]),
            t("Received before"): quantity(lines[line_id]["received"]),
            t("Receiving now"): quantity(amount),
        }
        for line_id, amount in pending.items()
    ]
    if not rows:
        st.caption(t("Scan each item as it is unpacked; it appears here."))
        return
    st.dataframe(pd.DataFrame(rows, dtype=object), hide_index=True, width="stretch")
    receipts = [{"line_id": line_id, "quantity": amount} for line_id, amount in pending.items()]
    errors = forms.errors_of(form)
    for index, receipt in enumerate(receipts):
        problem = errors.get(f"receipts.{index}.quantity") or errors.get(f"receipts.{index}.line_id")
        if problem is not None:
            item = escape_markdown(item_label(lines[receipt["line_id"]]))
            st.error(f"{item}: {md(problem)}", icon=":material/error:")
    forms.show_notice(form)
    action = lambda collected, confirmed: receive_or_warn(po["id"], collected, confirmed)  # noqa: E731
    over = state.get(f"{form}.over")
    buttons = st.container(horizontal=True)
    buttons.button(
        t("Receive"), type="primary", on_click=forms.run_action, args=(form, lambda: receipts, action, False)
    )
    if buttons.button(t("Start again"), key=f"{form}.clear"):
        pending.clear()
        state.pop(f"{form}.over", None)
        st.rerun()
    if over:
        listed = "\n".join(
            "- "
            + md(
                "{item}: ordered {ordered}, received before {received}, now {now}",
                item=item_label(lines[row["line_id"]]),
                ordered=quantity(row["ordered"]),
                received=quantity(row["received"]),
                now=quantity(row["now"]),
            )
            for row in over
        )
        st.warning(t("More than ordered is being received:") + "\n\n" + listed)
        st.button(t("Receive anyway"), on_click=forms.run_action, args=(form, lambda: receipts, action, True))


def free_chosen(item: dict[str, Any]) -> Message | None:
    state[f"{FREE}.item"] = item
    if not state.get(f"{FREE}.unit_cost"):
        state[f"{FREE}.unit_cost"] = str(item["unit_cost"])
    return None


def receive_free(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
    item = chosen_item(FREE)
    if item is None:
        raise ValidationFailed({"item_id": msg("Scan or type the item's code first.")})
    return stock.receive(actor=actor, item_id=item["id"], **values)


def without_po() -> None:
    done = forms.result(FREE)
    if done is not None:
        item = chosen_item(FREE)
        for name in ("item", "quantity", "unit_cost", "reason"):
            state.pop(f"{FREE}.{name}", None)
        flash(
            KEY,
            md(
                "Received {item}; on hand now {balance}.",
                item=item_label(item),
                balance=quantity(done["balance_after"]),
            ),
        )
        st.rerun()
    errors = forms.errors_of(FREE)
    scan_box(FREE, free_chosen)
    forms.error_under(errors.get("item_id"))
    show_chosen(FREE)
    left, middle = st.columns(2)
    with left:
        st.text_input(t("Quantity *"), key=f"{FREE}.quantity")
        forms.error_under(errors.get("quantity"))
    with middle:
        st.text_input(t("Unit cost *"), key=f"{FREE}.unit_cost")
        forms.error_under(errors.get("unit_cost"))
    st.text_input(t("Why does it come in without a purchase order? *"), key=f"{FREE}.reason")
    forms.error_under(errors.get("reason"))
    forms.show_notice(FREE)
    collect = lambda: {name: state.get(f"{FREE}.{name}") or "" for name in ("quantity", "unit_cost", "reason")}  # noqa: E731
    st.button(
        t("Receive into stock"), type="primary", on_click=forms.run_action, args=(FREE, collect, receive_free, False)
    )


st.title(t("Receive goods"))
show_flash(KEY)
tabs = dict(zip(("po", "free"), st.tabs([t("Against a purchase order"), t("Without a purchase order")]), strict=True))
with tabs["po"]:
    if allowed(actor.roles, "purchasing", "edit"):
        against_po()
    else:
        st.info(t("Your role does not receive against purchase orders."))
with tabs["free"]:
    without_po()
