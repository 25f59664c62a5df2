"""Orders: find by number, customer or phone; filter by status, date and area."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.entities.records import Page
from core.order_status import STATUSES
from core.services import orders, reference
from ui.context import current_actor, language, t
from ui.navigation import link, page_script
from ui.tables import first_page, paged_frame

KEY = "orders.list"
actor = current_actor()
st.title(t("Orders"))
query_box, status_box, dates_box, area_box = st.columns([2.2, 2.2, 2, 1.6])
query = query_box.text_input(
    t("Search"),
    key=f"{KEY}.query",
    type="search",
    on_change=first_page,
    args=(KEY,),
    placeholder=t("Order number, customer or phone"),
)
statuses = status_box.multiselect(
    t("Status"),
    list(STATUSES),
    format_func={s: t(STATUSES[s]) for s in STATUSES}.__getitem__,
    key=f"{KEY}.statuses",
    on_change=first_page,
    args=(KEY,),
)
period = dates_box.date_input(
    t("Requested between"),
    value=(today() - timedelta(days=30), today() + timedelta(days=30)),
    key=f"{KEY}.dates",
    on_change=first_page,
    args=(KEY,),
)
areas = {o.id: o.label.get(language()) for o in reference.service_areas(actor=actor)}
area = area_box.selectbox(
    t("Service area"),
    [None, *areas],
    format_func={None: t("All"), **areas}.__getitem__,
    key=f"{KEY}.area",
    on_change=first_page,
    args=(KEY,),
)
link("order-new", t("New order"), icon=":material/add:")


def frame(page: Page) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("Number"): row["number"],
                t("Customer"): row["customer_name"],
                t("Requested"): f"{formatting.day(row['requested_date'])} {row['window_start']:%H:%M}",
                t("Status"): t(STATUSES[row["status"]]),
                t("Technician"): row["technician_name"] or "",
                t("Total"): formatting.money(row["total"]),
                t("Balance due"): formatting.money(row["balance"]),
            }
            for row in page.rows
        ],
        dtype=object,
    )


_page, chosen = paged_frame(
    KEY,
    lambda number, size: orders.search_orders(
        actor=actor,
        query=query,
        statuses=tuple(statuses),
        date_from=period[0] if period else None,
        date_to=period[1] if len(period) > 1 else None,
        area_id=area,
        page=number,
        page_size=size,
    ),
    frame,
)
if chosen is not None:
    st.switch_page(page_script("order"), query_params={"id": str(chosen["id"])})
