"""Where the materials go: consumption per item and month, per service and per technician,
material cost per order, the value of what is in stock, and what no longer moves."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import db
from core.actor import Actor
from core.clock import at, local, today
from core.models import Customer, Item, Movement, Order, ServiceMaterial, Staff
from core.permissions import service

CENT = Decimal("0.01")


def _used(session: Any, date_from: date, date_to: date) -> list[tuple[Movement, Item]]:
    """Issues to orders and returns from them in the period (a return is negative use)."""
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
    date_from, date_to = _period(date_from, date_to)
    totals: dict[tuple[str, int], dict[str, Any]] = {}
    with db.reading() as session:
        for movement, item in _used(session, date_from, date_to):
            month = local(movement.at).strftime("%Y-%m")
            row = totals.setdefault(
                (month, item.id), {"month": month, **_item(item), "quantity": Decimal(0), "cost": Decimal(0)}
            )
            row["quantity"] -= movement.quantity
            row["cost"] -= movement.quantity * movement.unit_cost
    return [{**row, "cost": row["cost"].quantize(CENT)} for _key, row in sorted(totals.items())]


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
    date_from, date_to = _period(date_from, date_to)
    totals: dict[tuple[str, int], dict[str, Any]] = {}
    with db.reading() as session:
        names = {s.id: s.name for s in session.execute(select(Staff)).scalars()}
        technician_of = {}
        for movement, item in _used(session, date_from, date_to):
            if movement.order_id not in technician_of:
                technician_of[movement.order_id] = session.get(Order, movement.order_id).technician_id
            name = names.get(technician_of[movement.order_id], "—")
            row = totals.setdefault(
                (name, item.id), {"technician": name, **_item(item), "quantity": Decimal(0), "cost": Decimal(0)}
            )
            row["quantity"] -= movement.quantity
            row["cost"] -= movement.quantity * movement.unit_cost
    return [{**row, "cost": row["cost"].quantize(CENT)} for _key, row in sorted(totals.items())]


@service("stock", "view")
def order_costs(*, actor: Actor, date_from: date | None = None, date_to: date | None = None) -> list[dict[str, Any]]:
    """Each order's material cost beside what it earned before tax."""
    date_from, date_to = _period(date_from, date_to)
    cost: dict[int, Decimal] = defaultdict(Decimal)
    with db.reading() as session:
        for movement, _item_row in _used(session, date_from, date_to):
            cost[movement.order_id] -= movement.quantity * movement.unit_cost
        rows = []
        for order_id, spent in cost.items():
            order = session.get(Order, order_id)
            customer = session.get(Customer, order.customer_id)
            earned = order.subtotal - order.discount_amount
            rows.append(
                {
                    "order_id": order.id,
                    "number": order.number,
                    "requested_date": order.requested_date,
                    "customer_name": customer.name,
                    "earned": earned,
                    "material_cost": spent.quantize(CENT),
                    "share": (spent / earned * 100).quantize(Decimal("0.1")) if earned else None,
                }
            )
    return sorted(rows, key=lambda row: (row["requested_date"], row["number"]), reverse=True)


@service("stock", "view")
def stock_value(*, actor: Actor) -> dict[str, Any]:
    """What is on the shelves, at the average cost."""
    with db.reading() as session:
        rows = [
            {
                **_item(item),
                "category": item.category,
                "on_hand": item.on_hand,
                "unit_cost": item.unit_cost,
                "value": (item.on_hand * item.unit_cost).quantize(CENT),
            }
            for item in session.execute(select(Item).order_by(Item.sku)).scalars()
        ]
    return {"rows": rows, "total": sum((row["value"] for row in rows), Decimal(0))}


@service("stock", "view")
def slow_moving(*, actor: Actor, days: int = 90) -> list[dict[str, Any]]:
    """Items in stock that have not gone out for `days` days (or never), most value first."""
    since = at(today() - timedelta(days=days), time.min)
    with db.reading() as session:
        last = {
            item_id: moment
            for item_id, moment in session.execute(
                select(Movement.item_id, func.max(Movement.at))
                .where(Movement.kind == "issue")
                .group_by(Movement.item_id)
            )
        }
        rows = []
        for item in session.execute(select(Item).where(Item.on_hand > 0)).scalars():
            went_out = last.get(item.id)
            if went_out is None or went_out < since:
                rows.append(
                    {
                        **_item(item),
                        "on_hand": item.on_hand,
                        "last_issue": local(went_out).date() if went_out else None,
                        "value": (item.on_hand * item.unit_cost).quantize(CENT),
                    }
                )
    return sorted(rows, key=lambda row: row["value"], reverse=True)
