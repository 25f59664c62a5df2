"""Rules of a staff member's profile: when a certificate counts, which skills dispatch may use,
and what leaving the company does (run inside the save that marks someone as left)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actor import Actor
from core.auth import disable_account
from core.clock import today, utcnow
from core.dispatching import in_both_languages
from core.errors import ValidationFailed
from core.i18n import Message, msg
from core.models import Order, Shift, Staff, User
from core.order_rules import transition

EXPIRING_DAYS = 30  # a certificate this close to its expiry is shown as expiring soon


def certificate_state(expires_on: date | None, day: date) -> str:
    """The certificate's state on `day`: expired after its expiry date, expiring within EXPIRING_DAYS
    of it, else valid (it is still good on its expiry day; without an expiry date it is good for ever)."""
    if expires_on is None:
        return "valid"
    if expires_on < day:
        return "expired"
    return "expiring" if expires_on <= day + timedelta(days=EXPIRING_DAYS) else "valid"


def usable_skills(skills: Iterable[str], certificates: Iterable[tuple[str, date | None]], day: date) -> frozenset[str]:
    """The skills dispatch may use on `day`: a skill some certificate licenses counts only while
    one of those certificates is unexpired; a skill no certificate mentions needs none."""
    licensed: set[str] = set()
    valid: set[str] = set()
    for skill, expires_on in certificates:
        licensed.add(skill)
        if expires_on is None or expires_on >= day:
            valid.add(skill)
    return frozenset(skill for skill in skills if skill not in licensed or skill in valid)


def certificate_date_problems(values: Mapping[str, Any]) -> dict[str, Message]:
    """What the dates of a certificate (already cleaned one by one) say together."""
    obtained, expires = values.get("obtained_on"), values.get("expires_on")
    if obtained is not None and expires is not None and expires <= obtained:
        return {"expires_on": msg("The expiry date must be after the date it was obtained.")}
    return {}


def on_staff_save(session: Session, actor: Actor, person: Staff, before: dict[str, Any]) -> None:
    """The staff records' save hook: marking someone as left ends their part in the company's
    future; marking them back (rehired) clears the date they left."""
    if person.status == "left" and before.get("status") != "left":
        leave(session, actor, person)
    elif person.status != "left" and before.get("status") == "left":
        person.left_on = None


def leave(session: Session, actor: Actor, person: Staff) -> None:
    """Someone leaves: their login is disabled at once (an open page's next click asks for a login),
    their shifts from now on are removed, and the jobs booked for them from now on go back to
    dispatch. What they did (past shifts, jobs, attendance) stays as it was."""
    if person.user_id is not None and person.user_id == actor.user_id:
        raise ValidationFailed({"status": msg("You cannot mark yourself as left.")})
    person.left_on = today()
    now = utcnow()
    if person.user_id is not None:
        user = session.get(User, person.user_id)
        if user is not None and user.active:
            disable_account(session, user, "left")
    for shift in session.execute(select(Shift).where(Shift.staff_id == person.id, Shift.starts_at > now)).scalars():
        session.delete(shift)
    reason = in_both_languages(msg("{name} has left; the job waits for another technician.", name=person.name))
    booked = select(Order).where(
        Order.technician_id == person.id, Order.status == "scheduled", Order.scheduled_start > now
    )
    for order in session.execute(booked.order_by(Order.id).with_for_update()).scalars():
        transition(session, order, "confirmed", actor, note=reason["en"])
        order.technician_id = order.scheduled_start = order.scheduled_end = None
        order.assignment_reason = reason
