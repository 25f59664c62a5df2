"""The signed-in person and their language, for the current browser session."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from core.actor import Actor
from core.config import get_settings
from core.i18n import Bilingual, Message, translate

ACTOR_KEY = "opsdesk.actor"
LANGUAGE_KEY = "opsdesk.language"


def current_actor() -> Actor:
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:  # pages only run behind the login gate in app.py
        st.stop()
    return actor


def language() -> str:
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        return actor.language
    return st.session_state.get(LANGUAGE_KEY) or get_settings().language


def t(text: str | Message | Bilingual, /, **params: Any) -> str:
    """Translate for the reader of this session (the one translation function, bound to them)."""
    return translate(text, language(), **params)


def md(text: str | Message | Bilingual, /, **params: Any) -> str:
    """`t` for Markdown-rendering elements (st.error, st.success…): values people typed that
    appear in the message are escaped, so they show as typed and never as formatting."""
    if isinstance(text, Message):
        params = {**text.params, **params}
        text = text.text
    return translate(text, language(), **{key: _escaped(value) for key, value in params.items()})


def _escaped(value: Any) -> Any:
    from ui.text import escape_markdown

    return escape_markdown(value) if isinstance(value, str) else value


def query_id(name: str = "id") -> int | None:
    """A record id from the address (?id=42), or None for anything that is not a plain id."""
    raw = st.query_params.get(name, "")
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None
