"""Shifts: who works when (dispatch only books technicians on shift). A shift may end after midnight."""

from datetime import time, timedelta

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import local, today
from core.i18n import msg
from core.permissions import allowed
from core.services import reference
from core.services import staff as staff_services
from ui import forms
from ui.context import current_actor, language, t
from ui.feedback import flash, show_flash, succeeded

actor = current_actor()
st.title(t("Shifts"))
show_flash("shifts")
people = {
    row["id"]: row["name"]
    for row in staff_services.staff.search(actor=actor, page_size=100).rows
    if row["status"] != "left"
}
areas = {o.id: o.label.get(language()) for o in reference.service_areas(actor=actor)}
period = st.date_input(t("Between"), value=(today(), today() + timedelta(days=6)), key="shifts.dates")
date_from, date_to = (period[0], period[-1]) if period else (today(), today())

if allowed(actor.roles, "staff", "create"):
    with st.expander(t("Add a shift")), st.form("shifts.add"):
        who = st.selectbox(
            t("Staff member *"), list(people), format_func=people.__getitem__, index=None, placeholder=t("Choose…")
        )
        day = st.date_input(t("Day *"), value=today())
        begin, end = st.columns(2)
        start = begin.time_input(t("From *"), value=time(8), step=1800)
        finish = end.time_input(t("To *"), value=time(17), step=1800, help=t("Earlier than the start: the next day."))
        area = st.selectbox(t("Service area"), [None, *areas], format_func={None: "—", **areas}.__getitem__)
        if st.form_submit_button(t("Add")):
            if who is None:
                forms.error_under(msg("Choose someone who still works here."))
            elif succeeded(
                lambda: staff_services.add_shift(
                    actor=actor, staff_id=who, day=day, start=start, end=finish, area_id=area
                )
            ):
                flash("shifts", t("Shift added."))
                st.rerun()

shifts = staff_services.shifts_between(actor=actor, date_from=date_from, date_to=date_to)
if not shifts:
    st.info(t("No shifts in these days."))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("Day"): formatting.day(s["day"]),
                    t("Staff member"): s["staff_name"],
                    t("From"): f"{local(s['starts_at']):%H:%M}",
                    t("To"): f"{local(s['ends_at']):%m-%d %H:%M}",
                    t("Service area"): areas.get(s["area_id"], ""),
                }
                for s in shifts
            ],
            dtype=object,
        ),
        hide_index=True,
        width="stretch",
    )
