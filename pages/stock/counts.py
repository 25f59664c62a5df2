"""Stock counts: those under way and done, and a new one for every item or one category."""

import pandas as pd
import streamlit as st

from core import formatting
from core.permissions import allowed
from core.services import counts
from ui import forms
from ui.context import current_actor, md, t
from ui.feedback import flash, show_flash
from ui.navigation import page_script
from ui.stock_widgets import CATEGORY_VALUES, COUNT_STATUSES, category_name
from ui.tables import pick_row

KEY = "counts"
FORM = "counts.new"
actor = current_actor()
state = st.session_state

st.title(t("Stock counts"))
show_flash(KEY)
if allowed(actor.roles, "stock", "create"):
    opened = forms.result(FORM)
    if opened is not None:
        flash("count", md("Count {number} opened.", number=opened["number"]))
        st.switch_page(page_script("stock-count"), query_params={"id": str(opened["id"])})
    with st.container(border=True):
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        scopes = {category: category_name(category) for category in (None, *CATEGORY_VALUES)}
        left.selectbox(
            t("Items to count"),
            list(scopes),
            format_func=scopes.__getitem__,
            key=f"{FORM}.category",
        )
        right.button(
            t("Open a count"),
            type="primary",
            on_click=forms.run_action,
            args=(
                FORM,
                lambda: {"category": state.get(f"{FORM}.category")},
                lambda values, _c: counts.open_count(actor=actor, **values),
                False,
            ),
        )
        with left:
            forms.error_under(forms.errors_of(FORM).get("category"))
        forms.show_notice(FORM)

found = counts.list_counts(actor=actor)
if not found:
    st.info(t("No stock count yet."))
    st.stop()
frame = pd.DataFrame(
    [
        {
            t("Number"): row["number"],
            t("Items to count"): category_name(row["category"]),
            t("Status"): t(COUNT_STATUSES[row["status"]]),
            t("Opened"): formatting.moment(row["created_at"]),
            t("Approved"): formatting.moment(row["approved_at"]),
        }
        for row in found
    ],
    dtype=object,
)
chosen = pick_row(KEY, frame, found)
if chosen is not None:
    st.switch_page(page_script("stock-count"), query_params={"id": str(chosen["id"])})
