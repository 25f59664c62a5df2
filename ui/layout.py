"""The frame around every page: the sidebar with who is signed in, language, logout, and the way to
report a problem met on the page."""

from __future__ import annotations

import streamlit as st

from core.actor import Actor
from core.config import get_settings
from core.permissions import ROLES
from ui import auth
from ui.context import t
from ui.language import language_switch
from ui.problem_report import report_action
from ui.text import escape_markdown


def sidebar(actor: Actor, page: str) -> None:
    """`page`: the url path of the page being shown (empty for home), kept with a problem report."""
    with st.sidebar:
        st.caption(get_settings().company_name)
        st.markdown(f"**{escape_markdown(actor.display_name)}**")
        st.caption(" · ".join(t(ROLES[role]) for role in sorted(actor.roles) if role in ROLES))
        language_switch()
        report_action(actor, page)
        st.button(t("Log out"), on_click=auth.request_logout, icon=":material/logout:", key="opsdesk.logout")
