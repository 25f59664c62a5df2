"""The customer's order lookup, without a login: order number and the phone on the order give
the plain-language status, the booked time and the technician's public name — nothing else.
A wrong number and a wrong phone get the same answer, and repeated misses are blocked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import db
from core.audit import record_event
from core.clock import utcnow
from core.entities.validation import normalise_phone
from core.errors import OpsdeskError
from core.i18n import Bilingual, msg
from core.models import Customer, LookupAttempt, Order, Staff
from core.order_status import FOR_CUSTOMERS
from core.security import token_hash
from core.text import without_control_characters

MISSES = 5  # per client, and per order number, within WINDOW
ALL_MISSES = 50  # from everyone together: a spread-out guessing run stops all lookups a while
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Status:
    number: str
    status: str
    explained: Bilingual
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    technician: str | None


class TooManyLookups(OpsdeskError):
    pass


def _keys(client: str, number: str) -> list[tuple[str, int]]:
    # Hashed: the table must not become a list of the numbers and addresses people tried.
    return [
        (f"client:{token_hash(client)[:40]}", MISSES),
        (f"order:{token_hash(number)[:40]}", MISSES),
        ("all", ALL_MISSES),
    ]


def _attempt(session: Session, key: str) -> LookupAttempt:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(LookupAttempt).values(key=key, failures=0, window_started_at=utcnow()).on_conflict_do_nothing()
    )
    return session.execute(select(LookupAttempt).where(LookupAttempt.key == key).with_for_update()).scalar_one()


def client_address(peer: str | None, forwarded_for: str | None, trust_proxy: bool) -> str:
    """Who is asking, for the limits: the peer's address, or behind a trusted reverse proxy the
    address it forwards. Never anything the browser can renew (a reload must not reset it)."""
    if trust_proxy and forwarded_for:
        return forwarded_for.split(",")[0].strip() or "unknown"
    return peer or "unknown"


def look_up(number: str, phone: str, client: str) -> Status | None:
    """The order's public status, or None when number and phone do not match an order."""
    number = without_control_characters(number).strip().upper()[:20]
    wanted_phone = normalise_phone(without_control_characters(phone)[:40])
    keys = _keys(client, number)
    with db.writing(None) as session:
        now = utcnow()
        attempts = [(_attempt(session, key), limit) for key, limit in keys]
        if any(a.blocked_until and a.blocked_until > now for a, _limit in attempts):
            session.commit()
            raise TooManyLookups(msg("Too many tries. Please wait 15 minutes, or call us."))
        found = session.execute(
            select(Order, Customer).join(Customer, Customer.id == Order.customer_id).where(Order.number == number)
        ).first()
        if found is None or wanted_phone is None or found[1].phone != wanted_phone:
            for attempt, limit in attempts:
                if now - attempt.window_started_at > WINDOW:
                    attempt.failures, attempt.window_started_at = 0, now
                attempt.failures += 1
                if attempt.failures >= limit:
                    attempt.blocked_until = now + WINDOW
            session.commit()
            if any(a.blocked_until and a.blocked_until > now for a, _limit in attempts):
                record_event(None, "lookup_blocked", entity="orders", detail=f"{MISSES} misses")
            return None
        order = found[0]
        technician = session.get(Staff, order.technician_id) if order.technician_id else None
        session.commit()
    booked = order.status in {"scheduled", "in_progress"}
    return Status(
        number=order.number,
        status=order.status,
        explained=FOR_CUSTOMERS[order.status],
        scheduled_start=order.scheduled_start if booked else None,
        scheduled_end=order.scheduled_end if booked else None,
        technician=technician.public_name if technician and booked else None,
    )
