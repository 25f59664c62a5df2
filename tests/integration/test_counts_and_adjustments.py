"""Stock counts and adjustments on both databases: changes of stock that a second person makes
real. A count keeps the book quantity of the moment each item was counted, so issuing goes on
during the count and the adjustment is exactly what the count found."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import OpsdeskError, PermissionDenied
from core.models import Movement, StockAdjustment, StockCount
from core.services import counts, stock
from core.stock import InsufficientStock
from tests.factories import make_user
from tests.integration.order_support import field_errors
from tests.integration.stock_support import count, english, make_item, movements, new_order, on_hand


@pytest.fixture
def boss(store):
    """A second manager, to decide what the first one asked for."""
    return make_user("zhaomin", "manager")


@pytest.fixture
def order(clerk, customer, area, carpet) -> dict:
    return new_order(clerk, customer["id"], area, carpet)


@pytest.fixture
def shampoo(store) -> dict:
    return make_item("SHAMPOO-5L", unit_cost="80", stock_on_hand="10")


@pytest.fixture
def gloves(store) -> dict:
    return make_item("GLOVES", unit="pair", category="protective", unit_cost="5", stock_on_hand="40")


def line_of(view: dict, item: dict) -> dict:
    return next(line for line in view["lines"] if line["item_id"] == item["id"])


def submit(clerk, sheet: dict) -> dict:
    return counts.submit_count(actor=clerk, count_id=sheet["id"], expected_version=sheet["version"])


def approve(manager, sheet: dict) -> dict:
    return counts.approve_count(actor=manager, count_id=sheet["id"], expected_version=sheet["version"])


# --- Opening a count ---------------------------------------------------------------------


def test_a_count_of_everything_lists_every_item_in_use(clerk, shampoo, gloves):
    make_item("OLD-PAD", active=False)
    sheet = counts.open_count(actor=clerk)
    assert (sheet["number"], sheet["status"], sheet["category"]) == ("SC-000001", "open", None)
    assert [line["sku"] for line in sheet["lines"]] == ["GLOVES", "SHAMPOO-5L"]
    assert all(line["counted"] is None and line["book"] is None for line in sheet["lines"])


def test_a_count_of_one_category_lists_only_its_items(clerk, shampoo, gloves):
    sheet = counts.open_count(actor=clerk, category="protective")
    assert (sheet["category"], [line["sku"] for line in sheet["lines"]]) == ("protective", ["GLOVES"])


def test_a_count_needs_a_known_category_with_items(clerk, shampoo):
    assert set(field_errors(counts.open_count, actor=clerk, category="snacks")) == {"category"}
    assert set(field_errors(counts.open_count, actor=clerk, category="parts")) == {"category"}
    assert count(StockCount) == 0


# --- Counting ----------------------------------------------------------------------------


def test_a_counted_quantity_keeps_the_book_quantity_of_that_moment(clerk, shampoo):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")
    line = line_of(sheet, shampoo)
    assert (line["counted"], line["book"], line["difference"], line["value"]) == (
        Decimal(8),
        Decimal(10),
        Decimal(-2),
        Decimal("-160.00"),
    )
    assert (line["counted_by"], line["counted_at"] is not None, sheet["value"]) == (
        clerk.display_name,
        True,
        Decimal("-160.00"),
    )


def test_counting_an_item_again_replaces_the_first_count(clerk, shampoo):
    sheet = counts.open_count(actor=clerk)
    counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="10")
    assert (line_of(sheet, shampoo)["counted"], line_of(sheet, shampoo)["difference"]) == (Decimal(10), Decimal(0))


def test_an_empty_shelf_counts_as_zero(clerk, shampoo):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="0")
    assert line_of(sheet, shampoo)["difference"] == Decimal(-10)


@pytest.mark.parametrize(("counted", "field"), [("-1", "counted"), ("2.5", "counted"), ("", "counted")])
def test_a_negative_fractional_or_missing_count_of_bottles_is_refused(clerk, shampoo, counted, field):
    sheet = counts.open_count(actor=clerk)
    errors = field_errors(
        counts.record_counted, actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted=counted
    )
    assert set(errors) == {field}
    assert line_of(counts.get_count(actor=clerk, count_id=sheet["id"]), shampoo)["counted"] is None


def test_an_item_outside_the_count_cannot_be_counted_in_it(clerk, shampoo, gloves):
    sheet = counts.open_count(actor=clerk, category="protective")
    errors = field_errors(counts.record_counted, actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="1")
    assert errors == {"item_id": "This item is not part of the count."}


def test_a_submitted_count_takes_no_more_entries(clerk, shampoo):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")
    submit(clerk, sheet)
    with pytest.raises(OpsdeskError):
        counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="9")
    assert line_of(counts.get_count(actor=clerk, count_id=sheet["id"]), shampoo)["counted"] == Decimal(8)


def test_a_count_with_nothing_counted_cannot_be_submitted(clerk, shampoo):
    sheet = counts.open_count(actor=clerk)
    with pytest.raises(OpsdeskError) as refused:
        submit(clerk, sheet)
    assert english(refused.value.message) == "Nothing has been counted yet."
    assert counts.get_count(actor=clerk, count_id=sheet["id"])["status"] == "open"


# --- Approving a count -------------------------------------------------------------------


def test_an_approved_count_posts_each_difference_to_the_ledger_linked_to_the_count(clerk, manager, shampoo, gloves):
    sheet = counts.open_count(actor=clerk)
    counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=gloves["id"], counted="43")
    approved = approve(manager, submit(clerk, sheet))
    assert (approved["status"], approved["approved_by_id"]) == ("approved", manager.user_id)
    posted = [m for m in movements() if m.kind == "count"]
    assert sorted((m.item_id, m.quantity, m.stock_count_id, m.actor_id) for m in posted) == sorted(
        [
            (shampoo["id"], Decimal(-2), sheet["id"], manager.user_id),
            (gloves["id"], Decimal(3), sheet["id"], manager.user_id),
        ]
    )
    assert (on_hand(shampoo["id"]), on_hand(gloves["id"])) == (Decimal(8), Decimal(43))


def test_issuing_goes_on_during_a_count_and_the_adjustment_is_what_the_count_found(clerk, manager, shampoo, order):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")  # book 10
    stock.issue(actor=clerk, item_id=shampoo["id"], quantity="3", order_id=order["id"])  # 8 on the shelf - 3 = 5
    approve(manager, submit(clerk, sheet))
    [adjustment] = [m for m in movements(shampoo["id"]) if m.kind == "count"]
    assert adjustment.quantity == Decimal(-2)  # counted 8 - book 10 at counting time
    assert on_hand(shampoo["id"]) == Decimal(5)  # counted 8 - 3 issued after counting


def test_items_not_counted_are_left_alone(clerk, manager, shampoo, gloves):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="7")
    approve(manager, submit(clerk, sheet))
    assert [m.kind for m in movements(gloves["id"])] == ["receipt"]
    assert on_hand(gloves["id"]) == Decimal(40)


def test_a_count_that_found_the_book_right_posts_nothing(clerk, manager, shampoo):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="10")
    approve(manager, submit(clerk, sheet))
    assert count(Movement) == 1  # the opening receipt only


def test_only_a_manager_approves_and_only_a_submitted_count(clerk, manager, shampoo):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")
    with pytest.raises(OpsdeskError):
        approve(manager, sheet)
    sheet = submit(clerk, sheet)
    with pytest.raises(PermissionDenied):
        approve(clerk, sheet)
    assert (counts.get_count(actor=clerk, count_id=sheet["id"])["status"], on_hand(shampoo["id"])) == (
        "submitted",
        Decimal(10),
    )


# --- Cancelling a count ------------------------------------------------------------------


def test_a_cancelled_count_posts_nothing_and_cannot_be_approved(clerk, manager, shampoo):
    sheet = counts.open_count(actor=clerk)
    sheet = counts.record_counted(actor=clerk, count_id=sheet["id"], item_id=shampoo["id"], counted="8")
    sheet = submit(clerk, sheet)
    cancelled = counts.cancel_count(actor=manager, count_id=sheet["id"], expected_version=sheet["version"])
    assert cancelled["status"] == "cancelled"
    with pytest.raises(OpsdeskError):
        approve(manager, cancelled)
    with pytest.raises(OpsdeskError):
        counts.cancel_count(actor=manager, count_id=sheet["id"], expected_version=cancelled["version"])
    assert on_hand(shampoo["id"]) == Decimal(10)


def test_counts_are_listed_newest_first(clerk, shampoo, gloves):
    first = counts.open_count(actor=clerk)
    second = counts.open_count(actor=clerk, category="protective")
    assert [row["id"] for row in counts.list_counts(actor=clerk)] == [second["id"], first["id"]]


# --- Adjustments outside a count ---------------------------------------------------------


def test_an_adjustment_waits_for_someone_else_s_approval(manager, boss, shampoo):
    asked = counts.request_adjustment(actor=manager, item_id=shampoo["id"], quantity="-2", reason="bottles broke")
    assert (asked["status"], asked["requested_by_id"], on_hand(shampoo["id"])) == ("pending", manager.user_id, 10)
    with pytest.raises(OpsdeskError) as refused:
        counts.decide_adjustment(actor=manager, adjustment_id=asked["id"], approve=True)
    assert "other than the person who asked" in english(refused.value.message)
    assert on_hand(shampoo["id"]) == Decimal(10)
    decided = counts.decide_adjustment(actor=boss, adjustment_id=asked["id"], approve=True)
    assert (decided["status"], decided["decided_by_id"]) == ("approved", boss.user_id)
    [movement] = [m for m in movements(shampoo["id"]) if m.kind == "adjustment"]
    assert (movement.id, movement.quantity, movement.reason) == (decided["movement_id"], Decimal(-2), "bottles broke")
    assert on_hand(shampoo["id"]) == Decimal(8)


def test_a_refused_adjustment_posts_nothing_and_cannot_be_decided_again(clerk, manager, shampoo):
    asked = counts.request_adjustment(actor=clerk, item_id=shampoo["id"], quantity="3", reason="found in the van")
    refused = counts.decide_adjustment(actor=manager, adjustment_id=asked["id"], approve=False)
    assert (refused["status"], refused["movement_id"]) == ("rejected", None)
    with pytest.raises(OpsdeskError):
        counts.decide_adjustment(actor=manager, adjustment_id=asked["id"], approve=True)
    assert (on_hand(shampoo["id"]), len(movements(shampoo["id"]))) == (Decimal(10), 1)


def test_a_clerk_cannot_decide_an_adjustment(clerk, manager, shampoo):
    asked = counts.request_adjustment(actor=manager, item_id=shampoo["id"], quantity="3", reason="found")
    with pytest.raises(PermissionDenied):
        counts.decide_adjustment(actor=clerk, adjustment_id=asked["id"], approve=True)


def test_a_loss_larger_than_the_stock_is_refused_and_the_adjustment_stays_pending(clerk, manager, shampoo):
    asked = counts.request_adjustment(actor=clerk, item_id=shampoo["id"], quantity="-12", reason="flood")
    with pytest.raises(InsufficientStock):
        counts.decide_adjustment(actor=manager, adjustment_id=asked["id"], approve=True)
    assert [row["id"] for row in counts.list_adjustments(actor=manager)] == [asked["id"]]
    assert (on_hand(shampoo["id"]), len(movements(shampoo["id"]))) == (Decimal(10), 1)


def test_an_adjustment_needs_a_quantity_other_than_zero_in_whole_bottles_and_a_reason(clerk, shampoo):
    errors = field_errors(counts.request_adjustment, actor=clerk, item_id=shampoo["id"], quantity="0", reason=" ")
    assert set(errors) == {"quantity", "reason"}
    errors = field_errors(counts.request_adjustment, actor=clerk, item_id=shampoo["id"], quantity="-1.5", reason="x")
    assert errors == {"quantity": "SHAMPOO-5L is counted in whole bottles."}
    errors = field_errors(counts.request_adjustment, actor=clerk, item_id=shampoo["id"], quantity="many", reason="x")
    assert set(errors) == {"quantity"}
    assert count(StockAdjustment) == 0


def test_adjustments_are_listed_by_status(clerk, manager, shampoo):
    waiting = counts.request_adjustment(actor=clerk, item_id=shampoo["id"], quantity="1", reason="found")
    done = counts.request_adjustment(actor=clerk, item_id=shampoo["id"], quantity="2", reason="found")
    counts.decide_adjustment(actor=manager, adjustment_id=done["id"], approve=True)
    assert [(r["id"], r["sku"]) for r in counts.list_adjustments(actor=clerk)] == [(waiting["id"], "SHAMPOO-5L")]
    assert [r["id"] for r in counts.list_adjustments(actor=clerk, status="approved")] == [done["id"]]
