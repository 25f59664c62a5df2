"""Customer follow-ups: a reminder to get back to a customer on a day, set by hand for one customer
or in one step for a whole selection (a segment's or a cluster's customers), listed when due and
closed with what came of it.

"Mine" means assigned to me, or assigned to nobody and set by me: a reminder a clerk sets for
themselves counts as theirs. A bulk selection skips customers that already have an open
follow-up of the same origin, so clicking twice (or two clerks clicking at once) does not double
them. Every follow-up is audited, the bulk ones too (one audit row each, written in bulk).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, aliased

from core import db
from core.actor import Actor
from core.audit_trail import record_bulk_creation
from core.clock import today, utcnow
from core.entities import records
from core.entities.records import Page
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.masking import mask
from core.models import Customer, FollowUp, User
from core.permissions import allowed, service
from core.text import without_control_characters

NOTE_LIMIT = 500  # the columns' length
OUTCOME_LIMIT = 500
ORIGIN_LIMIT = 60
SELECTION_LIMIT = 10_000  # customers in one bulk step
AHEAD_DAYS = 730  # a follow-up is due within two years: a later day is a typo
BATCH = 1_000  # rows per INSERT statement
CUSTOMER_FOLLOW_UPS = 200  # at most this many on a customer's page, open ones first
ADVISORY_LOCK = 7_301  # PostgreSQL: one bulk step per origin at a time

# Why a customer of a selection got no follow-up (the codes returned in `skipped`).
SKIP_REASONS: dict[str, Message] = {
    "unknown": msg("No such customer."),
    "archived": msg("The customer is archived."),
    "open": msg("The customer already has an open follow-up from this selection."),
}


def _text(raw: Any, limit: int, missing: Message) -> tuple[str | None, Message | None]:
    """Typed text, trimmed; or why it cannot be kept (missing, too long, invisible characters)."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        return None, missing
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        return None, msg("Remove the control characters (invisible characters) from this text.")
    if len(value) > limit:
        return None, msg("At most {limit} characters; this has {length}.", limit=limit, length=len(value))
    return value, None


def _due(raw: Any) -> tuple[date | None, Message | None]:
    """The day to follow up: today or later, within two years."""
    day = raw.date() if isinstance(raw, datetime) else raw
    if isinstance(raw, str) and raw.strip():
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            return None, msg("Enter a date as YYYY-MM-DD.")
    if not isinstance(day, date):
        return None, msg("Choose the day to follow up.")
    if day < today():
        return None, msg("This day is in the past: choose today or a later day.")
    if day > today() + timedelta(days=AHEAD_DAYS):
        return None, msg("Choose a day within the next two years.")
    return day, None


def _may_follow_up(user: User) -> bool:
    return user.active and all(allowed(user.roles, "follow_ups", action) for action in ("view", "edit"))


def _assignee_problem(session: Session, assigned_to_id: Any) -> Message | None:
    if assigned_to_id is None:
        return None
    user = session.get(User, assigned_to_id) if isinstance(assigned_to_id, int) else None
    if user is None or not user.active:
        return msg("Choose an active user.")
    if not _may_follow_up(user):
        return msg("{name} may not work on follow-ups; choose a clerk or a manager.", name=user.display_name)
    return None


def _origin(raw: str | None) -> tuple[str | None, Message | None]:
    if raw is None or not str(raw).strip():
        return None, None
    value = str(raw).strip()
    if without_control_characters(value) != value:
        return None, msg("Remove the control characters (invisible characters) from this text.")
    if len(value) > ORIGIN_LIMIT:
        return None, msg("At most {limit} characters; this has {length}.", limit=ORIGIN_LIMIT, length=len(value))
    return value, None


def _common(session: Session, due_on: Any, note: Any, assigned_to_id: Any) -> tuple[dict[str, Any], dict[str, Message]]:
    """The fields a single and a bulk follow-up share, cleaned, and the problems found."""
    errors: dict[str, Message] = {}
    day, problem = _due(due_on)
    if problem:
        errors["due_on"] = problem
    clean_note, problem = _text(note, NOTE_LIMIT, msg("Write what to follow up on."))
    if problem:
        errors["note"] = problem
    problem = _assignee_problem(session, assigned_to_id)
    if problem:
        errors["assigned_to_id"] = problem
    return {"due_on": day, "note": clean_note, "assigned_to_id": assigned_to_id}, errors


