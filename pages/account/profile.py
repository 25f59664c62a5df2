"""My profile: language, and a new password (which ends my other sessions)."""

import streamlit as st

from core.i18n import LANGUAGES
from core.permissions import ROLES
from core.services import profile
from ui.auth import TOKEN_KEY
from ui.context import current_actor, t
from ui.feedback import succeeded
from ui.language import language_switch
from ui.text import escape_markdown

actor = current_actor()
st.title(t("My profile"))
st.markdown(f"**{escape_markdown(actor.display_name)}** · {escape_markdown(actor.username)}")
st.caption(" · ".join(t(ROLES[role]) for role in sorted(actor.roles) if role in ROLES))

st.subheader(t("Language"))
st.caption(t("Current: {language}", language=LANGUAGES[actor.language]))
language_switch(key="profile.language")

st.subheader(t("Change password"))
with st.form("profile.password", clear_on_submit=True, enter_to_submit=False):
    current = st.text_input(t("Current password"), type="password")
    new = st.text_input(t("New password"), type="password", help=t("At least 8 characters."))
    repeat = st.text_input(t("New password again"), type="password")
    if st.form_submit_button(t("Change password"), type="primary"):
        if new != repeat:
            st.error(t("The two new passwords differ."), icon=":material/error:")
        elif succeeded(
            lambda: profile.change_password(
                actor=actor, current_password=current, new_password=new, keep_token=st.session_state.get(TOKEN_KEY)
            )
        ):
            st.success(t("Password changed. Your other sessions have ended."))
