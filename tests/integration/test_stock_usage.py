"""Where the materials go, on both databases: use per item and month, per service (shared among
the services that list the item) and per technician, material cost per order, stock value, and
what no longer moves."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.clock import utcnow
from core.services import materials, orders, stock, stock_usage
from tests.factories import make_service, order_values
from tests.integration.order_support import scheduled
from tests.integration.stock_support import make_item, new_order


@pytest.fixture
def shampoo(store) -> dict:
    return make_item("SHAMPOO-5L", unit_cost="80", stock_on_hand="50")


@pytest.fixture
def gloves(store) -> dict:
    return make_item("GLOVES", unit="pair", category="protective", unit_cost="5", stock_on_hand="40")


@pytest.fixture
def order(clerk, customer, area, carpet) -> dict:
    return new_order(clerk, customer["id"], area, carpet)


def issue(actor, item: dict, quantity: str, order: dict) -> dict:
    return stock.issue(actor=actor, item_id=item["id"], quantity=quantity, order_id=order["id"])


def at_time(monkeypatch, moment: datetime) -> None:
    """Movements posted from now on carry this time."""
    monkeypatch.setattr("core.stock.utcnow", lambda: moment)


# --- Per month ---------------------------------------------------------------------------


def test_use_is_summed_per_item_and_month_net_of_returns(monkeypatch, clerk, shampoo, gloves, order):
    at_time(monkeypatch, datetime(2025, 1, 15, 4, tzinfo=UTC))
    issue(clerk, shampoo, "2", order)
    at_time(monkeypatch, datetime(2025, 2, 10, 4, tzinfo=UTC))
    issue(clerk, shampoo, "3", order)
    stock.take_back(actor=clerk, item_id=shampoo["id"], quantity="1", order_id=order["id"])
    issue(clerk, gloves, "4", order)
    rows = stock_usage.by_month(actor=clerk, date_from=date(2025, 1, 1), date_to=date(2025, 2, 28))
    assert sorted((r["month"], r["sku"], r["quantity"], r["cost"]) for r in rows) == [
        ("2025-01", "SHAMPOO-5L", Decimal(2), Decimal("160.00")),
        ("2025-02", "GLOVES", Decimal(4), Decimal("20.00")),
        ("2025-02", "SHAMPOO-5L", Decimal(2), Decimal("160.00")),
    ]


def test_months_are_the_company_s_calendar_months(monkeypatch, clerk, shampoo, order):
    at_time(monkeypatch, datetime(2025, 1, 31, 17, tzinfo=UTC))  # 1 February, 01:00 in Shanghai
    issue(clerk, shampoo, "1", order)
    rows = stock_usage.by_month(actor=clerk, date_from=date(2025, 1, 1), date_to=date(2025, 2, 28))
    assert [r["month"] for r in rows] == ["2025-02"]


def test_use_outside_the_period_and_receipts_are_not_counted(monkeypatch, clerk, shampoo, order):
    at_time(monkeypatch, datetime(2024, 12, 31, 15, tzinfo=UTC))  # 23:00 on 31 December in Shanghai
    issue(clerk, shampoo, "1", order)
    stock.receive(actor=clerk, item_id=shampoo["id"], quantity="5", unit_cost="80", reason="transfer")
    assert stock_usage.by_month(actor=clerk, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31)) == []


# --- Per service -------------------------------------------------------------------------


def test_what_an_order_used_is_shared_among_its_services_in_proportion(
    manager, clerk, customer, area, carpet, shampoo, gloves
):
    sofa = make_service("SOFA", price="40", minutes="20", unit="piece")
    materials.set_service_materials(
        actor=manager, service_id=carpet, materials=[{"item_id": shampoo["id"], "quantity_per_unit": "0.05"}]
    )
    materials.set_service_materials(
        actor=manager, service_id=sofa, materials=[{"item_id": shampoo["id"], "quantity_per_unit": "0.5"}]
    )
    both = orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": Decimal(40)}, {"service_id": sofa, "quantity": Decimal(2)}],
        idempotency_key=uuid.uuid4().hex,
    )
    issue(clerk, shampoo, "3", both)  # carpet should use 40 x 0.05 = 2, sofa 2 x 0.5 = 1
    issue(clerk, gloves, "2", both)  # neither service lists gloves
    rows = stock_usage.by_service(actor=clerk)
    assert [(r["service"], r["sku"], r["quantity"], r["cost"]) for r in rows] == [
        ("CARPET", "SHAMPOO-5L", Decimal(2), Decimal("160.00")),
        ("SOFA", "SHAMPOO-5L", Decimal(1), Decimal("80.00")),
        ("other", "GLOVES", Decimal(2), Decimal("10.00")),
    ]


def test_an_item_no_service_of_the_order_lists_counts_as_other(clerk, shampoo, order):
    issue(clerk, shampoo, "2", order)
    rows = stock_usage.by_service(actor=clerk)
    assert [(r["service"], r["quantity"]) for r in rows] == [("other", Decimal(2))]


def test_a_changed_bill_of_materials_is_in_the_next_reading(manager, clerk, carpet, shampoo, order):
    issue(clerk, shampoo, "2", order)
    assert [r["service"] for r in stock_usage.by_service(actor=clerk)] == ["other"]  # the snapshot is loaded now
    materials.set_service_materials(
        actor=manager, service_id=carpet, materials=[{"item_id": shampoo["id"], "quantity_per_unit": "0.05"}]
    )
    assert [(r["service"], r["quantity"]) for r in stock_usage.by_service(actor=clerk)] == [("CARPET", Decimal(2))]


# --- Per technician ----------------------------------------------------------------------


def test_use_is_summed_per_technician_of_the_order(clerk, customer, area, carpet, liu_staff, shampoo, order):
    booked = scheduled(clerk, customer, area, carpet)
    issue(clerk, shampoo, "2", booked)
    issue(clerk, shampoo, "1", booked)
    issue(clerk, shampoo, "4", order)  # nobody on shift when it was placed: not assigned
    rows = stock_usage.by_technician(actor=clerk)
    assert sorted((r["technician"], r["quantity"], r["cost"]) for r in rows) == [
        ("—", Decimal(4), Decimal("320.00")),
        ("刘强", Decimal(3), Decimal("240.00")),
    ]


# --- Per order ---------------------------------------------------------------------------


def test_each_order_shows_its_material_cost_beside_what_it_earned(clerk, customer, area, carpet, shampoo, gloves):
    first = new_order(clerk, customer["id"], area, carpet, quantity="100")  # 800.00 before tax
    second = new_order(clerk, customer["id"], area, carpet, quantity="10")
    issue(clerk, shampoo, "2", first)
    issue(clerk, gloves, "8", first)
    issue(clerk, shampoo, "1", second)
    stock.take_back(actor=clerk, item_id=shampoo["id"], quantity="1", order_id=second["id"])
    rows = {r["number"]: r for r in stock_usage.order_costs(actor=clerk)}
    assert (rows[first["number"]]["earned"], rows[first["number"]]["material_cost"]) == (Decimal(800), Decimal(200))
    assert rows[first["number"]]["share"] == Decimal("25.0")
    assert rows[second["number"]]["material_cost"] == Decimal(0)


# --- Stock value and slow movers ---------------------------------------------------------


def test_the_stock_value_is_each_item_at_its_average_cost_and_their_total(clerk, shampoo, gloves, order):
    issue(clerk, shampoo, "10", order)
    value = stock_usage.stock_value(actor=clerk)
    assert [(r["sku"], r["on_hand"], r["value"]) for r in value["rows"]] == [
        ("GLOVES", Decimal(40), Decimal("200.00")),
        ("SHAMPOO-5L", Decimal(40), Decimal("3200.00")),
    ]
    assert value["total"] == Decimal("3400.00")


def test_items_not_issued_for_the_given_days_are_slow_moving(monkeypatch, clerk, order):
    idle = make_item("IDLE", unit_cost="10", stock_on_hand="10")
    busy = make_item("BUSY", unit_cost="10", stock_on_hand="10")
    never = make_item("NEVER", unit_cost="50", stock_on_hand="10")
    make_item("EMPTY", unit_cost="50")  # nothing on the shelf: not a slow mover
    long_ago = utcnow() - timedelta(days=100)
    at_time(monkeypatch, long_ago)
    issue(clerk, idle, "1", order)
    issue(clerk, busy, "1", order)
    monkeypatch.undo()
    issue(clerk, busy, "1", order)
    rows = stock_usage.slow_moving(actor=clerk, days=90)
    assert [(r["item_id"], r["value"]) for r in rows] == [(never["id"], Decimal(500)), (idle["id"], Decimal(90))]
    assert rows[0]["last_issue"] is None and rows[1]["last_issue"] is not None
    assert busy["id"] not in {r["item_id"] for r in stock_usage.slow_moving(actor=clerk, days=30)}
    assert {r["item_id"] for r in stock_usage.slow_moving(actor=clerk, days=120)} == {never["id"]}
