"""What customers still owe, by age: 0–30, 31–60, 61–90 and over 90 days; overdue marked."""

import pandas as pd
import streamlit as st

from core import formatting
from core.services import finance
from ui.context import current_actor, t
from ui.downloads import download_table

actor = current_actor()
st.title(t("Receivables"))
owed = finance.receivables(actor=actor)
first, second = st.columns(len(owed["buckets"])), st.columns(2)
for column, (name, amount) in zip(first, owed["buckets"].items(), strict=True):
    column.metric(t("{bucket} days", bucket=name), formatting.money(amount))
second[0].metric(t("Overdue (over {days} days)", days=owed["terms_days"]), formatting.money(owed["overdue"]))
second[1].metric(t("Orders with money due"), len(owed["rows"]))
rows = pd.DataFrame(
    [
        {
            t("Number"): r["number"],
            t("Customer"): r["customer_name"],
            t("Phone"): r["customer_phone"],
            t("Completed"): formatting.day(r["completed_on"]),
            t("Days"): r["age_days"],
            t("Age"): r["bucket"],
            t("Overdue"): "⚠" if r["overdue"] else "",
            t("Total"): formatting.money(r["total"]),
            t("Balance due"): formatting.money(r["balance"]),
        }
        for r in owed["rows"]
    ],
    dtype=object,
)
if rows.empty:
    st.info(t("Nothing is owed."))
else:
    st.dataframe(rows, hide_index=True, width="stretch")
    download_table(t("Export CSV"), rows, "receivables", key="receivables.export")
