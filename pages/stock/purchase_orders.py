"""Purchase orders: the list by status, and a new one (supplier, items, quantities, costs)."""

from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.permissions import allowed
from core.services import purchasing
from core.services.purchasing import STATUSES
from core.services.stock import items
from ui import forms, item_lines
from ui.context import current_actor, language, md, t
from ui.feedback import flash, show_flash
from ui.navigation import page_script
from ui.tables import pick_row

KEY = "purchase_orders"
FORM = "purchase_orders.new"
LINE_FIELDS = ("quantity", "unit_cost")
actor = current_actor()
state = st.session_state


def new_purchase_order() -> None:
    created = forms.result(FORM)
    if created is not None:
        item_lines.clear(FORM)
        flash("purchase-order", md("Draft {number} created.", number=created["number"]))
        st.switch_page(page_script("purchase-order"), query_params={"id": str(created["id"])})
    errors = forms.errors_of(FORM)
    with st.expander(t("New purchase order"), expanded=bool(errors)):
        suppliers = {o.id: f"{o.code} · {o.label.get(language())}" for o in items.options(actor=actor)["suppliers"]}
        left, right = st.columns(2)
        with left:
            st.selectbox(
                t("Supplier *"),
                list(suppliers),
                format_func=suppliers.__getitem__,
                index=None,
                key=f"{FORM}.supplier_id",
                placeholder=t("Choose…"),
            )
            forms.error_under(errors.get("supplier_id"))
        right.date_input(t("Expected on"), key=f"{FORM}.expected_on", value=None)
        item_lines.start(FORM, [{}], LINE_FIELDS)
        item_lines.editor(
            FORM,
            {"quantity": t("Quantity *"), "unit_cost": t("Unit cost *")},
            errors,
            add_label=t("Add an item"),
        )
        st.text_area(t("Notes"), key=f"{FORM}.notes", height=70)
        forms.show_notice(FORM)

        def collect() -> dict[str, Any]:
            return {
                "supplier_id": state.get(f"{FORM}.supplier_id"),
                "expected_on": state.get(f"{FORM}.expected_on"),
                "notes": state.get(f"{FORM}.notes") or "",
                "lines": item_lines.collect(FORM, LINE_FIELDS),
            }

        st.button(
            t("Save the draft"),
            type="primary",
            on_click=forms.run_action,
            args=(FORM, collect, lambda v, _c: purchasing.create_purchase_order(actor=actor, **v), False),
        )


st.title(t("Purchase orders"))
show_flash(KEY)
if allowed(actor.roles, "purchasing", "create"):
    new_purchase_order()
statuses = st.multiselect(
    t("Status"),
    list(STATUSES),
    format_func={status: t(label) for status, label in STATUSES.items()}.__getitem__,
    key=f"{KEY}.statuses",
    placeholder=t("All"),
)
found = purchasing.list_purchase_orders(actor=actor, statuses=tuple(statuses))
if not found:
    st.info(t("Nothing found."))
    st.stop()
frame = pd.DataFrame(
    [
        {
            t("Number"): po["number"],
            t("Supplier"): po["supplier_name"],
            t("Status"): t(STATUSES[po["status"]]),
            t("Expected on"): formatting.day(po["expected_on"]),
            t("Total"): formatting.money(po["total"]),
            t("Created"): formatting.moment(po["created_at"]),
        }
        for po in found
    ],
    dtype=object,
)
chosen = pick_row(KEY, frame, found)
if chosen is not None:
    st.switch_page(page_script("purchase-order"), query_params={"id": str(chosen["id"])})