@service("follow_ups", "create")
def add_follow_up(
    *, actor: Actor, customer_id: int, due_on: date, note: str, assigned_to_id: int | None = None
) -> dict[str, Any]:
    """One follow-up for one customer (not archived); every bad field is reported at once."""
    with db.writing(actor) as session:
        values, errors = _common(session, due_on, note, assigned_to_id)
        customer = session.get(Customer, customer_id) if isinstance(customer_id, int) else None
        if customer is None:
            errors["customer_id"] = msg("Choose a customer.")
        elif customer.archived_at is not None:
            errors["customer_id"] = msg("This customer is archived: restore them first.")
        if errors:
            raise ValidationFailed(errors)
        follow_up = FollowUp(customer_id=customer_id, **values)
        session.add(follow_up)
        session.flush()
        row = _rows(session, _select_rows().where(FollowUp.id == follow_up.id))[0]
        session.commit()
    return row


def _selection(customer_ids: Any) -> tuple[list[int], Message | None]:
    """The distinct customer ids chosen, in their order; or why the selection cannot be used."""
    if not isinstance(customer_ids, list | tuple | set | frozenset) or not customer_ids:
        return [], msg("Choose at least one customer.")
    if any(not isinstance(c, int) or isinstance(c, bool) for c in customer_ids):
        return [], msg("The selection holds something that is not a customer.")
    chosen = list(dict.fromkeys(customer_ids))
    if len(chosen) > SELECTION_LIMIT:
        return [], msg(
            "At most {limit} customers at once; this selection has {count}. Narrow it first.",
            limit=f"{SELECTION_LIMIT:,}",
            count=f"{len(chosen):,}",
        )
    return chosen, None


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


@service("follow_ups", "create")
def add_follow_ups(
    *,
    actor: Actor,
    customer_ids: list[int],
    due_on: date,
    note: str,
    origin: str | None = None,
    assigned_to_id: int | None = None,
) -> dict[str, Any]:
    """The same follow-up for every customer of a selection, in one transaction, inserted in bulk.

    Returns {"created": n, "skipped": [(customer_id, reason code of SKIP_REASONS), ...]}: unknown
    and archived customers, and those with an open follow-up of the same origin, are skipped."""
    chosen, selection_problem = _selection(customer_ids)
    clean_origin, origin_problem = _origin(origin)
    with db.writing(actor) as session:
        values, errors = _common(session, due_on, note, assigned_to_id)
        if selection_problem:
            errors["customer_ids"] = selection_problem
        if origin_problem:
            errors["origin"] = origin_problem
        if errors:
            raise ValidationFailed(errors)
        if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already serialises
            session.execute(
                text("SELECT pg_advisory_xact_lock(CAST(:key AS integer), hashtext(CAST(:origin AS text)))"),
                {"key": ADVISORY_LOCK, "origin": clean_origin or ""},
            )
        reasons = _reasons(session, chosen, clean_origin)
        wanted = [customer_id for customer_id in chosen if customer_id not in reasons]
        _insert(session, actor, wanted, {**values, "origin": clean_origin})
        session.commit()
    return {"created": len(wanted), "skipped": [(c, reasons[c]) for c in chosen if c in reasons]}


def _reasons(session: Session, chosen: list[int], origin: str | None) -> dict[int, str]:
    """customer id -> why it is skipped, for the customers of the selection that are."""
    reasons: dict[int, str] = {}
    same_origin = FollowUp.origin.is_(None) if origin is None else FollowUp.origin == origin
    for part in _chunks(chosen):
        found = dict(session.execute(select(Customer.id, Customer.archived_at).where(Customer.id.in_(part))).all())
        busy = set(
            session.execute(
                select(FollowUp.customer_id).where(
                    FollowUp.customer_id.in_(part), FollowUp.done_at.is_(None), same_origin
                )
            ).scalars()
        )
        for customer_id in part:
            if customer_id not in found:
                reasons[customer_id] = "unknown"
            elif found[customer_id] is not None:
                reasons[customer_id] = "archived"
            elif customer_id in busy:
                reasons[customer_id] = "open"
    return reasons


def _insert(session: Session, actor: Actor, customer_ids: list[int], values: dict[str, Any]) -> None:
    """One INSERT per thousand rows, stamped like the ORM stamps, then one audit row each."""
    now = utcnow()
    stamps = {
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor.user_id,
        "updated_by_id": actor.user_id,
        "version": 1,
    }
    statement = insert(FollowUp).returning(FollowUp.id, FollowUp.customer_id)
    for part in _chunks(customer_ids):
        rows = [{**values, "customer_id": customer_id, **stamps} for customer_id in part]
        # Each customer appears once in a selection, so the returned customer id says which row got which id.
        ids = {customer_id: record_id for record_id, customer_id in session.execute(statement, rows).all()}
        record_bulk_creation(session, FollowUp, [(ids[row["customer_id"]], row) for row in rows])


def _select_rows() -> Any:
    """Follow-ups with their customer and the names of who they are assigned to and who closed them."""
    assignee, closer = aliased(User), aliased(User)
    return (
        select(
            FollowUp,
            Customer.code,
            Customer.name,
            Customer.phone,
            assignee.display_name.label("assignee"),
            closer.display_name.label("done_by"),
        )
        .join(Customer, Customer.id == FollowUp.customer_id)
        .outerjoin(assignee, assignee.id == FollowUp.assigned_to_id)
        .outerjoin(closer, closer.id == FollowUp.done_by_id)
    )


