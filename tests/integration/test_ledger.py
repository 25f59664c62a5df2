"""The stock ledger on both databases: receipts move the average cost, issues never overdraw,
returns and reversals put back exactly what went out, the movements table cannot be edited,
and items are found by barcode or SKU."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.actor import SYSTEM
from core.errors import NotFound, OpsdeskError
from core.models import Item, Movement
from core.services import orders, stock
from core.stock import InsufficientStock
from tests.integration.order_support import field_errors
from tests.integration.stock_support import (
    count,
    english,
    item,
    item_values,
    ledger_sum,
    make_item,
    movements,
    new_order,
    on_hand,
)
from tests.threads import run_in_threads


@pytest.fixture
def order(clerk, customer, area, carpet) -> dict:
    return new_order(clerk, customer["id"], area, carpet)


# --- Receipts and the average cost -------------------------------------------------------


def test_two_receipts_at_different_costs_give_the_weighted_average_cost(clerk, store):
    shampoo = make_item(unit_cost="0")
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="opening")
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="30", unit_cost="100", reason="transfer")
    assert (on_hand(shampoo["id"]), item(shampoo["id"]).unit_cost) == (Decimal(40), Decimal("95.00"))


def test_an_issue_goes_out_at_the_average_cost(clerk, order):
    shampoo = make_item(unit_cost="0")
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="opening")
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="30", unit_cost="100", reason="transfer")
    issued = stock.issue(actor=clerk, item_id=shampoo["id"], quantity="5", order_id=order["id"])
    assert (issued["quantity"], issued["unit_cost"], issued["balance_after"]) == (Decimal(-5), Decimal(95), Decimal(35))
    view = orders.get_order(actor=clerk, order_id=order["id"])
    assert view["material_cost"] == Decimal("475.00")


def test_a_movement_records_who_when_why_and_the_cost(clerk, store):
    shampoo = make_item()
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="4", unit_cost="81.50", reason="sample from supplier")
    [movement] = movements(shampoo["id"])
    assert (movement.kind, movement.actor_id, movement.actor_name) == ("receipt", clerk.user_id, clerk.display_name)
    assert (movement.reason, movement.unit_cost, movement.at is not None) == (
        "sample from supplier",
        Decimal("81.50"),
        True,
    )


def test_a_receipt_needs_a_reason_and_a_cost_of_zero_or_more(clerk, store):
    shampoo = make_item()
    errors = field_errors(stock.receive, actor=clerk, item_id=shampoo["id"], quantity="5", unit_cost="80", reason=" ")
    assert errors == {"reason": "Say why."}
    errors = field_errors(stock.receive, actor=clerk, item_id=shampoo["id"], quantity="5", unit_cost="-1", reason="x")
    assert set(errors) == {"unit_cost"}
    assert count(Movement) == 0 and on_hand(shampoo["id"]) == 0


# --- Bad quantities ----------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["0", "-3", "abc", "", "0.004"])
def test_zero_negative_or_unreadable_quantities_are_refused_and_nothing_is_written(sqlite_store, quantity):
    shampoo = make_item(unit="litre")
    errors = field_errors(
        stock.receive, actor=SYSTEM, item_id=shampoo["id"], quantity=quantity, unit_cost="80", reason="x"
    )
    assert errors == {"quantity": "The quantity must be more than zero."}
    assert count(Movement) == 0


def test_a_fraction_of_a_bottle_is_refused_and_nothing_is_written(clerk, order):
    shampoo = make_item(stock_on_hand="5")
    before = count(Movement)
    errors = field_errors(stock.receive, actor=clerk, item_id=shampoo["id"], quantity="1.5", unit_cost="80", reason="x")
    assert errors == {"quantity": "SHAMPOO-5L is counted in whole bottles."}
    errors = field_errors(stock.issue, actor=clerk, item_id=shampoo["id"], quantity="0.5", order_id=order["id"])
    assert set(errors) == {"quantity"}
    assert (count(Movement), on_hand(shampoo["id"])) == (before, Decimal(5))


def test_a_fraction_of_a_litre_is_fine(clerk, order):
    detergent = make_item("DETERGENT-L", unit="litre", stock_on_hand="10")
    stock.issue(actor=clerk, item_id=detergent["id"], quantity="2.25", order_id=order["id"])
    assert on_hand(detergent["id"]) == Decimal("7.75")


def test_an_item_no_longer_in_use_takes_no_movements(clerk, order):
    old = make_item("OLD-PAD", active=False)
    errors = field_errors(stock.receive, actor=clerk, item_id=old["id"], quantity="5", unit_cost="10", reason="found")
    assert errors == {"item_id": "OLD-PAD is no longer in use."}
    assert count(Movement) == 0


def test_an_unknown_item_is_not_found(clerk, store):
    with pytest.raises(NotFound):
        stock.receive(actor=clerk, item_id=999, quantity="5", unit_cost="10", reason="x")


# --- Issues ------------------------------------------------------------------------------


def test_an_issue_larger_than_the_stock_is_refused_naming_what_is_available(clerk, order):
    shampoo = make_item(stock_on_hand="3")
    before = count(Movement)
    with pytest.raises(InsufficientStock) as refused:
        stock.issue(actor=clerk, item_id=shampoo["id"], quantity="5", order_id=order["id"])
    assert refused.value.available == Decimal(3)
    assert english(refused.value.message).startswith("Only 3.00 bottle of SHAMPOO-5L on hand; 5")
    assert (count(Movement), on_hand(shampoo["id"])) == (before, Decimal(3))


def test_the_whole_stock_can_be_issued_down_to_zero(clerk, order):
    shampoo = make_item(stock_on_hand="3")
    stock.issue(actor=clerk, item_id=shampoo["id"], quantity="3", order_id=order["id"])
    assert on_hand(shampoo["id"]) == 0


def test_an_issue_needs_an_order_that_was_not_cancelled(clerk, order):
    shampoo = make_item(stock_on_hand="5")
    errors = field_errors(stock.issue, actor=clerk, item_id=shampoo["id"], quantity="1", order_id=None)
    assert set(errors) == {"order_id"}
    cancelled = orders.cancel_order(
        actor=clerk, order_id=order["id"], reason="客户取消", expected_version=order["version"]
    )
    errors = field_errors(stock.issue, actor=clerk, item_id=shampoo["id"], quantity="1", order_id=order["id"])
    assert errors == {"order_id": f"Order {cancelled['number']} was cancelled."}
    assert on_hand(shampoo["id"]) == 5 and len(movements(shampoo["id"])) == 1


def test_a_hundred_simultaneous_issues_against_fifty_give_fifty_and_fifty_refusals(clerk, order):
    shampoo = make_item(stock_on_hand="50")

    def issue_one(_index: int) -> str:
        try:
            stock.issue(actor=clerk, item_id=shampoo["id"], quantity="1", order_id=order["id"])
        except InsufficientStock as refused:
            assert refused.available == 0
            return "refused"
        return "issued"

    outcomes = run_in_threads(issue_one, 100)
    assert (outcomes.count("issued"), outcomes.count("refused")) == (50, 50)
    assert len(movements(shampoo["id"])) == 51
    assert on_hand(shampoo["id"]) == 0 == ledger_sum(shampoo["id"])


# --- Taking back from an order -----------------------------------------------------------


def test_no_more_can_be_taken_back_than_went_out_to_that_order(clerk, customer, area, carpet, order):
    other = new_order(clerk, customer["id"], area, carpet)
    shampoo = make_item(stock_on_hand="10")
    stock.issue(actor=clerk, item_id=shampoo["id"], quantity="4", order_id=order["id"])
    stock.issue(actor=clerk, item_id=shampoo["id"], quantity="2", order_id=other["id"])
    errors = field_errors(stock.take_back, actor=clerk, item_id=shampoo["id"], quantity="5", order_id=order["id"])
    assert errors == {"quantity": f"Only 4.00 went out to {order['number']}."}
    stock.take_back(actor=clerk, item_id=shampoo["id"], quantity="3", order_id=order["id"])
    errors = field_errors(stock.take_back, actor=clerk, item_id=shampoo["id"], quantity="2", order_id=order["id"])
    assert errors == {"quantity": f"Only 1.00 went out to {order['number']}."}
    assert on_hand(shampoo["id"]) == 7


def test_nothing_can_be_taken_back_from_an_order_that_received_none(clerk, order):
    shampoo = make_item(stock_on_hand="10")
    errors = field_errors(stock.take_back, actor=clerk, item_id=shampoo["id"], quantity="1", order_id=order["id"])
    assert set(errors) == {"quantity"}
    assert on_hand(shampoo["id"]) == 10


def test_what_is_taken_back_comes_back_at_the_cost_it_left_at(clerk, order):
    shampoo = make_item(unit_cost="80", stock_on_hand="10")
    stock.issue(actor=clerk, item_id=shampoo["id"], quantity="4", order_id=order["id"])
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="10", unit_cost="100", reason="transfer")
    assert item(shampoo["id"]).unit_cost == Decimal("92.50")  # (6 x 80 + 10 x 100) / 16
    returned = stock.take_back(actor=clerk, item_id=shampoo["id"], quantity="2", order_id=order["id"])
    assert (returned["kind"], returned["quantity"], returned["unit_cost"]) == ("return", Decimal(2), Decimal(80))
    assert item(shampoo["id"]).unit_cost == Decimal("91.11")  # (16 x 92.50 + 2 x 80) / 18
    view = orders.get_order(actor=clerk, order_id=order["id"])
    assert [(m["sku"], m["quantity"]) for m in view["materials"]] == [("SHAMPOO-5L", Decimal(2))]
    assert view["material_cost"] == Decimal("160.00")


# --- Reversing a mistake -----------------------------------------------------------------


def test_a_reversal_posts_the_opposite_movement_linked_to_the_original(manager, store):
    shampoo = make_item()
    receipt = stock.receive(actor=manager, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="typo")
    reversal = stock.reverse(actor=manager, movement_id=receipt["id"], reason="wrong item")
    assert (reversal["kind"], reversal["quantity"], reversal["reverses_id"]) == ("receipt", Decimal(-10), receipt["id"])
    assert "wrong item" in reversal["reason"]
    assert on_hand(shampoo["id"]) == 0 == ledger_sum(shampoo["id"])


def test_a_movement_is_reversed_once_only(manager, store):
    shampoo = make_item()
    receipt = stock.receive(actor=manager, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="typo")
    stock.reverse(actor=manager, movement_id=receipt["id"], reason="wrong item")
    with pytest.raises(OpsdeskError) as refused:
        stock.reverse(actor=manager, movement_id=receipt["id"], reason="again")
    assert english(refused.value.message) == "This movement was already reversed."
    assert len(movements(shampoo["id"])) == 2 and on_hand(shampoo["id"]) == 0


def test_a_reversal_cannot_itself_be_reversed(manager, store):
    shampoo = make_item()
    receipt = stock.receive(actor=manager, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="typo")
    reversal = stock.reverse(actor=manager, movement_id=receipt["id"], reason="wrong item")
    with pytest.raises(OpsdeskError) as refused:
        stock.reverse(actor=manager, movement_id=reversal["id"], reason="undo the undo")
    assert english(refused.value.message) == "This movement is itself a reversal."
    assert len(movements(shampoo["id"])) == 2


def test_a_receipt_whose_stock_was_used_cannot_be_reversed(manager, order):
    shampoo = make_item()
    receipt = stock.receive(actor=manager, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="delivery")
    stock.issue(actor=manager, item_id=shampoo["id"], quantity="8", order_id=order["id"])
    with pytest.raises(InsufficientStock):
        stock.reverse(actor=manager, movement_id=receipt["id"], reason="wrong item")
    assert (on_hand(shampoo["id"]), len(movements(shampoo["id"]))) == (Decimal(2), 2)


def test_a_reversed_issue_gives_the_stock_back_to_the_shelf_and_the_order_costs_nothing(manager, order):
    shampoo = make_item(stock_on_hand="10")
    issued = stock.issue(actor=manager, item_id=shampoo["id"], quantity="3", order_id=order["id"])
    reversal = stock.reverse(actor=manager, movement_id=issued["id"], reason="wrong order")
    assert (reversal["quantity"], reversal["order_id"]) == (Decimal(3), order["id"])
    view = orders.get_order(actor=manager, order_id=order["id"])
    assert (on_hand(shampoo["id"]), view["materials"], view["material_cost"]) == (Decimal(10), [], Decimal(0))


def test_an_issue_partly_taken_back_cannot_be_reversed_in_full(manager, order):
    shampoo = make_item(stock_on_hand="10")
    issued = stock.issue(actor=manager, item_id=shampoo["id"], quantity="5", order_id=order["id"])
    stock.take_back(actor=manager, item_id=shampoo["id"], quantity="2", order_id=order["id"])
    with pytest.raises(OpsdeskError):
        stock.reverse(actor=manager, movement_id=issued["id"], reason="wrong order")
    view = orders.get_order(actor=manager, order_id=order["id"])
    assert [m["quantity"] for m in view["materials"]] == [Decimal(3)]
    assert on_hand(shampoo["id"]) == 7


def test_a_reversal_needs_a_reason(manager, store):
    shampoo = make_item(stock_on_hand="10")
    [receipt] = movements(shampoo["id"])
    assert field_errors(stock.reverse, actor=manager, movement_id=receipt.id, reason="  ") == {"reason": "Say why."}
    assert len(movements(shampoo["id"])) == 1


# --- The ledger as a whole ---------------------------------------------------------------


def test_the_ledger_sums_to_the_balance_after_a_mixed_series(manager, order):
    shampoo = make_item(stock_on_hand="20")
    stock.receive(actor=manager, item_id=shampoo["id"], quantity="7", unit_cost="90", reason="transfer")
    issued = stock.issue(actor=manager, item_id=shampoo["id"], quantity="12", order_id=order["id"])
    stock.take_back(actor=manager, item_id=shampoo["id"], quantity="2", order_id=order["id"])
    stock.issue(actor=manager, item_id=shampoo["id"], quantity="5", order_id=order["id"])
    stock.reverse(actor=manager, movement_id=issued["id"], reason="wrong order")
    with pytest.raises(InsufficientStock):
        stock.issue(actor=manager, item_id=shampoo["id"], quantity="100", order_id=order["id"])
    posted = movements(shampoo["id"])
    assert on_hand(shampoo["id"]) == Decimal(24) == ledger_sum(shampoo["id"])  # 20 + 7 - 12 + 2 - 5 + 12
    assert posted[-1].balance_after == Decimal(24)
    running = Decimal(0)
    for movement in posted:
        running += movement.quantity
        assert movement.balance_after == running


def test_the_ledger_lists_movements_newest_first_filtered_by_kind_and_order(manager, order):
    shampoo = make_item(stock_on_hand="20")
    stock.issue(actor=manager, item_id=shampoo["id"], quantity="2", order_id=order["id"])
    stock.issue(actor=manager, item_id=shampoo["id"], quantity="3", order_id=order["id"])
    page = stock.ledger(actor=manager, item_id=shampoo["id"])
    assert [row["quantity"] for row in page.rows] == [Decimal(-3), Decimal(-2), Decimal(20)]
    assert page.rows[0]["sku"] == "SHAMPOO-5L" and page.total == 3
    assert stock.ledger(actor=manager, kind="receipt").total == 1
    assert stock.ledger(actor=manager, order_id=order["id"]).total == 2


@pytest.mark.parametrize("statement", ["UPDATE stock_movements SET quantity = 0", "DELETE FROM stock_movements"])
def test_the_database_itself_refuses_to_edit_or_delete_a_movement(store, statement):
    shampoo = make_item(stock_on_hand="20")
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(statement))
    [movement] = movements(shampoo["id"])
    assert movement.quantity == Decimal(20)


# --- Finding an item by what was scanned -------------------------------------------------


def test_an_item_is_found_by_its_barcode_as_the_scanner_types_it(clerk, store):
    shampoo = make_item(barcode="6901234567890")
    assert stock.find_item(actor=clerk, code="6901234567890")["id"] == shampoo["id"]
    assert stock.find_item(actor=clerk, code=" 6901234567890\r\n")["id"] == shampoo["id"]


def test_an_item_is_found_by_its_sku_in_any_case(clerk, store):
    shampoo = make_item(barcode="6901234567890")
    assert stock.find_item(actor=clerk, code="shampoo-5l")["id"] == shampoo["id"]


def test_an_unknown_or_empty_code_finds_nothing(clerk, store):
    make_item(barcode="6901234567890")
    assert stock.find_item(actor=clerk, code="0000000000000") is None
    assert stock.find_item(actor=clerk, code="  \n") is None


def test_a_code_that_is_one_item_s_barcode_and_another_s_sku_finds_the_scanned_barcode(clerk, store):
    by_sku = make_item("12345678")
    by_barcode = make_item("GLOVES", barcode="12345678")
    found = stock.find_item(actor=clerk, code="12345678")
    assert found is not None and found["id"] == by_barcode["id"] != by_sku["id"]


# --- Items: unique codes and their version -----------------------------------------------


def test_a_taken_sku_is_refused_under_its_field_and_nothing_is_written(clerk, store):
    make_item(barcode="6901234567890")
    errors = field_errors(stock.items.create, actor=clerk, values=item_values(barcode="6909999999999"))
    assert errors == {"sku": "Another record already uses this value."}
    assert count(Item) == 1


def test_a_taken_barcode_is_refused_under_its_field_and_nothing_is_written(clerk, store):
    make_item(barcode="6901234567890")
    errors = field_errors(stock.items.create, actor=clerk, values=item_values("GLOVES", barcode="6901234567890"))
    assert errors == {"barcode": "Another record already uses this value."}
    assert count(Item) == 1


def test_a_sku_in_small_letters_is_refused_so_skus_never_differ_only_by_case(clerk, store):
    make_item()
    errors = field_errors(stock.items.create, actor=clerk, values=item_values("shampoo-5l"))
    assert set(errors) == {"sku"}
    assert count(Item) == 1


def test_stock_arriving_does_not_bump_the_item_version(clerk, order):
    shampoo = make_item(unit_cost="80", stock_on_hand="10")
    opened = stock.items.get(actor=clerk, record_id=shampoo["id"])
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="10", unit_cost="100", reason="transfer")
    stock.issue(actor=clerk, item_id=shampoo["id"], quantity="4", order_id=order["id"])
    assert stock.items.get(actor=clerk, record_id=shampoo["id"])["version"] == opened["version"]
    renamed = stock.items.update(
        actor=clerk,
        record_id=shampoo["id"],
        values={**opened, "name_en": "Carpet shampoo 5 L"},
        expected_version=opened["version"],
    )
    assert (renamed["name_en"], on_hand(shampoo["id"])) == ("Carpet shampoo 5 L", Decimal(16))


def test_renaming_an_item_from_a_form_opened_before_a_receipt_keeps_the_new_average_cost(clerk, store):
    shampoo = make_item(unit_cost="80", stock_on_hand="10")
    opened = stock.items.get(actor=clerk, record_id=shampoo["id"])
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="10", unit_cost="100", reason="transfer")
    stock.items.update(
        actor=clerk,
        record_id=shampoo["id"],
        values={**opened, "name_en": "Carpet shampoo 5 L"},
        expected_version=opened["version"],
    )
    assert item(shampoo["id"]).unit_cost == Decimal("90.00")
