"""Discounts above the clerks' limit, waiting for a manager."""

import streamlit as st

from core import formatting
from core.services import orders
from ui.context import current_actor, t
from ui.navigation import link
from ui.text import escape_markdown

actor = current_actor()
st.title(t("Discount approvals"))
waiting = orders.pending_discounts(actor=actor)
if not waiting:
    st.info(t("No discount is waiting for approval."))
for order in waiting:
    with st.container(border=True):
        customer = escape_markdown(order["customer_name"])
        st.markdown(
            f"**{order['number']}** · {customer} · {escape_markdown(formatting.money(order['subtotal']))} · "
            f"{t('Discount {pct}%', pct=order['discount_pct'])}"
        )
        link("order", t("Open the order to decide"), query_params={"id": order["id"]})
