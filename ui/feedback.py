"""Showing the outcome of a service call: its result, or its error in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from core.errors import OpsdeskError, ValidationFailed
from ui.context import md

T = TypeVar("T")


def succeeded(call: Callable[[], object]) -> bool:
    """Run a service call; on a refusal show why, right here, and return False."""
    try:
        call()
    except ValidationFailed as failed:
        for message in failed.errors.values():
            st.error(md(message), icon=":material/error:")
        return False
    except OpsdeskError as error:
        st.error(md(error.message))
        return False
    return True


def attempt(call: Callable[[], T]) -> T | None:
    """Like `succeeded`, for calls whose result the page needs."""
    box: list[T] = []
    return box[0] if succeeded(lambda: box.append(call())) else None


def flash(key: str, message: str) -> None:
    """A message to show once on the next run (after a callback or a page switch)."""
    st.session_state[f"flash.{key}"] = message


def show_flash(key: str) -> None:
    message = st.session_state.pop(f"flash.{key}", None)
    if message:
        st.success(message)
