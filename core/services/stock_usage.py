"""Where the materials go: consumption per item and month, per service and per technician,
material cost per order, the value of what is in stock, and what no longer moves.

Every figure is a DuckDB query over the columnar snapshot (core/analytics/snapshot.py), except the
use per service: it needs each service's bill of materials (service_materials), which the snapshot
does not mirror, so that one still reads the store."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.analytics import snapshot
from core.clock import at, today
from core.models import Item, Movement, Order, ServiceMaterial
from core.permissions import service

CENT = Decimal("0.01")

# Issues to orders and returns from them in the period (`m`), company days as instant bounds; a
# return is negative use (issues carry a negative quantity). Sums stay exact: cents are taken after.
USED_WHERE = """
    WHERE m.kind IN ('issue', 'return') AND m.order_id IS NOT NULL
      AND m."at" >= CAST($first AS TIMESTAMPTZ) AND m."at" < CAST($after AS TIMESTAMPTZ)
"""
ITEM_COLUMNS = "i.id AS item_id, i.sku, i.name_en, i.name_zh, i.unit"

BY_MONTH_SQL = f"""
WITH used AS (
    SELECT strftime(m."at", '%Y-%m') AS month, m.item_id,
           SUM(-m.quantity) AS quantity, SUM(-m.quantity * m.unit_cost) AS cost
    FROM stock_movements m {USED_WHERE}
    GROUP BY 1, 2)
SELECT u.month, {ITEM_COLUMNS}, u.quantity, u.cost
FROM used u JOIN items i ON i.id = u.item_id
ORDER BY u.month, i.id
"""

# The technician the order was assigned to, by name ('—' when none).
BY_TECHNICIAN_SQL = f"""
WITH used AS (
    SELECT COALESCE(s.name, '—') AS technician, m.item_id,
           SUM(-m.quantity) AS quantity, SUM(-m.quantity * m.unit_cost) AS cost
    FROM stock_movements m JOIN orders o ON o.id = m.order_id LEFT JOIN staff s ON s.id = o.technician_id
    {USED_WHERE}
    GROUP BY 1, 2)
SELECT u.technician, {ITEM_COLUMNS}, u.quantity, u.cost
FROM used u JOIN items i ON i.id = u.item_id
ORDER BY u.technician, i.id
"""

ORDER_COSTS_SQL = f"""
WITH spent AS (
    SELECT m.order_id, SUM(-m.quantity * m.unit_cost) AS spent FROM stock_movements m {USED_WHERE} GROUP BY 1)
SELECT o.id AS order_id, o.number, o.requested_date, c.name AS customer_name,
       o.subtotal - o.discount_amount AS earned, s.spent
FROM spent s JOIN orders o ON o.id = s.order_id JOIN customers c ON c.id = o.customer_id
ORDER BY o.requested_date DESC, o.number DESC
"""

STOCK_VALUE_SQL = f"""
SELECT {ITEM_COLUMNS}, i.category, i.on_hand, i.unit_cost, i.on_hand * i.unit_cost AS value
FROM items i ORDER BY i.sku
"""

# Items in stock whose last issue (any, to an order or not) came before the day `since`, or that never went out.
SLOW_MOVING_SQL = f"""
WITH last AS (SELECT item_id, MAX("at") AS went_out FROM stock_movements WHERE kind = 'issue' GROUP BY 1)
SELECT {ITEM_COLUMNS}, i.on_hand, CAST(l.went_out AS DATE) AS last_issue, i.on_hand * i.unit_cost AS value
FROM items i LEFT JOIN last l ON l.item_id = i.id
WHERE i.on_hand > 0 AND (l.went_out IS NULL OR l.went_out < CAST($since AS TIMESTAMPTZ))
ORDER BY i.id
"""


def _query(sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of one snapshot query as dicts, read to the end."""
    with snapshot.reader() as con:
        relation = con.sql(sql, params=params)
        names = relation.columns
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def _bounds(date_from: date | None, date_to: date | None) -> dict[str, date]:
    date_from, date_to = _period(date_from, date_to)
    return {"first": date_from, "after": date_to + timedelta(days=1)}


