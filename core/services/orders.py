"""Taking orders and moving them along: intake (numbered, priced, never created twice),
search, details, edits, confirmation with automatic dispatch, cancellation, discounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.clock import utcnow
from core.config import get_settings
from core.crypto import blind_index
from core.entities import records
from core.entities.customers import CUSTOMERS
from core.entities.records import Page
from core.entities.validation import clean
from core.errors import OpsdeskError, ValidationFailed
from core.formatting import money
from core.i18n import Message, msg
from core.models import Customer, Order, OrderEvent, Staff
from core.order_rules import (
    apply_intake,
    balance,
    check_intake,
    decimal,
    discount_state,
    load_order,
    new_order,
    order_view,
    price,
    record_step,
    services_for,
    transition,
)
from core.permissions import require, service
from core.pricing import needs_approval, price_line, totals
from core.services import dispatch
from core.services.records import PossibleDuplicate
from core.text import without_control_characters


def _check_customer(
    session: Session, actor: Actor, values: dict[str, Any], new_customer: dict[str, Any] | None
) -> tuple[int | None, dict[str, Any] | None, dict[str, Message]]:
    """The chosen customer's id, or a new customer's clean values; problems keyed for the form."""
    if new_customer is None:
        customer = session.get(Customer, values.get("customer_id") or 0)
        if customer is None or customer.archived_at is not None:
            return None, None, {"customer_id": msg("Choose a customer, or enter a new one.")}
        return customer.id, None, {}
    require(actor, "customers", "create")
    try:
        return None, clean(CUSTOMERS, new_customer, records.ref_tables(session, CUSTOMERS)), {}
    except ValidationFailed as failed:
        return None, None, {f"customer.{name}": m for name, m in failed.errors.items()}


def _new_customer(session: Session, values: dict[str, Any], confirm_duplicate: bool) -> int:
    if not confirm_duplicate:
        matches = records.duplicates(session, CUSTOMERS, values)
        if matches:
            raise PossibleDuplicate(matches, CUSTOMERS.masked_fields)
    return records.create(session, CUSTOMERS, values).id


@service("orders", "create")
def create_order(
    *,
    actor: Actor,
    values: dict[str, Any],
    lines: list[dict[str, Any]],
    idempotency_key: str,
    new_customer: dict[str, Any] | None = None,
    confirm_duplicate: bool = False,
) -> dict[str, Any]:
    """A new order numbered SO-YYYY-NNNNNN. The same idempotency key (a double click, a
    rerun) returns the order it already created instead of creating another."""
    key = without_control_characters(idempotency_key)[:64]
    if not key:
        raise OpsdeskError(msg("The form has expired; open it again."))
    try:
        with db.writing(actor) as session:
            existing = session.execute(select(Order).where(Order.idempotency_key == key)).scalar_one_or_none()
            if existing is not None:
                return order_view(session, existing)
            customer_id, customer_values, errors = _check_customer(session, actor, values, new_customer)
            try:
                intake = check_intake(values, lines, services_for(session, lines))
            except ValidationFailed as failed:
                raise ValidationFailed({**failed.errors, **errors}) from None
            if errors:  # every problem at once: the order's and the customer's
                raise ValidationFailed(errors)
            if customer_id is None:
                customer_id = _new_customer(session, customer_values, confirm_duplicate)
            order = new_order(session, actor, intake, customer_id, key)
            view = order_view(session, order)
            session.commit()
            return view
    except IntegrityError:  # the same key saved by a concurrent click: return that order
        with db.reading() as session:
            existing = session.execute(select(Order).where(Order.idempotency_key == key)).scalar_one_or_none()
            if existing is None:
                raise
            return order_view(session, existing)


@service("orders", "view")
def quote(*, actor: Actor, lines: list[dict[str, Any]], discount_pct: Any = 0) -> dict[str, Any]:
    """What the lines entered so far come to (lines not yet complete are left out), and
    whether the discount needs a manager: the intake form shows it as the clerk types."""
    with db.reading() as session:
        services = services_for(session, lines)
    priced = []
    for line in lines:
        found = services.get(line.get("service_id") or 0)
        quantity = decimal(line.get("quantity"))
        if found is not None and found.active and quantity is not None and quantity > 0:
            priced.append(price_line(found, quantity))
    discount = decimal(discount_pct)
    discount = discount if discount is not None and 0 <= discount <= 100 else Decimal(0)
    figures = totals((p.amount for p in priced), sum(p.minutes for p in priced), discount, get_settings().tax_rate)
    return {"lines": priced, "totals": figures, "needs_approval": needs_approval(discount, actor.roles)}


@service("orders", "edit")
def update_order(
    *, actor: Actor, order_id: int, values: dict[str, Any], lines: list[dict[str, Any]], expected_version: int
) -> dict[str, Any]:
    """Change an order that is not yet booked: amounts are computed again, a larger discount
    goes back for approval, and a save over someone else's newer change is refused."""
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        if order.status not in {"new", "confirmed"}:
            raise OpsdeskError(msg("Only new or confirmed orders can be changed; unassign a scheduled one first."))
        keep_past = values.get("requested_date") == order.requested_date
        intake = check_intake(
            {**values, "channel": values.get("channel", order.channel)},
            lines,
            services_for(session, lines),
            allow_past=keep_past,
            kept={line.service_id: line for line in order.lines},
        )
        records.check_version(session, order, expected_version)
        previous = order.discount_pct
        figures = price(intake, get_settings().tax_rate)
        if figures.total < order.paid:
            raise ValidationFailed(
                {"lines": msg("The new total is below what was already paid, {paid}.", paid=money(order.paid))}
            )
        apply_intake(order, intake, figures)
        if intake.discount_pct != previous:
            discount_state(order, intake, actor)
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view


