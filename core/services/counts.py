"""Stock counts and adjustments: changes of stock that only a second person can make real.

A count lists the items in scope; each counted quantity keeps the book quantity of that
moment, so issuing goes on during the count and the adjustment is exactly what the count
found. A manager approves the discrepancies, which then post to the ledger. An adjustment
outside a count (damage, loss) is asked for by one person and approved by another."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.clock import utcnow
from core.entities import records
from core.entities.stock import CATEGORIES
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import msg
from core.models import Item, StockAdjustment, StockCount, StockCountLine
from core.numbering import format_number, reserve
from core.order_rules import decimal
from core.permissions import service
from core.stock import Link, load_item, post, quantity_problem


def _count(session: Session, count_id: int) -> StockCount:
    count = session.execute(select(StockCount).where(StockCount.id == count_id).with_for_update()).scalar_one_or_none()
    if count is None:
        raise NotFound(msg("Stock count {id} does not exist.", id=count_id))
    return count


def _view(session: Session, count: StockCount) -> dict[str, Any]:
    row = {c.key: getattr(count, c.key) for c in StockCount.__table__.columns}
    lines = []
    for line in count.lines:
        item = session.get(Item, line.item_id)
        difference = None if line.counted is None or line.book is None else line.counted - line.book
        lines.append(
            {
                "id": line.id,
                "item_id": item.id,
                "sku": item.sku,
                "barcode": item.barcode,
                "name_en": item.name_en,
                "name_zh": item.name_zh,
                "unit": item.unit,
                "on_hand": item.on_hand,
                "counted": line.counted,
                "book": line.book,
                "difference": difference,
                "value": None if difference is None else (difference * item.unit_cost).quantize(Decimal("0.01")),
                "counted_by": line.counted_by,
                "counted_at": line.counted_at,
            }
        )
    row["lines"] = lines
    row["value"] = sum((line["value"] or Decimal(0) for line in lines), Decimal(0))
    return row


@service("stock", "create")
def open_count(*, actor: Actor, category: str | None = None) -> dict[str, Any]:
    """A count of every item in use, or of one category."""
    if category is not None and category not in {c.value for c in CATEGORIES}:
        raise ValidationFailed({"category": msg("Choose a category.")})
    with db.writing(actor) as session:
        statement = select(Item.id).where(Item.active.is_(True)).order_by(Item.sku)
        if category:
            statement = statement.where(Item.category == category)
        count = StockCount(
            number=format_number("SC", reserve(session, "stock-counts")), category=category, status="open"
        )
        count.lines = [StockCountLine(item_id=item_id) for item_id in session.execute(statement).scalars()]
        if not count.lines:
            raise ValidationFailed({"category": msg("No items to count in this category.")})
        session.add(count)
        session.flush()
        view = _view(session, count)
        session.commit()
    return view


@service("stock", "edit")
def record_counted(*, actor: Actor, count_id: int, item_id: int, counted: Any) -> dict[str, Any]:
    """What was found on the shelf (typed or scanned), with the book quantity at this moment."""
    with db.writing(actor) as session:
        count = _count(session, count_id)
        if count.status != "open":
            raise OpsdeskError(msg("This count is closed for entries."))
        line = next((line for line in count.lines if line.item_id == item_id), None)
        if line is None:
            raise ValidationFailed({"item_id": msg("This item is not part of the count.")})
        item = load_item(session, item_id)
        quantity = decimal(counted)
        problem = None if quantity == 0 else quantity_problem(item, quantity)
        if quantity is None or problem is not None:
            raise ValidationFailed({"counted": problem or msg("Enter the quantity found.")})
        line.counted, line.book, line.counted_at, line.counted_by = quantity, item.on_hand, utcnow(), actor.display_name
        session.flush()
        view = _view(session, count)
        session.commit()
    return view


@service("stock", "edit")
def submit_count(*, actor: Actor, count_id: int, expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        count = _count(session, count_id)
        records.check_version(session, count, expected_version)
        if count.status != "open":
            raise OpsdeskError(msg("Only an open count can be submitted."))
        if all(line.counted is None for line in count.lines):
            raise OpsdeskError(msg("Nothing has been counted yet."))
        count.status = "submitted"
        records.save(session, count)
        view = _view(session, count)
        session.commit()
    return view


@service("stock_approval", "edit")
def approve_count(*, actor: Actor, count_id: int, expected_version: int) -> dict[str, Any]:
    """Post each counted item's difference to the ledger (items not counted are left alone)."""
    with db.writing(actor) as session:
        count = _count(session, count_id)
        records.check_version(session, count, expected_version)
        if count.status != "submitted":
            raise OpsdeskError(msg("Only a submitted count can be approved."))
        for line in count.lines:
            if line.counted is not None and line.book is not None and line.counted != line.book:
                post(
                    session,
                    actor,
                    line.item_id,
                    "count",
                    line.counted - line.book,
                    reason=count.number,
                    link=Link(stock_count_id=count.id),
                )
        count.status, count.approved_by_id, count.approved_at = "approved", actor.user_id, utcnow()
        records.save(session, count)
        view = _view(session, count)
        session.commit()
    return view