def _used(session: Any, date_from: date, date_to: date) -> list[tuple[Movement, Item]]:
    """Issues to orders and returns from them in the period (a return is negative use), from the store."""
    return list(
        session.execute(
            select(Movement, Item)
            .join(Item, Item.id == Movement.item_id)
            .where(
                Movement.kind.in_(("issue", "return")),
                Movement.order_id.is_not(None),
                Movement.at >= at(date_from, time.min),
                Movement.at < at(date_to + timedelta(days=1), time.min),
            )
        ).all()
    )


def _item(item: Item) -> dict[str, Any]:
    return {"item_id": item.id, "sku": item.sku, "name_en": item.name_en, "name_zh": item.name_zh, "unit": item.unit}


def _period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    date_to = date_to or today()
    return date_from or date_to - timedelta(days=365), date_to


@service("stock", "view")
def by_month(*, actor: Actor, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
    """Quantity used and its cost, per item and calendar month (company time)."""
    rows = _query(BY_MONTH_SQL, _bounds(date_from, date_to))
    return [{**row, "cost": row["cost"].quantize(CENT)} for row in rows]


@service("stock", "view")
def by_service(*, actor: Actor, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
    """Use per catalogue service: what an order used of an item is shared among its services that
    list the item, in proportion to what each should use; what none lists counts as 'other'."""
    date_from, date_to = _period(date_from, date_to)
    totals: dict[tuple[str, int], dict[str, Any]] = {}
    with db.reading() as session:
        per_unit = {
            (m.service_id, m.item_id): m.quantity_per_unit for m in session.execute(select(ServiceMaterial)).scalars()
        }
        orders: dict[int, Order] = {}
        for movement, item in _used(session, date_from, date_to):
            order = orders.get(movement.order_id) or orders.setdefault(
                movement.order_id, session.get(Order, movement.order_id)
            )
            weights = {
                line.service_code: per_unit[(line.service_id, item.id)] * line.quantity
                for line in order.lines
                if (line.service_id, item.id) in per_unit
            }
            whole = sum(weights.values(), Decimal(0))
            shares = {code: weight / whole for code, weight in weights.items()} if whole else {"other": Decimal(1)}
            for code, share in shares.items():
                row = totals.setdefault(
                    (code, item.id), {"service": code, **_item(item), "quantity": Decimal(0), "cost": Decimal(0)}
                )
                row["quantity"] -= movement.quantity * share
                row["cost"] -= movement.quantity * movement.unit_cost * share
    return [
        {**row, "quantity": row["quantity"].quantize(CENT), "cost": row["cost"].quantize(CENT)}
        for _key, row in sorted(totals.items())
    ]


@service("stock", "view")
def by_technician(*, actor: Actor, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
    """Use per technician (the one the order was assigned to), per item."""
    rows = _query(BY_TECHNICIAN_SQL, _bounds(date_from, date_to))
    return [{**row, "cost": row["cost"].quantize(CENT)} for row in rows]


@service("stock", "view")
def order_costs(*, actor: Actor, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
    """Each order's material cost beside what it earned before tax."""
    rows = []
    for row in _query(ORDER_COSTS_SQL, _bounds(date_from, date_to)):
        spent, earned = row.pop("spent"), row["earned"]
        rows.append(
            {
                **row,
                "material_cost": spent.quantize(CENT),
                "share": (spent / earned * 100).quantize(Decimal("0.1")) if earned else None,
            }
        )
    return rows


@service("stock", "view")
def stock_value(*, actor: Actor) -> dict[str, Any]:
    """What is on the shelves, at the average cost."""
    rows = [{**row, "value": row["value"].quantize(CENT)} for row in _query(STOCK_VALUE_SQL)]
    return {"rows": rows, "total": sum((row["value"] for row in rows), Decimal(0))}


@service("stock", "view")
def slow_moving(*, actor: Actor, days: int = 90) -> list[dict[str, Any]]:
    """Items in stock that have not gone out for `days` days (or never), most value first."""
    since = today() - timedelta(days=days)  # from its first instant, company time
    rows = [{**row, "value": row["value"].quantize(CENT)} for row in _query(SLOW_MOVING_SQL, {"since": since})]
    return sorted(rows, key=lambda row: row["value"], reverse=True)
