"""The customer's history on their page: orders, total spent, last order, rating, open balance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.order_status import STATUSES
from core.services import orders
from ui.context import current_actor, t
from ui.navigation import link, page_script
from ui.tables import pick_row


def customer_orders(customer: Mapping[str, Any]) -> None:
    summary = orders.customer_summary(actor=current_actor(), customer_id=customer["id"])
    count, spent, last, rating, balance = st.columns(5)
    count.metric(t("Orders"), summary["count"])
    spent.metric(t("Spent"), formatting.money(summary["spent"]))
    last.metric(t("Last order"), formatting.day(summary["last_order"]) or "—")
    rating.metric(t("Average rating"), summary["average_rating"] or "—")
    balance.metric(t("Open balance"), formatting.money(summary["open_balance"]))
    link("order-new", t("New order"), icon=":material/add:")
    if not summary["orders"]:
        st.info(t("No orders yet."))
        return
    frame = pd.DataFrame(
        [
            {
                t("Number"): o["number"],
                t("Requested"): formatting.day(o["requested_date"]),
                t("Status"): t(STATUSES[o["status"]]),
                t("Total"): formatting.money(o["total"]),
                t("Balance due"): formatting.money(o["balance"]),
                t("Rating"): "★" * (o["rating"] or 0),
            }
            for o in summary["orders"]
        ],
        dtype=object,
    )
    chosen = pick_row(f"customer.{customer['id']}.orders", frame, summary["orders"])
    if chosen is not None:
        st.switch_page(page_script("order"), query_params={"id": str(chosen["id"])})
