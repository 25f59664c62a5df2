"""Staff: who covers which areas with which skills (dispatch reads this), with a warning when
certificates have expired or expire soon."""

import streamlit as st

from core.services import people
from core.services.staff import staff
from ui.context import current_actor, t
from ui.entity_pages import list_page

alerts = people.certificate_alerts(actor=current_actor())
list_page(staff, detail="staff-member", new="staff-new")
if alerts["expired"]:
    st.error(t("{count} certificate(s) have expired and were not renewed.", count=alerts["expired"]))
if alerts["expiring"]:
    st.warning(t("{count} certificate(s) expire within 30 days.", count=alerts["expiring"]))
