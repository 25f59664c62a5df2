"""Material out to an order, or unused material back from one: scan or type the item's code,
the order's number, the quantity; a refusal names what is on hand."""

from typing import Any

import streamlit as st

from core.errors import ValidationFailed
from core.i18n import msg
from core.services import orders, stock
from core.stock import InsufficientStock
from ui import forms
from ui.context import current_actor, md, t
from ui.feedback import flash, show_flash
from ui.stock_widgets import choose, chosen_item, item_label, movements_frame, quantity, scan_box, show_chosen

FORM = "issue"
FIELDS = ("quantity", "reason")
actor = current_actor()
state = st.session_state


def order_id_of(number: str) -> int | None:
    number = (number or "").strip()
    if not number:
        return None  # core says which order is missing
    found = orders.find_order(actor=actor, number=number)
    if found is None:
        raise ValidationFailed({"order_id": msg("No order has the number {number}.", number=number)})
    return found


def move(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
    item = chosen_item(FORM)
    if item is None:
        raise ValidationFailed({"item_id": msg("Scan or type the item's code first.")})
    order_id = order_id_of(values.pop("order"))
    call = stock.issue if state.get(f"{FORM}.mode") == "issue" else stock.take_back
    try:
        return call(actor=actor, item_id=item["id"], order_id=order_id, **values)
    except InsufficientStock as short:  # said under the quantity, where the person looks
        raise ValidationFailed({"quantity": short.message}) from short


st.title(t("Issue and take back"))
show_flash(FORM)
done = forms.result(FORM)
if done is not None:
    item = chosen_item(FORM)
    for name in ("item", *FIELDS):
        state.pop(f"{FORM}.{name}", None)
    flash(
        FORM, md("Done: {item}, on hand now {balance}.", item=item_label(item), balance=quantity(done["balance_after"]))
    )
    st.rerun()

state.setdefault(f"{FORM}.mode", "issue")
modes = {"issue": t("Issue to an order"), "return": t("Take back from an order")}
st.radio(
    t("What happens"),
    list(modes),
    format_func=modes.__getitem__,
    key=f"{FORM}.mode",
    horizontal=True,
    label_visibility="collapsed",
)
errors = forms.errors_of(FORM)
scan_box(FORM, choose(FORM))
forms.error_under(errors.get("item_id"))
show_chosen(FORM)
left, right = st.columns(2)
with left:
    st.text_input(t("Order number *"), key=f"{FORM}.order", placeholder="SO-2025-000123")
    forms.error_under(errors.get("order_id"))
with right:
    st.text_input(t("Quantity *"), key=f"{FORM}.quantity")
    forms.error_under(errors.get("quantity"))
st.text_input(t("Reason"), key=f"{FORM}.reason")
forms.error_under(errors.get("reason"))
forms.show_notice(FORM)
collect = lambda: {name: state.get(f"{FORM}.{name}") or "" for name in ("order", *FIELDS)}  # noqa: E731
label = t("Issue") if state.get(f"{FORM}.mode") == "issue" else t("Take back")
st.button(label, type="primary", on_click=forms.run_action, args=(FORM, collect, move, False))

typed = str(state.get(f"{FORM}.order") or "").strip()
order_id = orders.find_order(actor=actor, number=typed) if typed else None
if order_id is not None:
    st.subheader(md("Material moved for {number}", number=typed.upper()))
    moved = stock.ledger(actor=actor, order_id=order_id, page_size=100)
    if moved.rows:
        st.dataframe(movements_frame(moved.rows), hide_index=True, width="stretch")
    else:
        st.caption(t("Nothing yet."))
