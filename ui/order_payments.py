"""An order's payments: what was received and given back, and the forms to take a payment
or give a refund."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.permissions import allowed
from core.services import payments
from core.services.payments import METHODS
from ui.context import current_actor, t
from ui.feedback import succeeded


def _can(module: str, action: str) -> bool:
    return allowed(current_actor().roles, module, action)


def order_payments(order: dict[str, Any], done: Callable[[str], None]) -> None:
    """The order's payments and refunds, and the forms to take one (`done` says what happened)."""
    actor = current_actor()
    rows = payments.payments_of(actor=actor, order_id=order["id"])
    if rows:
        table = [
            {
                t("When"): formatting.moment(p["received_at"]),
                t("Kind"): t("Refund") if p["kind"] == "refund" else t("Payment"),
                t("Method"): t(METHODS[p["method"]]),
                t("Amount"): formatting.money(p["amount"]),
                t("Reference"): p["reference"] or "",
                t("Reason"): p["reason"] or "",
            }
            for p in rows
        ]
        st.dataframe(pd.DataFrame(table, dtype=object), hide_index=True, width="stretch")
    else:
        st.info(t("No payments yet."))
    if order["status"] != "cancelled" and order["balance"] > 0 and _can("payments", "create"):
        _money_form(order, done, refund=False)
    if order["paid"] - order["refunded"] > 0 and _can("refunds", "create"):
        _money_form(order, done, refund=True)


def _money_form(order: dict[str, Any], done: Callable[[str], None], *, refund: bool) -> None:
    actor = current_actor()
    title = t("Give a refund") if refund else t("Take a payment")
    with st.expander(title, expanded=not refund), st.form(f"order.{order['id']}.{'refund' if refund else 'pay'}"):
        default = float(order["paid"] - order["refunded"]) if refund else float(order["balance"])
        amount = st.number_input(t("Amount"), min_value=0.0, value=default, step=10.0, format="%.2f")
        method = st.selectbox(t("Method"), list(METHODS), format_func={m: t(METHODS[m]) for m in METHODS}.__getitem__)
        reference = st.text_input(t("Reference (transaction number)"))
        reason = st.text_input(t("Why is money given back? *")) if refund else ""
        if st.form_submit_button(title):
            call = (
                (
                    lambda: payments.refund(
                        actor=actor,
                        order_id=order["id"],
                        amount=f"{amount:.2f}",
                        method=method,
                        reason=reason,
                        reference=reference,
                    )
                )
                if refund
                else (
                    lambda: payments.record_payment(
                        actor=actor, order_id=order["id"], amount=f"{amount:.2f}", method=method, reference=reference
                    )
                )
            )
            if succeeded(call):
                done(t("Refund recorded.") if refund else t("Payment recorded."))
