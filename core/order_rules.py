"""Rules shared by every service that touches an order: checking what a clerk entered,
pricing it, and moving it along the status flow with a history entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actor import Actor
from core.clock import today, utcnow
from core.config import get_settings
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.masking import mask
from core.models import Customer, Order, OrderEvent, OrderLine, Service, Staff
from core.numbering import format_number, reserve
from core.order_status import check_transition
from core.pricing import PricedLine, Totals, needs_approval, price_again, price_line, totals
from core.stock import order_materials

CHANNELS = ("phone", "web", "app", "walk_in")
# What a clerk enters about an order besides its customer and lines.
INTAKE_FIELDS = (
    "channel",
    "address",
    "area_id",
    "requested_date",
    "window_start",
    "window_end",
    "discount_pct",
    "notes",
)
MAX_QUANTITY = Decimal("100000")


@dataclass(frozen=True)
class Intake:
    """An order as entered, checked: where, when, what, and at what discount."""

    customer_id: int | None
    channel: str
    address: str
    area_id: int
    requested_date: date
    window_start: time
    window_end: time
    discount_pct: Decimal
    notes: str | None
    lines: tuple[PricedLine, ...]


def decimal(raw: Any) -> Decimal | None:
    """A number as typed (or None), rounded to the cent as it will be stored, so what is
    checked is what is kept: 0.004 is 0.00, not "more than zero"."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if value.is_finite() else None


def balance(order: Order) -> Decimal:
    """What the customer still owes. Refunds give money back without reopening the debt
    (a goodwill refund is a credit), so they lower the order's revenue, not its balance."""
    return order.total - order.paid


def load_order(session: Session, order_id: int, *, lock: bool = False) -> Order:
    statement = select(Order).where(Order.id == order_id)
    if lock:  # read again under the lock: the session may hold the order from a read before it
        statement = statement.with_for_update().execution_options(populate_existing=True)
    order = session.execute(statement).scalar_one_or_none()
    if order is None:
        raise NotFound(msg("Order {id} does not exist.", id=order_id))
    return order


def services_for(session: Session, lines: Sequence[Mapping[str, Any]]) -> dict[int, Service]:
    ids = {line.get("service_id") for line in lines if isinstance(line.get("service_id"), int)}
    return {s.id: s for s in session.execute(select(Service).where(Service.id.in_(ids))).scalars()}


def require_decided_discount(order: Order) -> None:
    """Nothing moves on (dispatch, work, payment) while a discount waits for its approval."""
    if order.discount_state == "pending":
        raise OpsdeskError(msg("The discount waits for a manager's approval; the order cannot go on yet."))


def check_intake(
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    services: Mapping[int, Service],
    *,
    allow_past: bool = False,
    kept: Mapping[int, Any] | None = None,
) -> Intake:
    """Every problem at once, each under its field: `lines.N.quantity` for the N-th line.

    `kept` holds the lines an order already has (by service): they keep their copied price,
    even if the catalogue price changed or the service is no longer offered."""
    errors: dict[str, Message] = {}
    required = msg("This field is required.")
    channel = values.get("channel")
    if channel not in CHANNELS:
        errors["channel"] = msg("Choose one of: {options}.", options=", ".join(CHANNELS))
    address = (values.get("address") or "").strip()
    if not address:
        errors["address"] = required
    elif len(address) > 300:
        errors["address"] = msg("At most {limit} characters; this has {length}.", limit=300, length=len(address))
    if not values.get("area_id"):
        errors["area_id"] = required
    day, start, end = values.get("requested_date"), values.get("window_start"), values.get("window_end")
    if not isinstance(day, date):
        errors["requested_date"] = required
    elif day < today() and not allow_past:
        errors["requested_date"] = msg("The date has passed; choose today or a later day.")
    if not isinstance(start, time):
        errors["window_start"] = required
    if not isinstance(end, time):
        errors["window_end"] = required
    elif isinstance(start, time) and end <= start:
        errors["window_end"] = msg("The window must end after it starts.")
    discount = decimal(values.get("discount_pct") or 0)
    if discount is None or discount < 0 or discount > 100:
        errors["discount_pct"] = msg("A discount is between 0 and 100 percent.")
    priced = _priced_lines(lines, services, kept or {}, errors)
    notes = (values.get("notes") or "").strip() or None
    if errors:
        raise ValidationFailed(errors)
    return Intake(
        values.get("customer_id"), channel, address, int(values["area_id"]), day, start, end, discount, notes, priced
    )


