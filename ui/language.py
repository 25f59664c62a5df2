"""Switching the interface language; a signed-in person's choice is kept in their profile."""

from __future__ import annotations

import streamlit as st

from core.actor import Actor
from core.i18n import LANGUAGES
from core.services import profile
from ui.context import ACTOR_KEY, LANGUAGE_KEY, language, t


def _save_language(key: str) -> None:
    chosen = st.session_state.get(key)
    if not chosen:
        return
    st.session_state[LANGUAGE_KEY] = chosen
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    if actor is not None and actor.language != chosen:
        profile.set_language(actor=actor, language=chosen)
        st.session_state[ACTOR_KEY] = actor.__class__(**{**actor.__dict__, "language": chosen})


def language_switch(key: str = "opsdesk.language_choice") -> None:
    """English / 简体中文, kept in the person's profile once they are signed in."""
    st.session_state[key] = language()
    st.segmented_control(
        t("Language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=key,
        on_change=_save_language,
        args=(key,),
        label_visibility="collapsed",
    )
