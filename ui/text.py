"""Showing text people typed exactly as typed."""

from __future__ import annotations

MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=&")


def escape_markdown(text: str) -> str:
    """User-typed text inside Markdown is shown as typed, never as formatting or HTML."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in text)
