"""Money received per day and payment method, with refunds and the net; downloadable."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.services import finance
from core.services.payments import METHODS
from ui.context import current_actor, language, t
from ui.downloads import download

actor = current_actor()
st.title(t("Settlement report"))
period = st.date_input(t("Between"), value=(today() - timedelta(days=6), today()), key="settlement.dates")
date_from, date_to = (period[0], period[-1]) if period else (today(), today())
rows = finance.settlement(actor=actor, date_from=date_from, date_to=date_to)
lang = language()
download(
    t("Download CSV"),
    lambda: finance.settlement_csv(actor=actor, date_from=date_from, date_to=date_to, language=lang),
    "settlement",
    key="settlement.export",
)
if not rows:
    st.info(t("Nothing was received in these days."))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("Day"): formatting.day(r["day"]),
                    t("Method"): t(METHODS[r["method"]]),
                    t("Payments"): r["payments"],
                    t("Received"): formatting.money(r["received"]),
                    t("Refunded"): formatting.money(r["refunded"]),
                    t("Net"): formatting.money(r["net"]),
                }
                for r in rows
            ],
            dtype=object,
        ),
        hide_index=True,
        width="stretch",
    )
