"""The demo company's store room: suppliers and items, the materials each service uses, what
the demo jobs consumed, the purchases that kept the shelves stocked, counts and an adjustment,
all as the ledger would have posted them one by one. Small companies (200 customers, 2,000
orders), on both databases."""

from __future__ import annotations

import shutil
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from sqlalchemy import select

from core import db
from core.auth import actor_for
from core.clock import today
from core.demo.generate import seed
from core.demo.supplies import ITEMS, MATERIALS, SUPPLIERS, ean13
from core.entities.stock import WHOLE_UNITS
from core.models import (
    Item,
    Movement,
    Order,
    PurchaseOrder,
    PurchaseOrderLine,
    Service,
    StockAdjustment,
    StockCount,
    StockCountLine,
    User,
)
from core.services import counts, materials, purchasing, stock

CUSTOMERS, ORDERS = 200, 2_000


@pytest.fixture
def company(store):
    return seed(customers=CUSTOMERS, orders=ORDERS, seed_value=11)


def demo_login(username: str):
    with db.reading() as session:
        return actor_for(session.execute(select(User).where(User.username == username)).scalar_one())


def movements() -> list[Movement]:
    with db.reading() as session:
        return list(session.execute(select(Movement).order_by(Movement.id)).scalars())


def fingerprint() -> list[tuple]:
    with db.reading() as session:
        pos = [(p.number, p.status, p.created_at) for p in session.execute(select(PurchaseOrder)).scalars()]
        items = [(i.sku, i.on_hand, i.unit_cost, i.reorder_level) for i in session.execute(select(Item)).scalars()]
    return pos + items + [(m.item_id, m.kind, m.quantity, m.unit_cost, m.balance_after, m.at) for m in movements()]


def by_item(found: list[Movement]) -> dict[int, list[Movement]]:
    grouped = defaultdict(list)
    for movement in sorted(found, key=lambda m: (m.at, m.id)):
        grouped[movement.item_id].append(movement)
    return grouped


# --- The catalogue of the store room -------------------------------------------------------------


def test_the_check_digit_is_the_gs1_one():
    assert ean13("690123456789") == "6901234567892"
    assert ean13("400638133393") == "4006381333931"


def test_items_have_unique_skus_and_valid_barcodes_and_every_service_uses_known_items():
    assert len({item.sku for item in ITEMS}) == len(ITEMS) >= 30
    assert len({item.barcode for item in ITEMS}) == len(ITEMS)
    assert all(item.barcode == ean13(item.barcode[:12]) and item.barcode.startswith("69") for item in ITEMS)
    assert len(SUPPLIERS) >= 6 and all(2 <= s.lead_time_days <= 10 for s in SUPPLIERS)
    skus = {item.sku for item in ITEMS}
    assert all(sku in skus for uses in MATERIALS.values() for sku, _q in uses)


def test_a_scanned_barcode_finds_its_item_and_every_item_has_a_preferred_supplier(company):
    clerk = demo_login("clerk")
    found = stock.find_item(actor=clerk, code=ITEMS[0].barcode)
    assert found is not None and found["sku"] == ITEMS[0].sku
    with db.reading() as session:
        items = session.execute(select(Item)).scalars().all()
    assert len(items) == len(ITEMS) and all(i.supplier_id and i.reorder_level > 0 and i.unit_cost > 0 for i in items)


def test_every_service_lists_the_materials_it_uses_and_a_done_job_proposes_them(company):
    manager = demo_login("manager")
    with db.reading() as session:
        services = session.execute(select(Service)).scalars().all()
        done = session.execute(select(Order.id).where(Order.status == "paid").limit(1)).scalar_one()
    for service in services:
        listed = materials.service_materials(actor=manager, service_id=service.id)
        assert listed and all(row["quantity_per_unit"] > 0 for row in listed), service.code
    assert materials.proposed_materials(actor=manager, order_id=done)


def test_the_same_seed_gives_the_same_store_room(sqlite_store, sqlite_template, tmp_path):
    seed(customers=CUSTOMERS, orders=ORDERS, seed_value=3)
    first = fingerprint()
    shutil.copy(sqlite_template, tmp_path / "again.db")
    db.use_engine(db.make_engine(f"sqlite:///{tmp_path / 'again.db'}"))
    seed(customers=CUSTOMERS, orders=ORDERS, seed_value=3)
    assert fingerprint() == first


