"""Where the materials go: consumption per item and month, per service and per technician,
material cost per order, the value of what is in stock, and what no longer moves.

Every figure is a DuckDB query over the columnar snapshot (core/analytics/snapshot.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.actor import Actor
from core.analytics import snapshot
from core.clock import today
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

# What an order used of an item is shared among its lines whose service lists the item, in proportion
# to what each should use (quantity per unit x the line's quantity); what none lists is 'other'.
BY_SERVICE_SQL = f"""
WITH used AS (
    SELECT m.id, m.order_id, m.item_id, -m.quantity AS quantity, -m.quantity * m.unit_cost AS cost
    FROM stock_movements m {USED_WHERE}),
weights AS (
    SELECT u.id, l.service_code, SUM(sm.quantity_per_unit * l.quantity) AS weight
    FROM used u JOIN order_lines l ON l.order_id = u.order_id
    JOIN service_materials sm ON sm.service_id = l.service_id AND sm.item_id = u.item_id
    GROUP BY u.id, l.service_code),
shares AS (SELECT id, service_code, weight / SUM(weight) OVER (PARTITION BY id) AS share FROM weights),
split AS (
    SELECT COALESCE(s.service_code, 'other') AS service, u.item_id,
           SUM(u.quantity * COALESCE(s.share, 1)) AS quantity, SUM(u.cost * COALESCE(s.share, 1)) AS cost
    FROM used u LEFT JOIN shares s ON s.id = u.id
    GROUP BY 1, 2)
SELECT p.service, {ITEM_COLUMNS}, p.quantity, p.cost
FROM split p JOIN items i ON i.id = p.item_id
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
    rows = _query(BY_SERVICE_SQL, _bounds(date_from, date_to))
    return [
        {**row, "quantity": Decimal(row["quantity"]).quantize(CENT), "cost": Decimal(row["cost"]).quantize(CENT)}
        for row in sorted(rows, key=lambda row: (row["service"], row["item_id"]))
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
