"""What a customer's orders add up to: count, spent, last order, average rating, open balance."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.clock import today
from core.services import jobs, orders, payments
from tests.factories import make_customer, make_service, make_technician, order_values


def tomorrow() -> date:
    """Worked out at each use: a run may cross the company's midnight."""
    return today() + timedelta(days=1)


@pytest.fixture
def carpet(store) -> int:
    return make_service("CARPET", price="8.00", minutes="1.5")


@pytest.fixture
def customer(area) -> dict:
    return make_customer(area)


def place(clerk, customer, area, carpet, quantity="20", **changes) -> dict:
    return orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area, **changes),
        lines=[{"service_id": carpet, "quantity": Decimal(quantity)}],
        idempotency_key=str(uuid.uuid4()),
    )


def completed(clerk, manager, customer, area, carpet, rating=None, **changes) -> dict:
    """An order done (total 169.60), rated as given."""
    created = place(clerk, customer, area, carpet, **changes)
    booked = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    started = jobs.start_job(actor=manager, order_id=created["id"], expected_version=booked["version"])
    return jobs.complete_job(actor=manager, order_id=created["id"], expected_version=started["version"], rating=rating)


def summary(actor, customer) -> dict:
    return orders.customer_summary(actor=actor, customer_id=customer["id"])


def test_a_customer_without_orders_has_an_empty_history(clerk, customer):
    assert summary(clerk, customer) == {
        "orders": [],
        "spent": Decimal(0),
        "last_order": None,
        "average_rating": None,
        "open_balance": Decimal(0),
        "count": 0,
    }


def test_the_history_adds_up_the_customer_s_orders(clerk, manager, area, customer, carpet):
    make_technician("刘强", area, shift_day=tomorrow())
    make_technician("王五", area, shift_day=tomorrow())
    paid = completed(clerk, manager, customer, area, carpet, rating=5)
    payments.record_payment(actor=clerk, order_id=paid["id"], amount="169.60", method="wechat")
    payments.refund(actor=manager, order_id=paid["id"], amount="20", method="wechat", reason="少做一间")
    owing = completed(clerk, manager, customer, area, carpet, rating=4)
    payments.record_payment(actor=clerk, order_id=owing["id"], amount="100", method="cash")
    unrated = completed(clerk, manager, customer, area, carpet)
    cancelled = place(clerk, customer, area, carpet)
    orders.cancel_order(actor=clerk, order_id=cancelled["id"], reason="改期", expected_version=cancelled["version"])
    latest = place(clerk, customer, area, carpet, requested_date=tomorrow() + timedelta(days=5))

    found = summary(clerk, customer)
    assert found["count"] == 4  # the cancelled order is not counted
    assert found["spent"] == Decimal("249.60")  # 169.60 + 100 - 20 refunded
    assert found["last_order"] == latest["requested_date"]
    assert found["average_rating"] == 4.5  # the unrated order does not count
    assert found["open_balance"] == Decimal("69.60") + Decimal("169.60")  # completed orders only
    assert found["orders"][0]["number"] == latest["number"]
    assert {row["number"] for row in found["orders"]} == {
        paid["number"],
        owing["number"],
        unrated["number"],
        cancelled["number"],
        latest["number"],
    }
    by_number = {row["number"]: row for row in found["orders"]}
    assert (by_number[owing["number"]]["balance"], by_number[owing["number"]]["rating"]) == (Decimal("69.60"), 4)


def test_an_open_balance_counts_only_work_that_is_done(clerk, area, customer, carpet):
    prepaid = place(clerk, customer, area, carpet)
    payments.record_payment(actor=clerk, order_id=prepaid["id"], amount="50", method="cash")
    found = summary(clerk, customer)
    assert (found["open_balance"], found["spent"], found["count"]) == (Decimal(0), Decimal("50.00"), 1)


def test_other_customers_orders_are_not_counted(clerk, area, customer, carpet):
    other = make_customer(area, name="李娜", phone="139 1111 2222", email="lina@example.com")
    place(clerk, other, area, carpet)
    assert summary(clerk, customer)["count"] == 0
    assert summary(clerk, other)["count"] == 1


def test_the_average_rating_is_rounded_to_one_decimal(clerk, manager, area, customer, carpet):
    make_technician("刘强", area, shift_day=tomorrow())
    for rating in (5, 4, 4):
        completed(clerk, manager, customer, area, carpet, rating=rating)
    assert summary(clerk, customer)["average_rating"] == 4.3
