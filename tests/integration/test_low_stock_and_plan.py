"""What runs low (on hand plus on order below the reorder level) and the purchase plan that
proposes what to buy from whom, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import OpsdeskError
from core.models import PurchaseOrder
from core.services import purchasing
from tests.integration.stock_support import count, make_item, make_supplier, receive, submitted


@pytest.fixture
def supplier(store) -> dict:
    return make_supplier()


# --- What runs low -----------------------------------------------------------------------


def test_items_below_their_reorder_level_are_low(clerk, supplier):
    low = make_item("LOW", reorder_level="10", reorder_quantity="20", supplier_id=supplier["id"], stock_on_hand="2")
    make_item("PLENTY", reorder_level="10", stock_on_hand="20")
    make_item("AT-LEVEL", reorder_level="10", stock_on_hand="10")
    make_item("RETIRED", reorder_level="10", active=False)
    rows = purchasing.low_stock(actor=clerk)
    assert [(r["sku"], r["on_hand"], r["on_order"], r["supplier_name"]) for r in rows] == [
        ("LOW", Decimal(2), Decimal(0), supplier["name"])
    ]
    assert rows[0]["item_id"] == low["id"]


def test_what_is_on_an_open_purchase_order_counts_as_on_order(clerk, manager, supplier):
    low = make_item("LOW", reorder_level="10", supplier_id=supplier["id"], stock_on_hand="2")
    po = submitted(clerk, supplier, (low, "8", "80"))
    assert purchasing.low_stock(actor=clerk) == []
    po = purchasing.approve_purchase_order(actor=manager, po_id=po["id"], expected_version=po["version"])
    po = purchasing.mark_ordered(actor=clerk, po_id=po["id"], expected_version=po["version"])
    receive(clerk, po, "5")  # 7 on hand and 3 still coming
    assert purchasing.low_stock(actor=clerk) == []


def test_a_cancelled_purchase_order_is_no_longer_on_order(clerk, supplier):
    low = make_item("LOW", reorder_level="10", supplier_id=supplier["id"], stock_on_hand="2")
    po = submitted(clerk, supplier, (low, "8", "80"))
    purchasing.cancel_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"], reason="too dear")
    [row] = purchasing.low_stock(actor=clerk)
    assert (row["sku"], row["on_order"]) == ("LOW", Decimal(0))


# --- The purchase plan -------------------------------------------------------------------


def test_the_plan_groups_low_items_by_supplier(clerk, supplier):
    second = make_supplier("苏州工具")
    make_item("SHAMPOO", reorder_level="10", reorder_quantity="20", supplier_id=supplier["id"], stock_on_hand="2")
    make_item("WAX", unit_cost="30", reorder_level="5", reorder_quantity="6", supplier_id=supplier["id"])
    make_item("PAD", unit_cost="12", reorder_level="4", reorder_quantity="10", supplier_id=second["id"])
    make_item("NOBODY", unit_cost="1", reorder_level="3", reorder_quantity="1")
    plan = {p["supplier_id"]: p for p in purchasing.purchase_plan(actor=clerk)}
    assert set(plan) == {supplier["id"], second["id"], None}
    assert [line["sku"] for line in plan[supplier["id"]]["lines"]] == ["SHAMPOO", "WAX"]
    assert plan[supplier["id"]]["total"] == Decimal(20 * 80 + 6 * 30)
    assert (plan[second["id"]]["supplier_name"], plan[second["id"]]["total"]) == ("苏州工具", Decimal(120))


def test_the_plan_proposes_at_least_the_reorder_quantity(clerk, supplier):
    make_item("SHAMPOO", reorder_level="10", reorder_quantity="20", supplier_id=supplier["id"], stock_on_hand="2")
    [row] = purchasing.low_stock(actor=clerk)
    assert row["suggested"] == 20


def test_the_plan_proposes_enough_to_climb_back_to_the_level_in_whole_units(clerk, supplier):
    make_item("SHAMPOO", reorder_level="30", reorder_quantity="5", supplier_id=supplier["id"], stock_on_hand="2")
    make_item("DETERGENT", unit="litre", reorder_level="10.5", supplier_id=supplier["id"], stock_on_hand="2")
    suggested = {row["sku"]: row["suggested"] for row in purchasing.low_stock(actor=clerk)}
    assert suggested == {"DETERGENT": Decimal(9), "SHAMPOO": Decimal(28)}


def test_a_draft_from_the_plan_holds_the_proposed_lines_and_ordering_it_clears_the_list(clerk, supplier):
    shampoo = make_item(
        "SHAMPOO", reorder_level="30", reorder_quantity="5", supplier_id=supplier["id"], stock_on_hand="2"
    )
    wax = make_item("WAX", unit_cost="30", reorder_level="5", reorder_quantity="6", supplier_id=supplier["id"])
    po = purchasing.draft_from_plan(actor=clerk, supplier_id=supplier["id"])
    assert (po["status"], po["supplier_id"], po["requested_by_id"]) == ("draft", supplier["id"], clerk.user_id)
    assert [(line["item_id"], line["quantity"], line["unit_cost"]) for line in po["lines"]] == [
        (shampoo["id"], Decimal(28), Decimal(80)),
        (wax["id"], Decimal(6), Decimal(30)),
    ]
    purchasing.submit_purchase_order(actor=clerk, po_id=po["id"], expected_version=po["version"])
    assert purchasing.low_stock(actor=clerk) == []


def test_there_is_no_draft_from_the_plan_for_a_supplier_with_nothing_low(clerk, supplier):
    make_item("PLENTY", reorder_level="10", supplier_id=supplier["id"], stock_on_hand="20")
    with pytest.raises(OpsdeskError):
        purchasing.draft_from_plan(actor=clerk, supplier_id=supplier["id"])
    assert count(PurchaseOrder) == 0
