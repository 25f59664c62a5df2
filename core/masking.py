"""Masking contact details for people who may not see them in full (138****1234)."""

from __future__ import annotations

from typing import Any


def mask(value: str) -> str:
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) >= 7:
        return f"{value[:3]}****{value[-4:]}"
    if len(value) > 2:
        return f"{value[:1]}***{value[-1:]}"
    return "***"


# A customer's contacts: masked in every service's answer; in full only through
# core.services.customers.reveal_contacts, which writes the view in the audit trail.
CONTACT_FIELDS = ("phone", "phone_alt", "email")


def masked_contacts(row: dict[str, Any], fields: tuple[str, ...] = CONTACT_FIELDS) -> dict[str, Any]:
    """A copy of `row` with the contact fields it has masked (empty ones stay empty)."""
    return {key: mask(str(value)) if key in fields and value else value for key, value in row.items()}


def is_mask_of(value: object, stored: object) -> bool:
    """Whether `value` is just the masked form of the stored value (sent back by a form)."""
    return bool(value) and bool(stored) and value == mask(str(stored))
