"""Purchasing on both databases: purchase orders from draft to closed (approved by someone other
than the requester, received in parts, each part a ledger movement), what runs low, and the plan
of what to buy from whom."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.clock import today
from core.errors import OpsdeskError, PermissionDenied
from core.models import Movement, PurchaseOrder
from core.services import purchasing
from core.services.purchasing import OverReceipt
from tests.factories import make_user
from tests.integration.order_support import field_errors
from tests.integration.stock_support import (
    audit_rows,
    count,
    draft,
    english,
    item,
    make_item,
    make_supplier,
    movements,
    on_hand,
    ordered,
    receive,
    submitted,
)


@pytest.fixture
def boss(store):
    """A second manager, to approve what the first one asked for."""
    return make_user("zhaomin", "manager")


@pytest.fixture
def supplier(store) -> dict:
    return make_supplier()


@pytest.fixture
def shampoo(supplier) -> dict:
    return make_item("SHAMPOO-5L", unit_cost="80", supplier_id=supplier["id"])


@pytest.fixture
def gloves(supplier) -> dict:
    return make_item("GLOVES", unit="pair", unit_cost="5", supplier_id=supplier["id"])


# --- The whole flow ----------------------------------------------------------------------


def test_a_purchase_order_goes_from_draft_to_closed(clerk, manager, supplier, shampoo, gloves):
    po = draft(clerk, supplier, (shampoo, "10", "78"), (gloves, "50", "4.50"))
    assert (po["status"], po["requested_by_id"], po["total"]) == ("draft", clerk.user_id, Decimal("1005.00"))
    po = purchasing.submit_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    assert po["status"] == "submitted"
    po = purchasing.approve_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    assert (po["status"], po["approved_by_id"], po["approved_at"] is not None) == ("approved", manager.user_id, True)
    po = purchasing.mark_ordered(actor=clerk, po_id=po["id"], expected_version=po["version"])
    assert (po["status"], po["ordered_at"] is not None) == ("ordered", True)
    po = receive(clerk, po, "6", "50")
    assert po["status"] == "ordered"
    assert [line["received"] for line in po["lines"]] == [Decimal(6), Decimal(50)]
    po = receive(clerk, po, "4")
    assert po["status"] == "received"
    po = purchasing.close_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    assert po["status"] == "closed"
    assert (on_hand(shampoo["id"]), on_hand(gloves["id"])) == (Decimal(10), Decimal(50))


def test_each_delivery_is_a_ledger_movement_linked_to_the_purchase_order_at_its_cost(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "100"))
    receive(clerk, po, "6")
    receive(clerk, po, "4")
    deliveries = movements(shampoo["id"])
    assert [(m.kind, m.quantity, m.unit_cost) for m in deliveries] == [
        ("receipt", Decimal(6), Decimal(100)),
        ("receipt", Decimal(4), Decimal(100)),
    ]
    assert {(m.purchase_order_id, m.reason) for m in deliveries} == {(po["id"], po["number"])}
    assert item(shampoo["id"]).unit_cost == Decimal(100)


def test_purchase_orders_are_numbered_by_year(clerk, supplier, shampoo):
    first = draft(clerk, supplier, (shampoo, "1", "80"))
    second = draft(clerk, supplier, (shampoo, "2", "80"))
    year = today().year
    assert (first["number"], second["number"]) == (f"PO-{year}-000001", f"PO-{year}-000002")


def test_every_step_is_in_the_audit_trail_with_who_made_it(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    po = receive(clerk, po, "10")
    purchasing.close_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    trail = audit_rows("purchase_orders", po["id"])
    assert trail[0].action == "create" and trail[0].actor_id == clerk.user_id
    steps = [(row.changes["status"], row.actor_id) for row in trail if "status" in (row.changes or {})][1:]
    assert steps == [
        (["draft", "submitted"], clerk.user_id),
        (["submitted", "approved"], manager.user_id),
        (["approved", "ordered"], clerk.user_id),
        (["ordered", "received"], clerk.user_id),
        (["received", "closed"], manager.user_id),
    ]


# --- Approval ----------------------------------------------------------------------------


def test_the_requester_cannot_approve_their_own_purchase_order(manager, boss, supplier, shampoo):
    po = submitted(manager, supplier, (shampoo, "10", "80"))
    with pytest.raises(OpsdeskError) as refused:
        purchasing.approve_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    assert "other than the requester" in english(refused.value.message)
    assert purchasing.get_purchase_order(actor=manager, po_id=po["id"])["status"] == "submitted"
    approved = purchasing.approve_purchase_order(actor=boss, po_id=po["id"], expected_version=po["version"])
    assert (approved["status"], approved["approved_by_id"]) == ("approved", boss.user_id)


def test_a_clerk_cannot_approve_a_purchase_order(clerk, supplier, shampoo):
    other_clerk = make_user("clerk2", "clerk")
    po = submitted(other_clerk, supplier, (shampoo, "10", "80"))
    with pytest.raises(PermissionDenied):
        purchasing.approve_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    assert purchasing.get_purchase_order(actor=clerk, po_id=po["id"])["status"] == "submitted"


# --- Steps out of order ------------------------------------------------------------------


def test_a_draft_cannot_be_approved_ordered_or_closed(clerk, manager, supplier, shampoo):
    po = draft(clerk, supplier, (shampoo, "10", "80"))
    for step, actor in (
        (purchasing.approve_purchase_order, manager),
        (purchasing.mark_ordered, clerk),
        (purchasing.close_purchase_order, clerk),
    ):
        with pytest.raises(OpsdeskError) as refused:
            step(actor=actor, po_id=po["id"], expected_version=po["version"])
        assert english(refused.value.message).startswith("A purchase order that is Draft cannot become")
    assert purchasing.get_purchase_order(actor=clerk, po_id=po["id"])["status"] == "draft"


def test_a_submitted_purchase_order_cannot_be_ordered_edited_or_submitted_again(clerk, supplier, shampoo):
    po = submitted(clerk, supplier, (shampoo, "10", "80"))
    with pytest.raises(OpsdeskError):
        purchasing.mark_ordered(actor=clerk, po_id=po["id"], expected_version=po["version"])
    with pytest.raises(OpsdeskError):
        purchasing.submit_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    with pytest.raises(OpsdeskError) as refused:
        purchasing.update_purchase_order(
            actor=clerk,
            po_id=po["id"],
            lines=[{"item_id": shampoo["id"], "quantity": "99", "unit_cost": "80"}],
            expected_version=po["version"],
        )
    assert english(refused.value.message) == "Only a draft can be changed."
    assert purchasing.get_purchase_order(actor=clerk, po_id=po["id"])["lines"][0]["quantity"] == Decimal(10)


def test_goods_are_received_only_on_an_ordered_purchase_order(clerk, manager, supplier, shampoo):
    po = submitted(clerk, supplier, (shampoo, "10", "80"))
    po = purchasing.approve_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    with pytest.raises(OpsdeskError):
        receive(clerk, po, "10")
    assert count(Movement) == 0


def test_a_draft_can_be_changed_and_its_lines_are_replaced(clerk, supplier, shampoo, gloves):
    po = draft(clerk, supplier, (shampoo, "10", "80"))
    changed = purchasing.update_purchase_order(
        actor=clerk,
        po_id=po["id"],
        lines=[{"item_id": gloves["id"], "quantity": "20", "unit_cost": "5"}],
        expected_version=po["version"],
        notes=" urgent ",
    )
    assert [(line["sku"], line["quantity"]) for line in changed["lines"]] == [("GLOVES", Decimal(20))]
    assert (changed["notes"], changed["total"]) == ("urgent", Decimal(100))


# --- Receiving more than ordered ---------------------------------------------------------


def test_receiving_more_than_ordered_asks_for_confirmation_and_writes_nothing_until_then(
    clerk, manager, supplier, shampoo
):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    with pytest.raises(OverReceipt) as warned:
        receive(clerk, po, "12")
    assert warned.value.lines == [
        {"line_id": po["lines"][0]["id"], "ordered": Decimal(10), "received": Decimal(0), "now": Decimal(12)}
    ]
    assert (count(Movement), purchasing.get_purchase_order(actor=clerk, po_id=po["id"])["lines"][0]["received"]) == (
        0,
        Decimal(0),
    )
    confirmed = receive(clerk, po, "12", confirm_over=True)
    assert (confirmed["status"], confirmed["lines"][0]["received"], on_hand(shampoo["id"])) == (
        "received",
        Decimal(12),
        Decimal(12),
    )


def test_a_second_delivery_that_passes_the_ordered_quantity_asks_for_confirmation(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    receive(clerk, po, "8")
    with pytest.raises(OverReceipt):
        receive(clerk, po, "3")
    assert on_hand(shampoo["id"]) == 8


def test_two_rows_for_the_same_line_that_together_pass_the_ordered_quantity_ask_for_confirmation(
    clerk, manager, supplier, shampoo
):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    line = po["lines"][0]["id"]
    with pytest.raises(OverReceipt):
        purchasing.receive_goods(
            actor=clerk,
            po_id=po["id"],
            receipts=[{"line_id": line, "quantity": "6"}, {"line_id": line, "quantity": "6"}],
        )
    assert on_hand(shampoo["id"]) == 0


# --- Bad input ---------------------------------------------------------------------------


def test_a_purchase_order_needs_lines_with_whole_bottles_and_a_cost(clerk, supplier, shampoo):
    assert field_errors(purchasing.create_purchase_order, actor=clerk, supplier_id=supplier["id"], lines=[]) == {
        "lines": "Add at least one item."
    }
    errors = field_errors(
        purchasing.create_purchase_order,
        actor=clerk,
        supplier_id=supplier["id"],
        lines=[
            {"item_id": shampoo["id"], "quantity": "2.5", "unit_cost": "80"},
            {"item_id": shampoo["id"], "quantity": "0", "unit_cost": "-1"},
            {"item_id": 999, "quantity": "1", "unit_cost": "1"},
        ],
    )
    assert set(errors) == {"lines.0.quantity", "lines.1.quantity", "lines.1.unit_cost", "lines.2.item_id"}
    assert count(PurchaseOrder) == 0


def test_a_purchase_order_needs_a_supplier_we_work_with(clerk, shampoo):
    former = make_supplier("旧供应商", active=False)
    lines = [{"item_id": shampoo["id"], "quantity": "1", "unit_cost": "80"}]
    for supplier_id in (former["id"], 999):
        errors = field_errors(purchasing.create_purchase_order, actor=clerk, supplier_id=supplier_id, lines=lines)
        assert set(errors) == {"supplier_id"}
    assert count(PurchaseOrder) == 0


def test_a_receipt_must_name_a_line_of_the_order_and_a_quantity(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    errors = field_errors(
        purchasing.receive_goods,
        actor=clerk,
        po_id=po["id"],
        receipts=[{"line_id": 999, "quantity": "1"}, {"line_id": po["lines"][0]["id"], "quantity": "0"}],
    )
    assert set(errors) == {"receipts.0.line_id", "receipts.1.quantity"}
    assert field_errors(purchasing.receive_goods, actor=clerk, po_id=po["id"], receipts=[]) == {
        "receipts": "Enter what arrived."
    }
    assert count(Movement) == 0


# --- Cancelling --------------------------------------------------------------------------


def test_cancelling_needs_a_reason(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    errors = field_errors(
        purchasing.cancel_purchase_order, actor=clerk, po_id=po["id"], expected_version=po["version"], reason=" "
    )
    assert errors == {"reason": "Say why."}
    cancelled = purchasing.cancel_purchase_order(
        actor=clerk, po_id=po["id"], expected_version=po["version"], reason="supplier out of stock"
    )
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "supplier out of stock")


def test_a_purchase_order_with_goods_received_cannot_be_cancelled(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    po = receive(clerk, po, "4")
    with pytest.raises(OpsdeskError) as refused:
        purchasing.cancel_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"], reason="late")
    assert "close it instead" in english(refused.value.message)
    after = purchasing.get_purchase_order(actor=clerk, po_id=po["id"])
    assert (after["status"], after["cancel_reason"]) == ("ordered", None)
    closed = purchasing.close_purchase_order(actor=clerk, po_id=po["id"], expected_version=after["version"])
    assert closed["status"] == "closed"


def test_a_closed_purchase_order_cannot_be_cancelled(clerk, manager, supplier, shampoo):
    po = ordered(clerk, manager, supplier, (shampoo, "10", "80"))
    po = purchasing.close_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    with pytest.raises(OpsdeskError):
        purchasing.cancel_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"], reason="x")


def test_purchase_orders_are_listed_newest_first_and_by_status(clerk, supplier, shampoo):
    first = draft(clerk, supplier, (shampoo, "1", "80"))
    second = submitted(clerk, supplier, (shampoo, "2", "80"))
    assert [po["id"] for po in purchasing.list_purchase_orders(actor=clerk)] == [second["id"], first["id"]]
    assert [po["id"] for po in purchasing.list_purchase_orders(actor=clerk, statuses=("draft",))] == [first["id"]]
