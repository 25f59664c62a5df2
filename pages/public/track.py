"""Where is my order? Open to anyone: the order number and the phone on the order."""

import streamlit as st

from core import formatting
from core.config import get_settings
from core.tracking import TooManyLookups, client_address, look_up
from ui.context import md, t
from ui.language import language_switch

st.title(t("Check your order"))
language_switch(key="track.language")
st.caption(get_settings().company_name)
with st.form("track"):
    number = st.text_input(t("Order number"), placeholder="SO-2026-000123")
    phone = st.text_input(t("Phone number on the order"), type="phone", placeholder="138 1234 5678")
    asked = st.form_submit_button(t("Check"), type="primary")
if asked:
    # Misses are counted per client address, per order number and overall.
    client = client_address(
        st.context.ip_address, st.context.headers.get("X-Forwarded-For"), get_settings().trusted_proxy
    )
    try:
        status = look_up(number, phone, client=client)
    except TooManyLookups as refused:
        st.error(md(refused.message))
    else:
        if status is None:
            st.warning(t("We found no order with that number and phone. Check both, or call us."))
        else:
            st.success(f"**{status.number}** · {t(status.explained)}")
            if status.scheduled_start:
                window = f"{formatting.moment(status.scheduled_start)} – {formatting.moment(status.scheduled_end)}"
                st.markdown(t("Booked for {window}.", window=window))
            if status.technician:
                st.markdown(md("Your technician: {name}.", name=status.technician))
