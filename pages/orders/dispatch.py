"""The dispatch board: each technician's shifts and jobs for a day, and the orders still waiting."""

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import local, today
from core.order_status import STATUSES
from core.services import dispatch
from ui.context import current_actor, language, t
from ui.navigation import link
from ui.text import escape_markdown

actor = current_actor()
st.title(t("Dispatch board"))
day = st.date_input(t("Day"), value=today(), key="dispatch.day")
board = dispatch.board(actor=actor, day=day)

waiting = board["waiting"]
st.subheader(t("Waiting for a technician ({count})", count=len(waiting)))
for order in waiting:
    with st.container(border=True):
        reason = (order["assignment_reason"] or {}).get(language(), "")
        st.markdown(
            f"**{order['number']}** · {escape_markdown(order['customer_name'])} · "
            f"{order['window_start']:%H:%M}–{order['window_end']:%H:%M}  \n{escape_markdown(reason)}"
        )
        link("order", t("Open to assign"), query_params={"id": order["id"]})

st.subheader(t("Technicians"))
for person in board["technicians"]:
    shifts = ", ".join(f"{local(s):%H:%M}–{local(e):%H:%M}" for s, e in person["shifts"]) or t("off")
    with st.expander(
        f"{person['name']} · {shifts} · {t('{count} jobs', count=len(person['jobs']))}", expanded=bool(person["jobs"])
    ):
        if person["jobs"]:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            t("From"): f"{local(j['scheduled_start']):%H:%M}",
                            t("To"): f"{local(j['scheduled_end']):%H:%M}",
                            t("Number"): j["number"],
                            t("Customer"): j["customer_name"],
                            t("Status"): t(STATUSES[j["status"]]),
                            t("Address"): j["address"],
                            t("Total"): formatting.money(j["total"]),
                        }
                        for j in person["jobs"]
                    ],
                    dtype=object,
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption(t("No jobs."))