# --- The ledger adds up ----------------------------------------------------------------------------


def test_every_item_holds_exactly_what_its_movements_add_up_to(company):
    found = movements()
    with db.reading() as session:
        items = session.execute(select(Item)).scalars().all()
    totals = defaultdict(Decimal)
    for movement in found:
        totals[movement.item_id] += movement.quantity
    assert {i.id: i.on_hand for i in items} == {i.id: totals[i.id] for i in items}
    assert {m.kind for m in found} == {"receipt", "issue", "return", "count", "adjustment"}


def test_each_balance_follows_the_one_before_in_time_and_never_goes_below_zero(company):
    found = movements()
    assert [m.id for m in sorted(found, key=lambda m: (m.at, m.id))] == [m.id for m in found]
    for mine in by_item(found).values():
        assert mine[0].kind == "receipt" and mine[0].balance_after == mine[0].quantity
        for before, after in pairwise(mine):
            assert after.balance_after == before.balance_after + after.quantity
            assert after.balance_after >= 0


def test_issues_go_out_at_the_moving_average_cost_that_receipts_set(company):
    """Replays core.stock.post: a receipt (or a return) moves the average, the rest leave at it."""
    for mine in by_item(movements()).values():
        average, held = Decimal(0), Decimal(0)
        for movement in mine:
            if movement.kind in {"receipt", "return"}:
                average = (held * average + movement.quantity * movement.unit_cost) / (held + movement.quantity)
                average = average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            else:
                assert movement.unit_cost == average
            held += movement.quantity
        with db.reading() as session:
            assert session.get(Item, mine[0].item_id).unit_cost == average


def test_every_issue_and_return_belongs_to_a_done_order_at_the_time_it_was_done(company):
    found = movements()
    with db.reading() as session:
        orders = {o.id: o for o in session.execute(select(Order)).scalars()}
    net = defaultdict(Decimal)
    for movement in found:
        if movement.kind in {"issue", "return"}:
            order = orders[movement.order_id]
            assert order.status in {"completed", "paid"}
            net[order.id, movement.item_id] -= movement.quantity
        if movement.kind == "issue":
            assert movement.at == order.completed_at and movement.reason == order.number and movement.quantity < 0
    assert all(quantity >= 0 for quantity in net.values())
    done = [o for o in orders.values() if o.status in {"completed", "paid"}]
    # Small amounts round down to nothing now and then: about 0.89 of the done orders issue something
    # (0.886-0.908 over seeds 3, 5, 11, 21), so the bound leaves room for the seed's luck.
    assert len({order_id for order_id, _item in net}) > 0.85 * len(done)


def test_whole_units_move_in_whole_units(company):
    with db.reading() as session:
        whole = {i.id for i in session.execute(select(Item)).scalars() if i.unit in WHOLE_UNITS}
    assert whole and all(m.quantity == m.quantity.to_integral_value() for m in movements() if m.item_id in whole)


# --- Purchases ---------------------------------------------------------------------------------------


def test_every_receipt_comes_from_a_purchase_order_approved_by_someone_other_than_its_requester(company):
    with db.reading() as session:
        pos = {p.id: p for p in session.execute(select(PurchaseOrder)).scalars()}
        lines = session.execute(select(PurchaseOrderLine)).scalars().all()
    received = defaultdict(Decimal)
    for movement in movements():
        if movement.kind != "receipt":
            continue
        po = pos[movement.purchase_order_id]
        assert po.approved_by_id is not None and po.approved_by_id != po.requested_by_id
        assert po.ordered_at < movement.at and movement.reason == po.number
        assert po.status in {"ordered", "received", "closed"}
        line = next(line for line in po.lines if line.item_id == movement.item_id)
        assert movement.unit_cost == line.unit_cost
        received[line.id] += movement.quantity
    assert all(line.received == received[line.id] for line in lines)
    assert all(line.received == line.quantity for line in lines if pos[line.purchase_order_id].status == "closed")