def _priced_lines(
    lines: Sequence[Mapping[str, Any]],
    services: Mapping[int, Service],
    kept: Mapping[int, Any],
    errors: dict[str, Message],
) -> tuple[PricedLine, ...]:
    priced = []
    for index, line in enumerate(lines):
        service_id = line.get("service_id") or 0
        service = services.get(service_id)
        quantity = decimal(line.get("quantity"))
        known = service_id in kept or (service is not None and service.active)
        if not known:
            errors[f"lines.{index}.service_id"] = msg("Choose a service from the catalogue.")
        if quantity is None or quantity <= 0:
            errors[f"lines.{index}.quantity"] = msg("The quantity must be more than zero.")
        elif quantity > MAX_QUANTITY:
            errors[f"lines.{index}.quantity"] = msg("The quantity must be at most {limit}.", limit=MAX_QUANTITY)
        elif service_id in kept:
            priced.append(price_again(kept[service_id], quantity))
        elif known:
            priced.append(price_line(service, quantity))
    if not lines:
        errors["lines"] = msg("Add at least one service.")
    return tuple(priced)


def price(intake: Intake, tax_rate: Decimal) -> Totals:
    return totals(
        (line.amount for line in intake.lines),
        sum(line.minutes for line in intake.lines),
        intake.discount_pct,
        tax_rate,
    )


def apply_intake(order: Order, intake: Intake, figures: Totals) -> None:
    """Copy the checked intake and its computed amounts onto the order (new or being edited)."""
    for name in INTAKE_FIELDS:
        setattr(order, name, getattr(intake, name))
    order.lines = [OrderLine(**line.__dict__) for line in intake.lines]
    order.subtotal, order.discount_amount = figures.subtotal, figures.discount_amount
    order.tax_rate, order.tax_amount, order.total = figures.tax_rate, figures.tax_amount, figures.total


def record_step(
    session: Session,
    order: Order,
    actor: Actor | None,
    to_status: str,
    note: str | None = None,
    from_status: str | None = None,
) -> datetime:
    """One line of the order's history: who, when, from which status to which, and why."""
    now = utcnow()
    session.add(
        OrderEvent(
            order_id=order.id,
            at=now,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.display_name if actor else "system",
            from_status=from_status,
            to_status=to_status,
            note=None if note is None else note[:500],
        )
    )
    return now


def transition(session: Session, order: Order, target: str, actor: Actor | None, note: str | None = None) -> None:
    """Move the order to `target` if the flow allows it, stamping the time and keeping a history entry."""
    check_transition(order.status, target)
    now = record_step(session, order, actor, target, note, from_status=order.status)
    order.status = target
    if target == "in_progress":
        order.started_at = now
    elif target == "completed":
        order.completed_at = now
    elif target == "paid":
        order.paid_at = now


def order_view(session: Session, order: Order) -> dict[str, Any]:
    """An order as pages show it: its columns, lines, customer, technician and balance due."""
    row = {column.key: getattr(order, column.key) for column in Order.__table__.columns}
    customer = session.get(Customer, order.customer_id)
    technician = session.get(Staff, order.technician_id) if order.technician_id else None
    row["lines"] = [{c.key: getattr(line, c.key) for c in line.__table__.columns} for line in order.lines]
    row["customer_code"], row["customer_name"] = customer.code, customer.name
    row["customer_phone"] = mask(customer.phone) if customer.phone else customer.phone  # in full: reveal_contacts
    row["technician_name"] = technician.name if technician else None
    row["balance"] = balance(order)
    row["materials"], row["material_cost"] = order_materials(session, order.id)
    return row


def discount_state(order: Order, intake: Intake, actor: Actor) -> None:
    """No discount, one within the actor's own limit (approved by them), or one waiting for
    a manager who is not the person asking."""
    order.discount_requested_by_id = actor.user_id if intake.discount_pct else None
    if intake.discount_pct == 0:
        order.discount_state, order.discount_decided_by_id, order.discount_decided_at = "none", None, None
    elif needs_approval(intake.discount_pct, actor.roles):
        order.discount_state, order.discount_decided_by_id, order.discount_decided_at = "pending", None, None
    else:
        order.discount_state, order.discount_decided_by_id, order.discount_decided_at = (
            "approved",
            actor.user_id,
            utcnow(),
        )


def new_order(
    session: Session, actor: Actor, intake: Intake, customer_id: int, key: str, contract: tuple[int, date] | None = None
) -> Order:
    """Number, price and store a checked intake (also used by recurring contracts)."""
    year = today().year
    number = format_number("SO", reserve(session, f"orders-{year}"), year=year)
    order = Order(
        number=number, customer_id=customer_id, status="new", idempotency_key=key, paid=Decimal(0), refunded=Decimal(0)
    )
    if contract is not None:
        order.contract_id, order.occurrence_date = contract
    apply_intake(order, intake, price(intake, get_settings().tax_rate))
    discount_state(order, intake, actor)
    session.add(order)
    session.flush()
    record_step(session, order, actor, "new")
    return order
