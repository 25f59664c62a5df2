"""The record of the last errors (core/error_log.py) in the server: installed once per process, told
the page and the user of the session an error happens in."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import error_log
from core.config import get_settings
from ui.context import ACTOR_KEY

PAGE_KEY = "opsdesk.page"


def _where() -> tuple[str | None, str | None]:
    """The page (url path) and username of the session whose script is running, if any: errors of the
    scheduler's thread have neither."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None, None
    actor = st.session_state.get(ACTOR_KEY)
    return st.session_state.get(PAGE_KEY), actor.username if actor is not None else None


def install() -> None:
    """Keep the last errors in memory and in data_dir/logs/errors.jsonl (read back at start)."""
    error_log.install(get_settings().data_dir / "logs", context=_where)


def note_page(url_path: str) -> None:
    """The page this run shows, for an error it may meet."""
    st.session_state[PAGE_KEY] = url_path or "home"
