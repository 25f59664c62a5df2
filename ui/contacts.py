"""A customer's phones and email on a page: masked, as every service gives them, until someone
allowed to call customers (contacts.view) presses "Show contacts". Core writes each reveal in
the audit trail (who, when, which customer); the page keeps the values for this session until
"Hide contacts", so redrawing the page does not reveal (nor audit) again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.entities.customers import CUSTOMERS
from core.entities.validation import FieldError, clean_value
from core.masking import CONTACT_FIELDS
from core.permissions import allowed
from core.services.customers import reveal_contacts
from ui.context import current_actor, language, t
from ui.feedback import attempt
from ui.text import escape_markdown


def _shown() -> dict[int, dict[str, Any]]:
    """Customer id -> their contacts in full, as revealed to the person logged in now (keyed by
    their user id: whoever logs in next in the same browser tab sees none of them)."""
    return st.session_state.setdefault(f"contacts.shown.{current_actor().user_id}", {})


def may_reveal() -> bool:
    return allowed(current_actor().roles, "contacts", "view")


def revealed(customer_id: int) -> dict[str, Any] | None:
    return _shown().get(customer_id) if may_reveal() else None


def remember(customer_id: int, values: Mapping[str, Any]) -> None:
    """After a save of the contacts: what was just typed (cleaned as core stores it) stays shown."""
    if revealed(customer_id) is None:
        return
    stored = {}
    for name in CONTACT_FIELDS:
        try:
            stored[name] = clean_value(CUSTOMERS.field(name), values.get(name), {})
        except FieldError:  # core refused it too, and the form says why
            return
    _shown()[customer_id] = {**_shown()[customer_id], **stored}


def hide(customer_id: int) -> None:
    _shown().pop(customer_id, None)
    for key in [k for k in st.session_state if str(k).startswith(f"customers.edit.{customer_id}.contacts.")]:
        del st.session_state[key]


def controls(customer_id: int, key: str) -> dict[str, Any] | None:
    """The Show / Hide contacts button, for those who may reveal; the contacts once shown."""
    if not may_reveal():
        return None
    shown = revealed(customer_id)
    if shown is None:
        if st.button(
            t("Show contacts"),
            key=f"{key}.show",
            icon=":material/visibility:",
            help=t("Shows this customer's full phones and email; the view is written in the audit log."),
        ):
            found = attempt(lambda: reveal_contacts(customer_id, actor=current_actor()))
            if found is not None:
                _shown()[customer_id] = found
                st.rerun()
        return None
    if st.button(t("Hide contacts"), key=f"{key}.hide", icon=":material/visibility_off:"):
        hide(customer_id)
        st.rerun()
    return shown


def contact_lines(customer_id: int | None, key: str) -> None:
    """Under a chosen customer (order form, follow-up): the button, then the full contacts."""
    if customer_id is None:
        return
    shown = controls(customer_id, key)
    if shown is None:
        return
    labels = {name: CUSTOMERS.field(name).label.get(language()) for name in CONTACT_FIELDS}
    lines = [
        f"{escape_markdown(labels[name])}: {escape_markdown(str(shown[name]))}"
        for name in CONTACT_FIELDS
        if shown.get(name)
    ]
    st.markdown("  \n".join(lines))
