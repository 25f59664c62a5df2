"""Helpers of the order page tests: the orders stored, saving a form, and the page's title."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.services import orders

NEW = "orders.new"


def stored() -> list[dict[str, Any]]:
    return orders.search_orders(actor=SYSTEM, page_size=100).rows


def save(at: AppTest, key: str = f"{NEW}.save") -> AppTest:
    at.button(key=key).click()
    return at.run()


def title(at: AppTest) -> str:
    return at.title[0].value
