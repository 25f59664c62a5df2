"""Helpers of the stock tests: items and suppliers made through the real services, an order to
issue against, and what the ledger holds afterwards."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import db
from core.actor import SYSTEM, Actor
from core.i18n import translate
from core.models import AuditEntry, Item, Movement
from core.services import orders, purchasing, stock
from tests.factories import order_values


def supplier_values(name: str = "上海洁净化工", lead_time_days: int = 7, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": name,
        "contact_person": "陈经理",
        "phone": None,
        "email": None,
        "address": None,
        "lead_time_days": lead_time_days,
        "active": True,
        "notes": None,
    }
    return {**values, **changes}


def make_supplier(name: str = "上海洁净化工", lead_time_days: int = 7, **changes: Any) -> dict[str, Any]:
    return stock.suppliers.create(actor=SYSTEM, values=supplier_values(name, lead_time_days, **changes))


def item_values(sku: str = "SHAMPOO-5L", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sku": sku,
        "barcode": None,
        "name_en": sku.title(),
        "name_zh": sku,
        "category": "chemicals",
        "unit": "bottle",
        "unit_cost": "80",
        "reorder_level": "0",
        "reorder_quantity": "0",
        "supplier_id": None,
        "active": True,
    }
    return {**values, **changes}


def make_item(sku: str = "SHAMPOO-5L", *, stock_on_hand: str | None = None, **changes: Any) -> dict[str, Any]:
    """A stock item; with `stock_on_hand`, that much received at its unit cost."""
    row = stock.items.create(actor=SYSTEM, values=item_values(sku, **changes))
    if stock_on_hand is not None:
        stock.receive(
            actor=SYSTEM, item_id=row["id"], quantity=stock_on_hand, unit_cost=row["unit_cost"], reason="opening"
        )
    return row


def new_order(actor: Actor, customer_id: int, area_id: int, service_id: int, quantity: str = "10") -> dict[str, Any]:
    return orders.create_order(
        actor=actor,
        values=order_values(customer_id, area_id),
        lines=[{"service_id": service_id, "quantity": Decimal(quantity)}],
        idempotency_key=uuid.uuid4().hex,
    )


def item(item_id: int) -> Item:
    with db.reading() as session:
        return session.get(Item, item_id)


def on_hand(item_id: int) -> Decimal:
    return item(item_id).on_hand


def movements(item_id: int | None = None) -> list[Movement]:
    statement = select(Movement).order_by(Movement.id)
    if item_id is not None:
        statement = statement.where(Movement.item_id == item_id)
    with db.reading() as session:
        return list(session.execute(statement).scalars())


def ledger_sum(item_id: int) -> Decimal:
    return sum((m.quantity for m in movements(item_id)), Decimal(0))


def count(model: Any) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def audit_rows(table: str, record_id: int) -> list[AuditEntry]:
    with db.reading() as session:
        return list(
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.entity == table, AuditEntry.entity_id == str(record_id))
                .order_by(AuditEntry.id)
            ).scalars()
        )


def english(message: Any) -> str:
    return translate(message, "en")


# --- Purchase orders through their steps ---


def draft(actor, supplier, *lines: tuple[dict, str, str]) -> dict:
    return purchasing.create_purchase_order(
        actor=actor,
        supplier_id=supplier["id"],
        lines=[{"item_id": i["id"], "quantity": q, "unit_cost": c} for i, q, c in lines],
    )


def submitted(actor, supplier, *lines) -> dict:
    po = draft(actor, supplier, *lines)
    return purchasing.submit_purchase_order(actor=actor, po_id=po["id"], expected_version=po["version"])


def ordered(requester, approver, supplier, *lines) -> dict:
    po = submitted(requester, supplier, *lines)
    po = purchasing.approve_purchase_order(actor=approver, po_id=po["id"], expected_version=po["version"])
    return purchasing.mark_ordered(actor=requester, po_id=po["id"], expected_version=po["version"])


def receive(actor, po: dict, *quantities: str, confirm_over: bool = False) -> dict:
    receipts = [{"line_id": line["id"], "quantity": q} for line, q in zip(po["lines"], quantities, strict=False)]
    return purchasing.receive_goods(actor=actor, po_id=po["id"], receipts=receipts, confirm_over=confirm_over)
