"""Helpers of the dispatch tests: orders placed for a customer record, confirmed, and read in wall-clock time."""

from __future__ import annotations

import uuid
from datetime import time
from decimal import Decimal

from core.clock import local
from core.services import orders
from tests.factories import order_values


def place(clerk, customer, area, service, quantity="10", **changes) -> dict:
    return orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area, **changes),
        lines=[{"service_id": service, "quantity": Decimal(quantity)}],
        idempotency_key=str(uuid.uuid4()),
    )


def confirm(clerk, order: dict) -> dict:
    return orders.confirm_order(actor=clerk, order_id=order["id"], expected_version=order["version"])


def confirmed_waiting(clerk, customer, area, service, **changes) -> dict:
    """A confirmed order nobody could take (made before any technician exists)."""
    waiting = confirm(clerk, place(clerk, customer, area, service, **changes))
    assert waiting["status"] == "confirmed"
    return waiting


def wall(moment) -> time:
    return local(moment).time()
