"""Cleaning free text before it reaches a query."""

from __future__ import annotations

import unicodedata


def without_control_characters(text: str) -> str:
    """Text minus invisible control characters (a NUL would make PostgreSQL refuse the query)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
