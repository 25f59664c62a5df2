"""Opsdesk's entrypoint: page config, the login gate, and navigation built from the user's roles.

Every rerun resumes the session from the store, so a logout elsewhere, a password
change or a disabled account takes effect at the next click.
"""

from __future__ import annotations

import streamlit as st

import core.services  # noqa: F401  (registers every service with its permission)
from core import crypto_store
from core.config import get_settings
from core.crypto import KeyProblem
from core.scheduler import Scheduler, standard_jobs
from ui import auth, error_record, layout, navigation

st.set_page_config(page_title="Opsdesk", page_icon=":material/support_agent:", layout="wide")


@st.cache_resource
def _key_problem() -> str | None:
    """Checked once per server process: keys that cannot decrypt the store stop every page."""
    try:
        crypto_store.check_key()
    except KeyProblem as problem:
        return str(problem)
    return None


if (key_problem := _key_problem()) is not None:
    st.error(key_problem)
    st.stop()


@st.cache_resource
def _error_record() -> bool:
    """The last errors of the process, for the admin's health page (once per server process)."""
    error_record.install()
    return True


_error_record()


@st.cache_resource
def _daily_work() -> Scheduler | None:
    """One scheduler per server process (contract orders now; backups later)."""
    return Scheduler(standard_jobs()).start() if get_settings().scheduler else None


_daily_work()

authenticate = auth.authenticator()
actor = auth.gate(authenticate)
if actor is None:
    page = st.navigation(navigation.login_pages(lambda: auth.login_view(authenticate)), position="hidden")
else:
    page = st.navigation(navigation.pages_for(actor))
    error_record.note_page(page.url_path)
    layout.sidebar(actor, page.url_path)
    with st.sidebar:  # last in the sidebar: when it goes, no element of the page moves (and shows twice)
        auth.write_cookie(authenticate)  # after a login, until the browser has stored the cookie
page.run()
