"""Purchase suggestions from the consumption forecast: per item the reorder point (forecast use
over the supplier's lead time plus safety stock for the service level) against stock on hand and on
order, and the quantity to order; one draft purchase order per supplier in one click, for a
manager to approve as any other (core.services.suggestions, core.suggestions)."""

from decimal import Decimal

import pandas as pd
import streamlit as st

from core import formatting
from core.config import get_settings
from core.permissions import allowed
from core.services import suggestions
from ui.context import current_actor, md, t
from ui.downloads import download_table
from ui.feedback import attempt, flash, show_flash
from ui.navigation import page_script
from ui.stock_widgets import item_label, quantity
from ui.text import escape_markdown

KEY = "suggestions"
ORDERS = "purchase_orders"  # the purchase orders page's flash
actor = current_actor()

st.title(t("Purchase suggestions"))
show_flash(KEY)
level = st.number_input(
    t("Service level (%)"),
    min_value=50.1,
    max_value=99.9,
    value=float(get_settings().service_level * 100),
    step=0.5,
    key=f"{KEY}.level",
    help=t("The chance of not running out before a delivery arrives: higher means more safety stock."),
)
found = attempt(lambda: suggestions.purchase_suggestions(actor=actor, service_level=Decimal(str(level)) / 100))
if found is None:
    st.stop()
if found["message"] is not None:
    (st.warning if found["run"] is not None else st.info)(md(found["message"]))
if found["run"] is None:
    st.stop()
run = found["run"]
st.caption(
    t(
        "From forecast run {run} (history up to {day}); reorder point = use over the lead time + safety stock.",
        run=run["id"],
        day=f"{run['as_of']:%Y-%m-%d}",
    )
)

frame = pd.DataFrame(
    [
        {
            t("Item"): item_label(row),
            t("Supplier"): row["supplier_name"] or "—",
            t("Lead time (days)"): row["lead_time_days"] if row["lead_time_days"] is not None else "—",
            t("Use over the lead time"): quantity(row["lead_demand"], row["unit"]),
            t("Safety stock"): quantity(row["safety_stock"]),
            t("Reorder point"): quantity(row["reorder_point"]),
            t("On hand"): quantity(row["on_hand"]),
            t("On order"): quantity(row["on_order"]),
            t("To order"): quantity(row["suggested"]) if row["order"] else "",
            t("Model"): row["model"],
        }
        for row in found["rows"]
    ],
    dtype=object,
)
ordering = [row for row in found["rows"] if row["order"]]
st.metric(t("Items to order"), len(ordering), help=t("Of {count} items with a forecast.", count=len(found["rows"])))
st.dataframe(frame, hide_index=True, width="stretch")
download_table(t("Download CSV"), frame, "purchase-suggestions", key=f"{KEY}.download")

st.header(t("Draft purchase orders"))
if not found["groups"]:
    st.success(t("Nothing to order: stock on hand and on order covers every reorder point."))
for group in found["groups"]:
    with st.container(border=True):
        name = group["supplier_name"] or t("No preferred supplier")
        st.subheader(escape_markdown(f"{name} · {formatting.money(group['total'])}"))
        lines = pd.DataFrame(
            [
                {
                    t("Item"): item_label(row),
                    t("Quantity"): quantity(row["suggested"], row["unit"]),
                    t("Unit cost"): formatting.money(row["unit_cost"]),
                    t("Note"): "; ".join(t(note) for note in row["notes"]),
                }
                for row in group["lines"]
            ],
            dtype=object,
        )
        st.dataframe(lines, hide_index=True, width="stretch")
drafting = found["groups"] and allowed(actor.roles, "purchasing", "create")
if drafting and st.button(t("Create the draft purchase orders"), type="primary", key=f"{KEY}.draft"):
    made = attempt(lambda: suggestions.draft_suggested_orders(actor=actor, service_level=Decimal(str(level)) / 100))
    if made is not None:
        numbers = ", ".join(order["number"] for order in made["orders"])
        skipped = "".join(f"  \n{row['sku']}: {md(row['reason'])}" for row in made["skipped"])
        flash(ORDERS, md("Drafts {numbers} created: submit them for approval.", numbers=numbers) + skipped)
        st.switch_page(page_script("purchase-orders"))
if found["without_forecast"]:
    with st.expander(t("Items without a forecast ({count})", count=len(found["without_forecast"]))):
        st.dataframe(
            pd.DataFrame(
                [
                    {t("Item"): item_label(row), t("On hand"): quantity(row["on_hand"], row["unit"]),
                     t("Why"): t(row["reason"])}
                    for row in found["without_forecast"]
                ],
                dtype=object,
            ),
            hide_index=True,
            width="stretch",
        )  # fmt: skip
