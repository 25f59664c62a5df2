"""Stock items and suppliers, finding an item by its scanned code, and the movements a
warehouse clerk makes: receive, issue to an order, take back from an order, reverse a mistake.
Every one goes through the ledger (core.stock), which keeps the balance at or above zero."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import db
from core.actor import Actor
from core.clock import at
from core.entities.records import Page
from core.entities.stock import ITEMS, SUPPLIERS
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.models import Item, Movement, Order
from core.order_rules import decimal
from core.permissions import service
from core.services.records import entity_services
from core.stock import KINDS, Link, item_row, load_item, post, quantity_problem
from core.text import without_control_characters

items = entity_services(ITEMS)
suppliers = entity_services(SUPPLIERS)


@service("stock", "view")
def find_item(*, actor: Actor, code: str) -> dict[str, Any] | None:
    """The item whose barcode or SKU was scanned or typed (a scanner types the code and Enter)."""
    code = without_control_characters(code).strip()
    if not code:
        return None
    with db.reading() as session:
        item = session.execute(select(Item).where(Item.barcode == code)).scalar_one_or_none()
        if item is None:  # a barcode wins over a SKU that happens to read the same
            item = session.execute(select(Item).where(func.upper(Item.sku) == code.upper())).scalar_one_or_none()
        return item_row(item) if item else None


def _checked(session: Any, item_id: int, raw: Any, reason: str | None, *, needs_reason: bool) -> tuple[Item, Decimal]:
    item = load_item(session, item_id)
    errors: dict[str, Message] = {}
    quantity = decimal(raw)
    problem = quantity_problem(item, quantity)
    if problem is not None:
        errors["quantity"] = problem
    if needs_reason and not (reason or "").strip():
        errors["reason"] = msg("Say why.")
    if not item.active:
        errors["item_id"] = msg("{sku} is no longer in use.", sku=item.sku)
    if errors:
        raise ValidationFailed(errors)
    assert quantity is not None
    return item, quantity


def _movement_row(movement: Movement) -> dict[str, Any]:
    return {column.key: getattr(movement, column.key) for column in Movement.__table__.columns}


def _open_order(session: Any, order_id: int | None) -> Order:
    order = session.get(Order, order_id) if order_id else None
    if order is None:
        raise ValidationFailed({"order_id": msg("Choose the order the material is for.")})
    if order.status == "cancelled":
        raise ValidationFailed({"order_id": msg("Order {number} was cancelled.", number=order.number)})
    return order


@service("stock", "create")
def receive(*, actor: Actor, item_id: int, quantity: Any, unit_cost: Any, reason: str = "") -> dict[str, Any]:
    """Stock that arrives without a purchase order (a sample, a transfer); with a reason."""
    cost = decimal(unit_cost)
    with db.writing(actor) as session:
        _item, amount = _checked(session, item_id, quantity, reason, needs_reason=True)
        if cost is None or cost < 0:
            raise ValidationFailed({"unit_cost": msg("Enter the cost of one unit (0 or more).")})
        movement = post(session, actor, item_id, "receipt", amount, reason=reason.strip(), unit_cost=cost)
        row = _movement_row(movement)
        session.commit()
    return row


@service("stock", "create")
def issue(*, actor: Actor, item_id: int, quantity: Any, order_id: int | None, reason: str = "") -> dict[str, Any]:
    """Material out of the store for an order; refused, with what is on hand, if there is not enough."""
    with db.writing(actor) as session:
        _item, amount = _checked(session, item_id, quantity, reason, needs_reason=False)
        order = _open_order(session, order_id)
        movement = post(
            session, actor, item_id, "issue", -amount, reason=reason.strip() or None, link=Link(order_id=order.id)
        )
        row = _movement_row(movement)
        session.commit()
    return row


def _order_movements(session: Any, order_id: int, item_id: int) -> list[Any]:
    """Quantity and unit cost of each issue and return of the item on the order."""
    return session.execute(
        select(Movement.quantity, Movement.unit_cost).where(
            Movement.order_id == order_id, Movement.item_id == item_id, Movement.kind.in_(("issue", "return"))
        )
    ).all()


def _issued_to(session: Any, order_id: int, item_id: int) -> Decimal:
    """The net movement of the item for the order (negative: that much is out on it)."""
    return sum((quantity for quantity, _cost in _order_movements(session, order_id, item_id)), Decimal(0))


@service("stock", "create")
def take_back(*, actor: Actor, item_id: int, quantity: Any, order_id: int | None, reason: str = "") -> dict[str, Any]:
    """Unused material back from an order, never more than was issued to it, at the cost it left at."""
    with db.writing(actor) as session:
        _item, amount = _checked(session, item_id, quantity, reason, needs_reason=False)
        order = _open_order(session, order_id)
        moved = _order_movements(session, order.id, item_id)
        out = -sum((q for q, _c in moved), Decimal(0))
        if amount > out:
            raise ValidationFailed(
                {"quantity": msg("Only {quantity} went out to {number}.", quantity=out, number=order.number)}
            )
        cost = next((c for q, c in moved if q < 0), None)
        movement = post(
            session,
            actor,
            item_id,
            "return",
            amount,
            reason=reason.strip() or None,
            unit_cost=cost,
            link=Link(order_id=order.id),
        )
        row = _movement_row(movement)
        session.commit()
    return row


@service("stock", "delete")
def reverse(*, actor: Actor, movement_id: int, reason: str) -> dict[str, Any]:
    """Correct a mistaken movement with its opposite (the ledger is never edited); once only."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": msg("Say why.")})
    with db.writing(actor) as session:
        original = session.get(Movement, movement_id)
        if original is None:
            raise NotFound(msg("Movement {id} does not exist.", id=movement_id))
        if original.reverses_id is not None:
            raise OpsdeskError(msg("This movement is itself a reversal."))
        if session.execute(select(Movement.id).where(Movement.reverses_id == movement_id)).first():
            raise OpsdeskError(msg("This movement was already reversed."))
        if original.kind == "issue" and original.order_id is not None:
            out = -_issued_to(session, original.order_id, original.item_id)
            if out < -original.quantity:  # part came back already: reversing all would go below nothing
                raise OpsdeskError(
                    msg("Only {quantity} of it is still out on the order: take that back instead.", quantity=out)
                )
        movement = post(
            session,
            actor,
            original.item_id,
            original.kind,
            -original.quantity,
            reason=f"reverses #{original.id}: {reason}",
            unit_cost=original.unit_cost,
            link=Link(
                order_id=original.order_id, purchase_order_id=original.purchase_order_id, reverses_id=original.id
            ),
        )
        row = _movement_row(movement)
        session.commit()
    return row


@service("stock", "view")
def ledger(
    *,
    actor: Actor,
    item_id: int | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    order_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page:
    """Movements, newest first, with the item they moved."""
    statement = select(Movement, Item).join(Item, Item.id == Movement.item_id)
    if item_id:
        statement = statement.where(Movement.item_id == item_id)
    if kind in KINDS:
        statement = statement.where(Movement.kind == kind)
    if order_id:
        statement = statement.where(Movement.order_id == order_id)
    if date_from:
        statement = statement.where(Movement.at >= at(date_from, time.min))
    if date_to:
        statement = statement.where(Movement.at < at(date_to + timedelta(days=1), time.min))
    with db.reading() as session:
        total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        found = session.execute(
            statement.order_by(Movement.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
        rows = [
            {**_movement_row(m), "sku": i.sku, "name_en": i.name_en, "name_zh": i.name_zh, "unit": i.unit}
            for m, i in found
        ]
    return Page(rows=rows, total=total, page=page, page_size=page_size)
