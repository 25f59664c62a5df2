"""The stock ledger: every change of stock is a movement, posted with the item's balance in
one transaction, and the balance never goes below zero.

Going out uses a conditional UPDATE (`… WHERE on_hand + q >= 0`): the database itself refuses
the movement that would overdraw, so 100 simultaneous issues against 50 on hand give exactly
50 movements on SQLite (whose writers queue behind BEGIN IMMEDIATE) and on PostgreSQL (whose
row lock makes the second UPDATE see the first one's result)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.actor import Actor
from core.clock import utcnow
from core.entities.stock import WHOLE_UNITS
from core.errors import NotFound, OpsdeskError
from core.i18n import Bilingual, Message, msg
from core.models import Item, Movement

KINDS: dict[str, Bilingual] = {
    "receipt": Bilingual("Receipt", "入库"),
    "issue": Bilingual("Issue", "领用"),
    "return": Bilingual("Return", "退回"),
    "adjustment": Bilingual("Adjustment", "调整"),
    "count": Bilingual("Stock count", "盘点"),
}


class InsufficientStock(OpsdeskError):
    def __init__(self, item: Item, available: Decimal, wanted: Decimal) -> None:
        super().__init__(
            msg(
                "Only {available} {unit} of {sku} on hand; {wanted} cannot be taken.",
                available=available,
                unit=item.unit,
                sku=item.sku,
                wanted=wanted,
            )
        )
        self.available = available


def quantity_problem(item: Item, quantity: Decimal | None) -> Message | None:
    """Why this quantity cannot move (None if it can): not a number, zero or less, or a
    fraction of an item counted in whole units."""
    if quantity is None or not quantity.is_finite() or quantity <= 0:
        return msg("The quantity must be more than zero.")
    if quantity != quantity.quantize(Decimal("0.01")):
        return msg("At most two decimals.")
    if item.unit in WHOLE_UNITS and quantity != quantity.to_integral_value():
        return msg("{sku} is counted in whole {unit}s.", sku=item.sku, unit=item.unit)
    return None


def load_item(session: Session, item_id: int, *, lock: bool = False) -> Item:
    """The item; with `lock`, its row locked and its values read again under the lock (the session
    may hold it from a read before the lock, with a balance another movement has changed since)."""
    statement = select(Item).where(Item.id == item_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    item = session.execute(statement).scalar_one_or_none()
    if item is None:
        raise NotFound(msg("Stock item {id} does not exist.", id=item_id))
    return item


@dataclass(frozen=True)
class Link:
    """What a movement belongs to: an order, a purchase order or a count (an adjustment points
    at its movement), or the movement it reverses."""

    order_id: int | None = None
    purchase_order_id: int | None = None
    stock_count_id: int | None = None
    reverses_id: int | None = None


def post(
    session: Session,
    actor: Actor | None,
    item_id: int,
    kind: str,
    quantity: Decimal,
    *,
    reason: str | None = None,
    unit_cost: Decimal | None = None,
    link: Link = Link(),
) -> Movement:
    """Post one movement (+ in, - out) and the item's new balance, or refuse an overdraw."""
    if quantity < 0:
        balance, cost = _take(session, item_id, quantity)
        cost = unit_cost if unit_cost is not None else cost
    else:
        balance, cost = _add(session, item_id, quantity, unit_cost)
    movement = Movement(
        item_id=item_id,
        kind=kind,
        quantity=quantity,
        unit_cost=cost,
        balance_after=balance,
        at=utcnow(),
        actor_id=actor.user_id if actor else None,
        actor_name=actor.display_name if actor else "system",
        reason=None if reason is None else reason[:300],
        order_id=link.order_id,
        purchase_order_id=link.purchase_order_id,
        stock_count_id=link.stock_count_id,
        reverses_id=link.reverses_id,
    )
    session.add(movement)
    session.flush()
    return movement


def _take(session: Session, item_id: int, quantity: Decimal) -> tuple[Decimal, Decimal]:
    taken = session.execute(
        update(Item)
        .where(Item.id == item_id, Item.on_hand + quantity >= 0)
        .values(on_hand=Item.on_hand + quantity)
        .returning(Item.on_hand, Item.unit_cost)
        .execution_options(synchronize_session="fetch")
    ).first()
    if taken is None:
        item = load_item(session, item_id)
        session.refresh(item)
        raise InsufficientStock(item, item.on_hand, -quantity)
    return taken[0], taken[1]


def _add(session: Session, item_id: int, quantity: Decimal, unit_cost: Decimal | None) -> tuple[Decimal, Decimal]:
    """More stock; received at a cost, it moves the item's average cost. (The balance is the
    ledger's: it changes without touching the item's version, so nobody editing the item's
    name is refused because stock arrived meanwhile.)"""
    item = load_item(session, item_id, lock=True)
    cost = item.unit_cost
    if unit_cost is not None:
        held = max(item.on_hand, Decimal(0))
        cost = ((held * item.unit_cost + quantity * unit_cost) / (held + quantity)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    balance = item.on_hand + quantity
    session.execute(
        update(Item)
        .where(Item.id == item_id)
        .values(on_hand=balance, unit_cost=cost)
        .execution_options(synchronize_session="fetch")
    )
    return balance, unit_cost if unit_cost is not None else cost


def item_row(item: Item) -> dict[str, Any]:
    return {column.key: getattr(item, column.key) for column in Item.__table__.columns}


def order_materials(session: Any, order_id: int) -> tuple[list[dict[str, Any]], Decimal]:
    """What went out to an order (net of returns) and what it cost."""
    found = session.execute(
        select(Movement, Item)
        .join(Item, Item.id == Movement.item_id)
        .where(Movement.order_id == order_id, Movement.kind.in_(("issue", "return")))
    ).all()
    net: dict[int, dict[str, Any]] = {}
    cost = Decimal(0)
    for movement, item in found:
        line = net.setdefault(
            item.id,
            {
                "item_id": item.id,
                "sku": item.sku,
                "name_en": item.name_en,
                "name_zh": item.name_zh,
                "unit": item.unit,
                "quantity": Decimal(0),
                "cost": Decimal(0),
            },
        )
        line["quantity"] -= movement.quantity
        line["cost"] -= movement.quantity * movement.unit_cost
        cost -= movement.quantity * movement.unit_cost
    return [line for line in net.values() if line["quantity"]], cost.quantize(Decimal("0.01"))
