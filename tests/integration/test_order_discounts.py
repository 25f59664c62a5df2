"""Discounts on orders: the allowed range, a clerk's and a manager's limits, approval and refusal
of a discount above the limit, and what a pending discount holds back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import ConcurrentEdit, OpsdeskError, PermissionDenied
from core.models import Order
from core.services import orders, payments
from tests.factories import make_user
from tests.integration.order_support import count, edit, events, place, refused, version_of

# --- Within the limit --------------------------------------------------------------------


@pytest.mark.parametrize("discount", ["100.01", "-1", "abc"])
def test_a_discount_outside_zero_to_a_hundred_percent_is_refused(manager, area, customer, carpet, discount):
    errors = refused(
        place, actor=manager, customer_id=customer["id"], area=area, service_id=carpet, discount_pct=discount
    )
    assert set(errors) == {"discount_pct"}
    assert count(Order) == 0


def test_a_discount_within_the_clerk_s_limit_is_applied_at_once(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="20", discount_pct=Decimal(10))
    assert (created["discount_amount"], created["tax_amount"], created["total"]) == (
        Decimal("16.00"),
        Decimal("8.64"),
        Decimal("152.64"),
    )
    assert created["discount_state"] == "approved"
    assert created["discount_decided_by_id"] == clerk.user_id


def test_a_manager_s_own_discount_within_twenty_percent_needs_no_approval(manager, area, customer, carpet):
    created = place(manager, customer["id"], area, carpet, discount_pct=Decimal(20))
    assert created["discount_state"] == "approved" and created["discount_decided_by_id"] == manager.user_id


# --- Discounts above the limit -----------------------------------------------------------


def test_a_discount_above_the_clerk_s_limit_waits_and_the_order_cannot_be_confirmed(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, discount_pct=Decimal(15))
    assert created["discount_state"] == "pending" and created["discount_decided_by_id"] is None
    assert [row["id"] for row in orders.pending_discounts(actor=make_user("boss", "manager"))] == [created["id"]]
    with pytest.raises(OpsdeskError) as refusal:
        orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    assert "approval" in str(refusal.value.message)
    assert orders.get_order(actor=clerk, order_id=created["id"])["status"] == "new"


def test_a_manager_s_approval_is_recorded_with_who_and_when_and_the_order_can_then_be_confirmed(
    clerk, manager, area, customer, carpet
):
    created = place(clerk, customer["id"], area, carpet, quantity="20", discount_pct=Decimal(15))
    approved = orders.decide_discount(
        actor=manager, order_id=created["id"], approve=True, note="loyal customer", expected_version=version_of(created)
    )
    assert approved["discount_state"] == "approved"
    assert approved["discount_decided_by_id"] == manager.user_id and approved["discount_decided_at"] is not None
    assert approved["total"] == created["total"] == Decimal("144.16")  # 160 - 24 + 6% tax
    assert "discount approved: loyal customer" in [e.note for e in events(created["id"])]
    current = orders.get_order(actor=clerk, order_id=created["id"])
    confirmed = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=current["version"])
    assert confirmed["status"] == "confirmed"


def test_the_decision_returns_the_order_as_stored_so_the_page_can_go_on_with_it(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, discount_pct=Decimal(15))
    approved = orders.decide_discount(
        actor=manager, order_id=created["id"], approve=True, expected_version=version_of(created)
    )
    stored = orders.get_order(actor=clerk, order_id=created["id"])
    assert (approved["version"], approved["updated_by_id"]) == (stored["version"], stored["updated_by_id"])


def test_a_refused_discount_is_removed_and_the_total_computed_again(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="20", discount_pct=Decimal(15))
    decided = orders.decide_discount(
        actor=manager, order_id=created["id"], approve=False, expected_version=version_of(created)
    )
    assert (decided["discount_state"], decided["discount_pct"], decided["discount_amount"]) == (
        "rejected",
        Decimal(0),
        Decimal("0.00"),
    )
    assert (decided["tax_amount"], decided["total"]) == (Decimal("9.60"), Decimal("169.60"))
    assert decided["discount_decided_by_id"] == manager.user_id
    stored = orders.get_order(actor=clerk, order_id=created["id"])
    assert stored["total"] == Decimal("169.60")


def test_only_a_manager_decides_discounts_and_only_pending_ones(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, discount_pct=Decimal(15))
    with pytest.raises(PermissionDenied):
        orders.decide_discount(actor=clerk, order_id=created["id"], approve=True, expected_version=version_of(created))
    orders.decide_discount(actor=manager, order_id=created["id"], approve=True, expected_version=version_of(created))
    with pytest.raises(OpsdeskError):
        orders.decide_discount(
            actor=manager, order_id=created["id"], approve=False, expected_version=version_of(created)
        )


def test_a_manager_s_large_discount_waits_for_another_manager(manager, area, customer, carpet):
    created = place(manager, customer["id"], area, carpet, discount_pct=Decimal(50))
    assert created["discount_state"] == "pending"
    with pytest.raises(OpsdeskError, match="Someone other than"):
        orders.decide_discount(
            actor=manager, order_id=created["id"], approve=True, expected_version=version_of(created)
        )
    second = make_user("second.manager", "manager")
    approved = orders.decide_discount(
        actor=second, order_id=created["id"], approve=True, expected_version=version_of(created)
    )
    assert approved["discount_decided_by_id"] == second.user_id


def test_a_manager_decides_on_the_discount_they_saw_not_one_changed_since(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, discount_pct=Decimal(15))
    seen = version_of(created)
    edit(clerk, created, discount_pct=Decimal(80), expected_version=seen)
    with pytest.raises(ConcurrentEdit):
        orders.decide_discount(actor=manager, order_id=created["id"], approve=True, expected_version=seen)
    assert orders.get_order(actor=manager, order_id=created["id"])["discount_state"] == "pending"


def test_raising_the_discount_above_the_limit_in_an_edit_sends_it_back_for_approval(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, discount_pct=Decimal(5))
    assert edit(clerk, created, discount_pct=Decimal(20))["discount_state"] == "pending"


def test_a_pending_discount_stops_dispatch_work_and_payment(clerk, manager, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    confirmed = orders.confirm_order(actor=clerk, order_id=created["id"], expected_version=created["version"])
    edited = edit(clerk, confirmed, discount_pct=Decimal(90), expected_version=confirmed["version"])
    assert edited["discount_state"] == "pending"
    with pytest.raises(OpsdeskError, match="approval"):
        payments.record_payment(actor=clerk, order_id=created["id"], amount="1", method="cash")
    from core.services import dispatch

    with pytest.raises(OpsdeskError, match="approval"):
        dispatch.dispatch_again(actor=clerk, order_id=created["id"])
