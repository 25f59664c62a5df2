"""Helpers of the order, job and payment tests: placing, editing and finishing orders, paying them,
and reading back what was written."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import db
from core.actor import SYSTEM
from core.clock import today
from core.errors import ValidationFailed
from core.i18n import translate
from core.models import OrderEvent
from core.services import jobs, orders, payments
from tests.factories import order_values


def tomorrow() -> date:
    """Worked out at each use: a run may cross the company's midnight."""
    return today() + timedelta(days=1)


# --- Taking orders -----------------------------------------------------------------------


def key() -> str:
    return str(uuid.uuid4())


def place(actor, customer_id, area, service_id, quantity="10", *, idempotency_key=None, **changes) -> dict:
    return orders.create_order(
        actor=actor,
        values=order_values(customer_id, area, **changes),
        lines=[{"service_id": service_id, "quantity": Decimal(quantity)}],
        idempotency_key=idempotency_key or key(),
    )


def count(model) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def refused(call, **kwargs) -> dict[str, str]:
    """The field errors of a refused call, in English."""
    with pytest.raises(ValidationFailed) as failure:
        call(**kwargs)
    return {name: translate(message, "en") for name, message in failure.value.errors.items()}


def events(order_id: int) -> list[OrderEvent]:
    with db.reading() as session:
        return list(
            session.execute(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)).scalars()
        )


def version_of(order: dict) -> int:
    return orders.get_order(actor=SYSTEM, order_id=order["id"])["version"]


def edit(actor, order: dict, quantity: str = "10", expected_version: int | None = None, **changes) -> dict:
    values = order_values(order["customer_id"], order["area_id"], day=order["requested_date"], **changes)
    return orders.update_order(
        actor=actor,
        order_id=order["id"],
        values=values,
        lines=[{"service_id": order["lines"][0]["service_id"], "quantity": quantity}],
        expected_version=order["version"] if expected_version is None else expected_version,
    )


# --- Jobs and payments -------------------------------------------------------------------


def scheduled(clerk, customer, area, carpet, quantity="20", **changes) -> dict:
    """An order booked for a technician (total 169.60 for 20 m²)."""
    created = orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area, **changes),
        lines=[{"service_id": carpet, "quantity": Decimal(quantity)}],
        idempotency_key=str(uuid.uuid4()),
    )
    booked = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    assert booked["status"] == "scheduled"
    return booked


def finish(technician, order: dict, **details) -> dict:
    started = jobs.start_job(actor=technician, order_id=order["id"], expected_version=order["version"])
    return jobs.complete_job(actor=technician, order_id=order["id"], expected_version=started["version"], **details)


def pay(actor, order: dict, amount: str, method: str = "cash", **extra) -> dict:
    return payments.record_payment(actor=actor, order_id=order["id"], amount=amount, method=method, **extra)


def field_errors(call, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as refused:
        call(**kwargs)
    return {name: translate(message, "en") for name, message in refused.value.errors.items()}
