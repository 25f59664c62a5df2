"""What runs low (on hand plus on order below the reorder level), and the purchase plan: the
proposed quantities per supplier, each a draft purchase order in one click."""

import pandas as pd
import streamlit as st

from core import formatting
from core.permissions import allowed
from core.services import purchasing
from ui.context import current_actor, md, t
from ui.downloads import download_table
from ui.feedback import attempt, flash
from ui.navigation import page_script
from ui.stock_widgets import item_label, quantity
from ui.text import escape_markdown

actor = current_actor()
st.title(t("Low stock"))
low = purchasing.low_stock(actor=actor)
if not low:
    st.success(t("Nothing runs low."))
    st.stop()

frame = pd.DataFrame(
    [
        {
            t("Item"): item_label(row),
            t("On hand"): quantity(row["on_hand"], row["unit"]),
            t("On order"): quantity(row["on_order"]),
            t("Reorder level"): quantity(row["reorder_level"]),
            t("Suggested"): quantity(row["suggested"]),
            t("Preferred supplier"): row["supplier_name"] or "—",
        }
        for row in low
    ],
    dtype=object,
)
st.dataframe(frame, hide_index=True, width="stretch")
download_table(t("Download CSV"), frame, "low-stock", key="low_stock.download")

st.header(t("Purchase plan"))
drafting = allowed(actor.roles, "purchasing", "create")
for proposal in purchasing.purchase_plan(actor=actor):
    supplier = proposal["supplier_id"]
    with st.container(border=True):
        name = proposal["supplier_name"] or t("No preferred supplier")
        st.subheader(escape_markdown(f"{name} · {formatting.money(proposal['total'])}"))
        lines = pd.DataFrame(
            [
                {
                    t("Item"): item_label(row),
                    t("Quantity"): quantity(row["suggested"], row["unit"]),
                    t("Unit cost"): formatting.money(row["unit_cost"]),
                }
                for row in proposal["lines"]
            ],
            dtype=object,
        )
        st.dataframe(lines, hide_index=True, width="stretch")
        if supplier is None:
            st.caption(t("Choose a preferred supplier on these items to order them from the plan."))
        elif drafting and st.button(t("Create a draft purchase order"), key=f"low_stock.draft.{supplier}"):
            made = attempt(lambda supplier=supplier: purchasing.draft_from_plan(actor=actor, supplier_id=supplier))
            if made is not None:
                flash("purchase-order", md("Draft {number} created.", number=made["number"]))
                st.switch_page(page_script("purchase-order"), query_params={"id": str(made["id"])})
