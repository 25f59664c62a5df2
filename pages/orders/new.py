"""A new order for an existing or a new customer; never created twice by a double click."""

import uuid

import streamlit as st

from core.services import orders
from ui import forms, order_form
from ui.context import current_actor, md, t
from ui.feedback import flash
from ui.navigation import page_script

FORM = "orders.new"
actor = current_actor()
st.title(t("New order"))
created = forms.result(FORM)
if created is not None:
    order_form.clear(FORM)
    flash("order", md("Order {number} saved.", number=created["number"]))
    st.switch_page(page_script("order"), query_params={"id": str(created["id"])})
order_form.start(FORM)
# One key per form shown: a double click or a rerun sends the same key, and core returns
# the order already made instead of making a second one.
st.session_state.setdefault(f"{FORM}.idempotency_key", uuid.uuid4().hex)


def save(collected: dict, confirmed: bool) -> dict:
    return orders.create_order(
        actor=actor,
        values=collected["values"],
        lines=collected["lines"],
        new_customer=collected["new_customer"],
        confirm_duplicate=confirmed,
        idempotency_key=st.session_state[f"{FORM}.idempotency_key"],
    )


order_form.order_form(FORM, save, submit_label=t("Save the order"), allow_new_customer=True)