@service("orders", "view")
def get_order(*, actor: Actor, order_id: int) -> dict[str, Any]:
    with db.reading() as session:
        order = load_order(session, order_id)
        view = order_view(session, order)
        events = session.execute(
            select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
        ).scalars()
        view["events"] = [{c.key: getattr(e, c.key) for c in OrderEvent.__table__.columns} for e in events]
        return view


@service("orders", "view")
def find_order(*, actor: Actor, number: str) -> int | None:
    with db.reading() as session:
        return session.execute(select(Order.id).where(Order.number == number.strip().upper())).scalar_one_or_none()


@service("orders", "view")
def search_orders(
    *,
    actor: Actor,
    query: str = "",
    statuses: tuple[str, ...] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    area_id: int | None = None,
    page: int = 1,
    page_size: int = 25,
) -> Page:
    statement = select(Order, Customer).join(Customer, Customer.id == Order.customer_id)
    text = without_control_characters(query).strip()
    if text:
        like = text.lower()
        statement = statement.where(
            or_(
                func.lower(Order.number).contains(like, autoescape=True),
                func.lower(Customer.name).contains(like, autoescape=True),
                # contacts are encrypted: a whole phone number is found through its keyed hash
                Customer.phone_hash == (blind_index("phone", text) or "-"),
                Customer.phone_alt_hash == (blind_index("phone", text) or "-"),
            )
        )
    if statuses:
        statement = statement.where(Order.status.in_(statuses))
    if date_from:
        statement = statement.where(Order.requested_date >= date_from)
    if date_to:
        statement = statement.where(Order.requested_date <= date_to)
    if area_id:
        statement = statement.where(Order.area_id == area_id)
    with db.reading() as session:
        total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        found = session.execute(
            statement.order_by(Order.requested_date.desc(), Order.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        staff = {s.id: s.name for s in session.execute(select(Staff)).scalars()}
        rows = [
            {
                "id": o.id,
                "number": o.number,
                "customer_name": c.name,
                "customer_code": c.code,
                "requested_date": o.requested_date,
                "window_start": o.window_start,
                "window_end": o.window_end,
                "status": o.status,
                "technician_name": staff.get(o.technician_id),
                "total": o.total,
                "balance": balance(o),
                "discount_state": o.discount_state,
            }
            for o, c in found
        ]
    return Page(rows=rows, total=total, page=page, page_size=page_size)


@service("orders", "edit")
def confirm_order(*, actor: Actor, order_id: int, expected_version: int) -> dict[str, Any]:
    """Confirm, then assign the best technician at once (or say why nobody could take it)."""
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        records.check_version(session, order, expected_version)
        if order.discount_state == "pending":
            raise OpsdeskError(msg("The discount waits for a manager's approval; the order cannot be confirmed yet."))
        transition(session, order, "confirmed", actor)
        outcome = dispatch.auto_assign(session, order, actor)
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    view["dispatch"] = outcome
    return view


@service("orders", "delete")
def cancel_order(*, actor: Actor, order_id: int, reason: str, expected_version: int) -> dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": msg("Say why the order is cancelled.")})
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        records.check_version(session, order, expected_version)
        if order.paid - order.refunded > 0:
            raise OpsdeskError(msg("Money was received for this order; refund it before cancelling."))
        transition(session, order, "cancelled", actor, note=reason[:500])
        order.cancel_reason = reason[:300]
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view


@service("discounts", "edit")
def decide_discount(
    *, actor: Actor, order_id: int, approve: bool, expected_version: int, note: str = ""
) -> dict[str, Any]:
    """A manager other than the one who asked approves or refuses a discount above the asker's
    limit; a refused discount is removed. The version read makes sure the manager decides on
    the discount they saw, not one changed since."""
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        records.check_version(session, order, expected_version)
        if order.discount_state != "pending":
            raise OpsdeskError(msg("This order has no discount waiting for approval."))
        if order.discount_requested_by_id is not None and order.discount_requested_by_id == actor.user_id:
            raise OpsdeskError(msg("Someone other than the person who asked for the discount must decide on it."))
        order.discount_decided_by_id, order.discount_decided_at = actor.user_id, utcnow()
        if approve:
            order.discount_state = "approved"
        else:
            order.discount_state, order.discount_pct = "rejected", Decimal(0)
            figures = totals([line.amount for line in order.lines], 0, Decimal(0), order.tax_rate)
            order.discount_amount, order.tax_amount, order.total = (
                figures.discount_amount,
                figures.tax_amount,
                figures.total,
            )
        verdict = "discount approved" if approve else "discount refused"
        record_step(
            session, order, actor, order.status, verdict + (f": {note}" if note else ""), from_status=order.status
        )
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view


@service("discounts", "view")
def pending_discounts(*, actor: Actor) -> list[dict[str, Any]]:
    with db.reading() as session:
        orders = (
            session.execute(select(Order).where(Order.discount_state == "pending").order_by(Order.id)).scalars().all()
        )
        return [order_view(session, order) for order in orders]


@service("orders", "view")
def customer_summary(*, actor: Actor, customer_id: int) -> dict[str, Any]:
    """The customer's orders and what they add up to: spent, last order, rating, open balance."""
    with db.reading() as session:
        orders = (
            session.execute(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.requested_date.desc(), Order.id.desc())
            )
            .scalars()
            .all()
        )
        ratings = [o.rating for o in orders if o.rating]
        live = [o for o in orders if o.status != "cancelled"]
        return {
            "orders": [
                {
                    "id": o.id,
                    "number": o.number,
                    "requested_date": o.requested_date,
                    "status": o.status,
                    "total": o.total,
                    "balance": balance(o),
                    "rating": o.rating,
                }
                for o in orders
            ],
            "spent": sum((o.paid - o.refunded for o in orders), Decimal(0)),
            "last_order": orders[0].requested_date if orders else None,
            "average_rating": round(sum(ratings) / len(ratings), 1) if ratings else None,
            "open_balance": sum((balance(o) for o in live if o.status == "completed"), Decimal(0)),
            "count": len(live),
        }
