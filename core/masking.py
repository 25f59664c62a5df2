"""Masking contact details for people who may not see them in full (138****1234)."""

from __future__ import annotations


def mask(value: str) -> str:
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) >= 7:
        return f"{value[:3]}****{value[-4:]}"
    if len(value) > 2:
        return f"{value[:1]}***{value[-1:]}"
    return "***"
