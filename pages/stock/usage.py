"""Where the materials go: use per item and month, per service, per technician; material cost
per order; the value of the stock; what no longer moves. Every table downloads as CSV.
Only the open tab asks core for its figures (a year of use takes a few seconds to add up)."""

from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.services import stock_usage
from ui.context import current_actor, t
from ui.downloads import download_table
from ui.stock_widgets import category_name, item_label, quantity, unit_name

KEY = "usage"
actor = current_actor()


def show(rows: list[dict[str, Any]], stem: str, *, empty: str | None = None) -> None:
    if not rows:
        st.info(empty or t("Nothing in this period."))
        return
    frame = pd.DataFrame(rows, dtype=object)
    st.dataframe(frame, hide_index=True, width="stretch")
    download_table(t("Download CSV"), frame, stem, key=f"{KEY}.{stem}")


def used(row: dict[str, Any]) -> dict[str, Any]:
    return {
        t("Item"): item_label(row),
        t("Quantity"): quantity(row["quantity"]),
        t("Unit"): unit_name(row["unit"]),
        t("Cost"): formatting.money(row["cost"]),
    }


def by_month(span: dict[str, Any]) -> None:
    rows = stock_usage.by_month(actor=actor, **span)
    show([{t("Month"): r["month"], **used(r)} for r in rows], "usage-by-month")


def by_service(span: dict[str, Any]) -> None:
    rows = stock_usage.by_service(actor=actor, **span)
    show(
        [{t("Service"): t("Other") if r["service"] == "other" else r["service"], **used(r)} for r in rows],
        "usage-by-service",
    )


def by_technician(span: dict[str, Any]) -> None:
    rows = stock_usage.by_technician(actor=actor, **span)
    show([{t("Technician"): r["technician"], **used(r)} for r in rows], "usage-by-technician")


def cost_per_order(span: dict[str, Any]) -> None:
    rows = [
        {
            t("Number"): r["number"],
            t("Requested"): formatting.day(r["requested_date"]),
            t("Customer"): r["customer_name"],
            t("Earned before tax"): formatting.money(r["earned"]),
            t("Material cost"): formatting.money(r["material_cost"]),
            t("Share %"): "" if r["share"] is None else formatting.number(r["share"]),
        }
        for r in stock_usage.order_costs(actor=actor, **span)
    ]
    show(rows, "material-cost-per-order")


def stock_value(_span: dict[str, Any]) -> None:
    value = stock_usage.stock_value(actor=actor)
    st.metric(t("Stock value"), formatting.money(value["total"]))
    rows = [
        {
            t("Item"): item_label(r),
            t("Category"): category_name(r["category"]),
            t("On hand"): quantity(r["on_hand"], r["unit"]),
            t("Unit cost"): formatting.money(r["unit_cost"]),
            t("Value"): formatting.money(r["value"]),
        }
        for r in value["rows"]
    ]
    show(rows, "stock-value", empty=t("No stock items yet."))


def slow_moving(_span: dict[str, Any]) -> None:
    days = st.number_input(t("Not issued for (days)"), min_value=1, max_value=3650, value=90, key=f"{KEY}.days")
    st.caption(t("Items in stock not issued in the last {days} days, or never.", days=int(days)))
    rows = [
        {
            t("Item"): item_label(r),
            t("On hand"): quantity(r["on_hand"], r["unit"]),
            t("Last issued"): formatting.day(r["last_issue"]) or t("Never"),
            t("Value"): formatting.money(r["value"]),
        }
        for r in stock_usage.slow_moving(actor=actor, days=int(days))
    ]
    show(rows, "slow-moving", empty=t("Everything in stock has moved lately."))


st.title(t("Material usage"))
period = st.date_input(t("Between"), value=(today() - timedelta(days=365), today()), key=f"{KEY}.dates")
span = {"date_from": period[0] if period else None, "date_to": period[1] if len(period) > 1 else None}
views = {
    t("By month"): by_month,
    t("By service"): by_service,
    t("By technician"): by_technician,
    t("Cost per order"): cost_per_order,
    t("Stock value"): stock_value,
    t("Slow-moving"): slow_moving,
}
for tab, draw in zip(st.tabs(list(views), on_change="rerun"), views.values(), strict=True):
    if tab.open is not False:  # None: the tab's state is not tracked (draw it anyway)
        with tab:
            draw(span)
