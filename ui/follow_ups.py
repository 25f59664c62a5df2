"""Follow-ups as tables: the due list's rows, and the follow-ups tab of a customer's page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.services import follow_ups
from ui.context import current_actor, t
from ui.navigation import link


def follow_up_frame(rows: Sequence[Mapping[str, Any]], *, with_customer: bool = True) -> pd.DataFrame:
    """One line per follow-up; the closing columns only when some row is closed."""
    closed = any(row["done_at"] is not None for row in rows)
    lines = []
    for row in rows:
        line = {t("Due"): formatting.day(row["due_on"]), t("Overdue"): "⚠" if row["overdue"] else ""}
        if with_customer:
            line[t("Customer")] = f"{row['customer_code']} · {row['customer_name']}"
            line[t("Phone")] = row["phone"] or ""
        line[t("Note")] = row["note"]
        line[t("Origin")] = row["origin"] or ""
        line[t("Assigned to")] = row["assignee"] or ""
        if closed:
            line[t("Closed on")] = formatting.moment(row["done_at"]) if row["done_at"] else ""
            line[t("Outcome")] = row["outcome"] or ""
        lines.append(line)
    return pd.DataFrame(lines, dtype=object)


def customer_follow_ups(customer: Mapping[str, Any]) -> None:
    """A customer's page tab: their follow-ups, open ones first, and the way to add one."""
    rows = follow_ups.customer_follow_ups(actor=current_actor(), customer_id=customer["id"])
    if rows:
        open_count = sum(row["done_at"] is None for row in rows)
        st.caption(t("{count} open", count=open_count))
        st.dataframe(follow_up_frame(rows, with_customer=False), hide_index=True, width="stretch")
    else:
        st.info(t("No follow-ups for this customer yet."))
    link(
        "follow-ups",
        t("Add a follow-up"),
        icon=":material/add_alert:",
        query_params={"customer": str(customer["id"])},
    )