@service("stock", "delete")
def cancel_count(*, actor: Actor, count_id: int, expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        count = _count(session, count_id)
        records.check_version(session, count, expected_version)
        if count.status not in {"open", "submitted"}:
            raise OpsdeskError(msg("This count is already closed."))
        count.status = "cancelled"
        records.save(session, count)
        view = _view(session, count)
        session.commit()
    return view


@service("stock", "view")
def get_count(*, actor: Actor, count_id: int) -> dict[str, Any]:
    with db.reading() as session:
        count = session.get(StockCount, count_id)
        if count is None:
            raise NotFound(msg("Stock count {id} does not exist.", id=count_id))
        return _view(session, count)


@service("stock", "view")
def list_counts(*, actor: Actor) -> list[dict[str, Any]]:
    with db.reading() as session:
        counts = session.execute(select(StockCount).order_by(StockCount.id.desc()).limit(200)).scalars()
        return [{c.key: getattr(count, c.key) for c in StockCount.__table__.columns} for count in counts]


@service("stock", "create")
def request_adjustment(*, actor: Actor, item_id: int, quantity: Any, reason: str) -> dict[str, Any]:
    """Ask for a change of stock (+ found, - lost or damaged); it waits for another person."""
    with db.writing(actor) as session:
        item = load_item(session, item_id)
        amount = decimal(quantity)
        errors = {}
        problem = quantity_problem(item, abs(amount)) if amount is not None else msg("Enter a number.")
        if problem is not None:
            errors["quantity"] = problem
        if not (reason or "").strip():
            errors["reason"] = msg("Say why.")
        if errors:
            raise ValidationFailed(errors)
        adjustment = StockAdjustment(
            item_id=item.id,
            quantity=amount,
            reason=reason.strip()[:300],
            status="pending",
            requested_by_id=actor.user_id,
        )
        session.add(adjustment)
        session.flush()
        row = {c.key: getattr(adjustment, c.key) for c in StockAdjustment.__table__.columns}
        session.commit()
    return row


@service("stock_approval", "edit")
def decide_adjustment(*, actor: Actor, adjustment_id: int, approve: bool) -> dict[str, Any]:
    """Approve (the change posts to the ledger) or refuse; never by the person who asked."""
    with db.writing(actor) as session:  # locked: a second decision at the same moment waits, then is refused
        found = select(StockAdjustment).where(StockAdjustment.id == adjustment_id).with_for_update()
        adjustment = session.execute(found).scalar_one_or_none()
        if adjustment is None:
            raise NotFound(msg("Adjustment {id} does not exist.", id=adjustment_id))
        if adjustment.status != "pending":
            raise OpsdeskError(msg("This adjustment was already decided."))
        if adjustment.requested_by_id == actor.user_id:
            raise OpsdeskError(msg("Someone other than the person who asked must decide."))
        adjustment.status = "approved" if approve else "rejected"
        adjustment.decided_by_id, adjustment.decided_at = actor.user_id, utcnow()
        if approve:
            movement = post(
                session, actor, adjustment.item_id, "adjustment", adjustment.quantity, reason=adjustment.reason
            )
            adjustment.movement_id = movement.id
        session.flush()
        row = {c.key: getattr(adjustment, c.key) for c in StockAdjustment.__table__.columns}
        session.commit()
    return row


@service("stock", "view")
def list_adjustments(*, actor: Actor, status: str = "pending") -> list[dict[str, Any]]:
    with db.reading() as session:
        found = session.execute(
            select(StockAdjustment, Item)
            .join(Item, Item.id == StockAdjustment.item_id)
            .where(StockAdjustment.status == status)
            .order_by(StockAdjustment.id.desc())
            .limit(200)
        ).all()
        return [
            {
                **{c.key: getattr(a, c.key) for c in StockAdjustment.__table__.columns},
                "sku": i.sku,
                "name_en": i.name_en,
                "name_zh": i.name_zh,
                "unit": i.unit,
            }
            for a, i in found
        ]
