"""Helpers of the customer tests: counting, and customers that never look like duplicates."""

from __future__ import annotations

from sqlalchemy import func, select

from core import db
from core.models import Customer
from core.services.customers import customers
from tests.factories import customer_values


def count_customers() -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(Customer)).scalar_one()


def phone(n: int) -> str:
    return f"139{n:08d}"


def add(area: int, clerk, n: int, **changes) -> dict:
    """A customer with its own phone and email, so no duplicate question is asked."""
    values = customer_values(area, **{"phone": phone(n), "email": f"c{n}@example.com", **changes})
    return customers.create(actor=clerk, values=values)