def test_purchases_are_open_today_in_every_stage_and_prices_drift_over_the_years(company):
    with db.reading() as session:
        pos = session.execute(select(PurchaseOrder).order_by(PurchaseOrder.id)).scalars().all()
        lines = session.execute(select(PurchaseOrderLine)).scalars().all()
    statuses = {p.status for p in pos}
    assert {"submitted", "approved", "ordered", "closed", "cancelled"} <= statuses
    partly = [p for p in pos if p.status == "ordered" and any(0 < line.received < line.quantity for line in p.lines)]
    assert partly
    assert all(p.cancel_reason for p in pos if p.status == "cancelled")
    costs = defaultdict(set)
    for line in lines:
        costs[line.item_id].add(line.unit_cost)
    assert sum(1 for seen in costs.values() if len(seen) > 1) > len(costs) / 2


def test_something_runs_low_and_the_purchase_plan_proposes_it(company):
    clerk = demo_login("clerk")
    low = purchasing.low_stock(actor=clerk)
    assert low and all(row["on_hand"] + row["on_order"] < row["reorder_level"] for row in low)
    assert len(low) < len(ITEMS) / 2
    plan = purchasing.purchase_plan(actor=clerk)
    assert plan and all(line["suggested"] > 0 for proposal in plan for line in proposal["lines"])


# --- Counts, the adjustment and the counters ------------------------------------------------------


def test_past_counts_and_the_adjustment_were_approved_by_the_manager_and_posted(company):
    manager, clerk = demo_login("manager"), demo_login("clerk")
    found = movements()
    with db.reading() as session:
        taken = session.execute(select(StockCount)).scalars().all()
        lines = session.execute(select(StockCountLine)).scalars().all()
        adjustments = session.execute(select(StockAdjustment)).scalars().all()
    assert len(taken) >= 2 and all(c.status == "approved" and c.approved_by_id == manager.user_id for c in taken)
    posted = defaultdict(Decimal)
    for movement in found:
        if movement.kind == "count":
            posted[movement.stock_count_id, movement.item_id] += movement.quantity
    assert any(line.counted != line.book for line in lines)
    assert all(posted[line.stock_count_id, line.item_id] == line.counted - line.book for line in lines)
    held = by_item(found)
    for line in lines:  # the book quantity is what the ledger held when the item was counted
        before = [m for m in held[line.item_id] if m.at <= line.counted_at]
        assert line.book == (before[-1].balance_after if before else 0)
    (adjustment,) = adjustments
    assert (adjustment.requested_by_id, adjustment.decided_by_id) == (clerk.user_id, manager.user_id)
    movement = next(m for m in found if m.id == adjustment.movement_id)
    assert (movement.kind, movement.quantity) == ("adjustment", adjustment.quantity)


def test_numbers_carry_on_after_the_demo(company):
    clerk, manager = demo_login("clerk"), demo_login("manager")
    year = today().year
    with db.reading() as session:
        this_year = [p.number for p in session.execute(select(PurchaseOrder)).scalars() if p.number[3:7] == str(year)]
        count_numbers = session.execute(select(StockCount.number)).scalars().all()
    assert sorted(int(n[8:]) for n in this_year) == list(range(1, len(this_year) + 1))
    supplier = stock.suppliers.create(
        actor=clerk, values={"name": "上海新源清洁用品有限公司", "lead_time_days": 3, "active": True}
    )
    assert supplier["code"] == f"SUP-{len(SUPPLIERS) + 1:06d}"
    made = purchasing.create_purchase_order(
        actor=clerk,
        supplier_id=supplier["id"],
        lines=[{"item_id": stock.find_item(actor=clerk, code=ITEMS[0].sku)["id"], "quantity": "20", "unit_cost": "18"}],
    )
    assert made["number"] == f"PO-{year}-{len(this_year) + 1:06d}"
    submitted = purchasing.submit_purchase_order(actor=clerk, po_id=made["id"], expected_version=made["version"])
    assert purchasing.approve_purchase_order(actor=manager, po_id=made["id"], expected_version=submitted["version"])
    opened = counts.open_count(actor=clerk, category="protective")
    assert opened["number"] == f"SC-{len(count_numbers) + 1:06d}"
