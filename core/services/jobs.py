"""The technician's own jobs, on a phone: today's list, start, and complete with the
materials used and the customer's rating."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.audit import record_event
from core.clock import at, today
from core.entities import records
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.models import Customer, Order, Staff
from core.order_rules import balance, decimal, order_view, require_decided_discount, transition
from core.permissions import service
from core.stock import InsufficientStock, Link, load_item, post, quantity_problem


def _me(session: Session, actor: Actor) -> Staff:
    me = session.execute(select(Staff).where(Staff.user_id == actor.user_id)).scalar_one_or_none()
    if me is None:
        raise OpsdeskError(msg("Your login is not linked to a technician; ask a manager."))
    return me


def _my_job(session: Session, actor: Actor, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(msg("Order {id} does not exist.", id=order_id))
    if "manager" not in actor.roles and order.technician_id != _me(session, actor).id:
        raise OpsdeskError(msg("This job is assigned to someone else."))
    return order


def _issue_used(session: Session, actor: Actor, order: Order, used: list[dict[str, Any]]) -> None:
    errors: dict[str, Message] = {}
    for index, row in enumerate(used):
        quantity = decimal(row.get("quantity"))
        if quantity == 0:
            continue  # proposed but not used
        item = load_item(session, row.get("item_id") or 0)
        problem = quantity_problem(item, quantity)
        if problem is not None:
            errors[f"used.{index}.quantity"] = problem
            continue
        try:
            post(session, actor, item.id, "issue", -quantity, reason=order.number, link=Link(order_id=order.id))
        except InsufficientStock as short:
            errors[f"used.{index}.quantity"] = short.message
    if errors:
        raise ValidationFailed(errors)


@service("jobs", "view")
def my_jobs(*, actor: Actor, day: date | None = None) -> list[dict[str, Any]]:
    """The signed-in technician's jobs of the day (today unless said), in time order."""
    day = day or today()
    with db.reading() as session:
        me = _me(session, actor)
        begin, end = at(day, datetime.min.time()), at(day + timedelta(days=1), datetime.min.time())
        jobs = session.execute(
            select(Order)
            .where(
                Order.technician_id == me.id,
                Order.scheduled_start >= begin,
                Order.scheduled_start < end,
                Order.status != "cancelled",
            )
            .order_by(Order.scheduled_start)
        ).scalars()
        return [order_view(session, job) for job in jobs]


@service("jobs", "view")
def call_customer(*, actor: Actor, order_id: int) -> str:
    """The customer's phone in full, for the technician of an open job (who must call on the way).

    Services give contacts masked; this reveal is written in the audit trail like any other
    (who, when, which customer and job; never the number)."""
    with db.reading() as session:
        order = _my_job(session, actor, order_id)
        if order.status not in {"scheduled", "in_progress"}:
            raise OpsdeskError(msg("The customer's phone is shown only for a job that is still open."))
        customer = session.get(Customer, order.customer_id)
        phone, detail = customer.phone, f"{customer.code} · {order.number}"
    record_event(actor, "contacts_viewed", entity="customers", entity_id=order.customer_id, detail=detail)
    return phone


@service("jobs", "edit")
def start_job(*, actor: Actor, order_id: int, expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        order = _my_job(session, actor, order_id)
        records.check_version(session, order, expected_version)
        require_decided_discount(order)
        transition(session, order, "in_progress", actor)
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view


@service("jobs", "edit")
def complete_job(
    *,
    actor: Actor,
    order_id: int,
    expected_version: int,
    materials: str = "",
    rating: int | None = None,
    comment: str = "",
    used: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Finish the job with the customer's rating (1 to 5) if given, a note, and the stock
    materials used (`used`: item and quantity), issued from stock against the order in the
    same step — if the store lacks one, nothing is completed and the item is named."""
    errors: dict[str, Message] = {}
    if rating is not None and rating not in range(1, 6):
        errors["rating"] = msg("A rating is a whole number from 1 to 5.")
    if len(materials) > 1000:
        errors["materials"] = msg("At most {limit} characters; this has {length}.", limit=1000, length=len(materials))
    if len(comment) > 500:
        errors["comment"] = msg("At most {limit} characters; this has {length}.", limit=500, length=len(comment))
    if errors:
        raise ValidationFailed(errors)
    with db.writing(actor) as session:
        order = _my_job(session, actor, order_id)
        records.check_version(session, order, expected_version)
        require_decided_discount(order)
        _issue_used(session, actor, order, used or [])
        transition(session, order, "completed", actor)
        order.materials_used = materials.strip() or None
        order.rating, order.rating_comment = rating, comment.strip() or None
        if balance(order) <= 0:  # paid in advance
            transition(session, order, "paid", actor, note="paid in advance")
        records.save(session, order)
        view = order_view(session, order)
        session.commit()
    return view
