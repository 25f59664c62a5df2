"""Payments and refunds on an order: partial payments, the balance, prepayment, and who refunds what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import OpsdeskError, PermissionDenied
from core.services import finance, orders, payments
from tests.factories import order_values
from tests.integration.order_support import field_errors, finish, pay, scheduled

# --- Payments ----------------------------------------------------------------------------


def test_partial_payments_reduce_the_balance_and_the_order_is_paid_when_nothing_is_left(
    clerk, area, customer, carpet, liu, liu_staff
):
    order = finish(liu, scheduled(clerk, customer, area, carpet))
    first = pay(clerk, order, "100", "wechat", reference="WX123")
    assert (first["status"], first["paid"], first["balance"]) == ("completed", Decimal("100.00"), Decimal("69.60"))
    second = pay(clerk, order, "69.60", "alipay")
    assert (second["status"], second["balance"]) == ("paid", Decimal("0.00"))
    assert second["paid_at"] is not None
    recorded = payments.payments_of(actor=clerk, order_id=order["id"])
    assert [(p["kind"], p["method"], p["amount"], p["reference"]) for p in recorded] == [
        ("payment", "wechat", Decimal("100.00"), "WX123"),
        ("payment", "alipay", Decimal("69.60"), None),
    ]


def test_a_payment_above_the_balance_is_refused_and_names_the_balance(clerk, area, customer, carpet, liu, liu_staff):
    order = finish(liu, scheduled(clerk, customer, area, carpet))
    pay(clerk, order, "100")
    errors = field_errors(pay, actor=clerk, order=order, amount="69.61")
    assert set(errors) == {"amount"} and "69.60" in errors["amount"]
    assert payments.payments_of(actor=clerk, order_id=order["id"])[-1]["amount"] == Decimal("100.00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", "NaN"])
def test_an_amount_that_is_not_a_positive_sum_in_fen_is_refused(clerk, area, customer, carpet, liu_staff, amount):
    order = scheduled(clerk, customer, area, carpet)
    assert set(field_errors(pay, actor=clerk, order=order, amount=amount)) == {"amount"}
    assert payments.payments_of(actor=clerk, order_id=order["id"]) == []


def test_an_unknown_payment_method_is_refused(clerk, area, customer, carpet, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    assert set(field_errors(pay, actor=clerk, order=order, amount="10", method="bitcoin")) == {"method"}


def test_a_cancelled_order_takes_no_payment(clerk, area, customer, carpet):
    created = orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": "10"}],
        idempotency_key="k1",
    )
    orders.cancel_order(actor=clerk, order_id=created["id"], reason="改期", expected_version=created["version"])
    with pytest.raises(OpsdeskError):
        pay(clerk, created, "10")


def test_an_order_paid_in_advance_becomes_paid_when_completed(clerk, area, customer, carpet, liu, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    prepaid = pay(clerk, order, "169.60", "card")
    assert prepaid["status"] == "scheduled"  # not done yet
    done = finish(liu, prepaid)
    assert (done["status"], done["balance"]) == ("paid", Decimal("0.00"))
    events = orders.get_order(actor=clerk, order_id=order["id"])["events"]
    assert [e["to_status"] for e in events][-2:] == ["completed", "paid"]


# --- Refunds -----------------------------------------------------------------------------


def test_only_a_manager_refunds(clerk, manager, area, customer, carpet, liu, liu_staff):
    order = finish(liu, scheduled(clerk, customer, area, carpet))
    pay(clerk, order, "169.60")
    with pytest.raises(PermissionDenied):
        payments.refund(actor=clerk, order_id=order["id"], amount="10", method="cash", reason="划痕")
    refunded = payments.refund(actor=manager, order_id=order["id"], amount="10", method="cash", reason="划痕")
    # A refund is a credit: the money comes back, the order stays settled and owes nothing.
    assert (refunded["refunded"], refunded["balance"], refunded["status"]) == (Decimal("10.00"), Decimal(0), "paid")
    assert payments.payments_of(actor=manager, order_id=order["id"])[-1]["reason"] == "划痕"


def test_a_refund_needs_a_reason(clerk, manager, area, customer, carpet, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    pay(clerk, order, "50")
    errors = field_errors(payments.refund, actor=manager, order_id=order["id"], amount="10", method="cash", reason="  ")
    assert set(errors) == {"reason"}


def test_a_refund_never_exceeds_what_was_received(clerk, manager, area, customer, carpet, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    pay(clerk, order, "50")
    payments.refund(actor=manager, order_id=order["id"], amount="30", method="cash", reason="部分退款")
    errors = field_errors(
        payments.refund, actor=manager, order_id=order["id"], amount="20.01", method="cash", reason="再退"
    )
    assert set(errors) == {"amount"} and "20.00" in errors["amount"]
    payments.refund(actor=manager, order_id=order["id"], amount="20", method="cash", reason="全部退回")
    after = orders.get_order(actor=clerk, order_id=order["id"])
    assert (after["paid"] - after["refunded"], after["balance"]) == (Decimal(0), Decimal("119.60"))


def test_a_refund_on_a_paid_order_reopens_nothing_so_it_cannot_be_paid_twice(
    clerk, manager, area, customer, carpet, liu, liu_staff
):
    order = finish(liu, scheduled(clerk, customer, area, carpet))
    pay(clerk, order, "169.60")
    payments.refund(actor=manager, order_id=order["id"], amount="20", method="wechat", reason="服务补偿")
    errors = field_errors(payments.record_payment, actor=clerk, order_id=order["id"], amount="20", method="cash")
    assert set(errors) == {"amount"}
    assert finance.receivables(actor=manager)["rows"] == []


def test_nothing_can_be_refunded_before_money_is_received(clerk, manager, area, customer, carpet, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    errors = field_errors(payments.refund, actor=manager, order_id=order["id"], amount="1", method="cash", reason="x")
    assert set(errors) == {"amount"}