def _rows(session: Session, statement: Any) -> list[dict[str, Any]]:
    """The rows, the customer's phone masked (in full only through customers.reveal_contacts)."""
    now = today()
    rows = []
    for follow_up, code, name, phone, assignee, done_by in session.execute(statement).all():
        rows.append(
            {
                "id": follow_up.id,
                "version": follow_up.version,
                "customer_id": follow_up.customer_id,
                "customer_code": code,
                "customer_name": name,
                "phone": mask(phone) if phone else phone,
                "due_on": follow_up.due_on,
                "overdue": follow_up.done_at is None and follow_up.due_on < now,
                "note": follow_up.note,
                "origin": follow_up.origin,
                "assigned_to_id": follow_up.assigned_to_id,
                "assignee": assignee,
                "created_by_id": follow_up.created_by_id,
                "done_at": follow_up.done_at,
                "done_by": done_by,
                "outcome": follow_up.outcome,
            }
        )
    return rows


@service("follow_ups", "view")
def due_follow_ups(
    *,
    actor: Actor,
    until: date | None = None,
    mine_only: bool = False,
    include_done: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Follow-ups due on or before `until` (today by default; overdue ones first), one page of them.
    Each row: customer code, name and phone (masked), due
    day, whether it is overdue, note, origin, assignee and, when closed, who closed it and how."""
    until = until or today()
    per_page = min(max(1, int(per_page)), 500)
    conditions = [FollowUp.due_on <= until]
    if not include_done:
        conditions.append(FollowUp.done_at.is_(None))
    if mine_only:
        conditions.append(
            (FollowUp.assigned_to_id == actor.user_id)
            | (FollowUp.assigned_to_id.is_(None) & (FollowUp.created_by_id == actor.user_id))
        )
    with db.reading() as session:
        total = session.execute(select(func.count(FollowUp.id)).where(*conditions)).scalar_one()
        pages = max(1, -(-total // per_page))
        page = min(max(1, int(page)), pages)
        statement = (
            _select_rows()
            .where(*conditions)
            .order_by(FollowUp.done_at.is_not(None), FollowUp.due_on, FollowUp.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        rows = _rows(session, statement)
    return Page(rows=rows, total=total, page=page, page_size=per_page)


@service("follow_ups", "view")
def customer_follow_ups(*, actor: Actor, customer_id: int) -> list[dict[str, Any]]:
    """A customer's follow-ups: the open ones by due day, then the closed ones, newest first."""
    with db.reading() as session:
        if session.get(Customer, customer_id) is None:
            raise NotFound(msg("Customer {id} does not exist.", id=customer_id))
        statement = (
            _select_rows()
            .where(FollowUp.customer_id == customer_id)
            .order_by(FollowUp.done_at.is_not(None), FollowUp.done_at.desc(), FollowUp.due_on, FollowUp.id)
            .limit(CUSTOMER_FOLLOW_UPS)
        )
        return _rows(session, statement)


@service("follow_ups", "view")
def assignees(*, actor: Actor) -> list[dict[str, Any]]:
    """Whom a follow-up can be assigned to: active users who may see and close follow-ups."""
    with db.reading() as session:
        users = session.execute(select(User).where(User.active.is_(True)).order_by(User.display_name)).scalars()
        return [{"id": user.id, "name": user.display_name} for user in users if _may_follow_up(user)]


@service("follow_ups", "edit")
def close_follow_up(*, actor: Actor, follow_up_id: int, outcome: str, expected_version: int) -> dict[str, Any]:
    """Close a follow-up with what came of it; refused if it is closed already or changed since read."""
    clean_outcome, problem = _text(outcome, OUTCOME_LIMIT, msg("Say what came of it."))
    with db.writing(actor) as session:
        follow_up = session.execute(
            select(FollowUp).where(FollowUp.id == follow_up_id).with_for_update()
        ).scalar_one_or_none()
        if follow_up is None:
            raise NotFound(msg("Follow-up {id} does not exist.", id=follow_up_id))
        if follow_up.done_at is not None:
            raise OpsdeskError(
                msg(
                    "This follow-up was already closed by {who}; nothing was changed.",
                    who=records.user_name(session, follow_up.done_by_id),
                )
            )
        if problem:
            raise ValidationFailed({"outcome": problem})
        records.check_version(session, follow_up, expected_version)
        follow_up.done_at, follow_up.done_by_id, follow_up.outcome = utcnow(), actor.user_id, clean_outcome
        records.save(session, follow_up)
        row = _rows(session, _select_rows().where(FollowUp.id == follow_up_id))[0]
        session.commit()
    return row
