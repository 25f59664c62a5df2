"""Leave: a person asks for days off for themselves (through the staff record linked to their
login) and may cancel while it is pending; a manager other than the person approves or refuses
it with a note. Approving refuses while the person is rostered on those days: the manager removes
the shifts first, so the roster never puts anyone on leave."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core import db, rosters
from core.actor import Actor
from core.clock import at, local, utcnow
from core.entities import records
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Bilingual, Message, msg
from core.models import LeaveRequest, Shift, Staff, User
from core.permissions import service

KINDS: dict[str, Bilingual] = {
    "annual": Bilingual("Annual leave", "年假"),
    "sick": Bilingual("Sick leave", "病假"),
    "personal": Bilingual("Personal leave", "事假"),
    "unpaid": Bilingual("Unpaid leave", "无薪假"),
}
STATUSES: dict[str, Bilingual] = {
    "pending": Bilingual("Pending", "待审批"),
    "approved": Bilingual("Approved", "已批准"),
    "refused": Bilingual("Refused", "已拒绝"),
    "cancelled": Bilingual("Cancelled", "已取消"),
}
REASON_LENGTH = 500
OPEN = ("pending", "approved")


def _me(session: Session, actor: Actor, *, lock: bool = False) -> Staff:
    statement = select(Staff).where(Staff.user_id == actor.user_id)
    if lock:  # read again under the lock (see core.stock.load_item)
        statement = statement.with_for_update().execution_options(populate_existing=True)
    me = session.execute(statement).scalar_one_or_none()
    if me is None:
        raise OpsdeskError(msg("Your login is not linked to a staff record; ask a manager."))
    return me


def _view(session: Session, leave: LeaveRequest) -> dict[str, Any]:
    person = session.get(Staff, leave.staff_id)
    decider = session.get(User, leave.decided_by_id) if leave.decided_by_id else None
    return {
        "id": leave.id,
        "staff_id": leave.staff_id,
        "staff_name": person.name if person else "",
        "team": person.team if person else None,
        "kind": leave.kind,
        "starts_on": leave.starts_on,
        "ends_on": leave.ends_on,
        "days": (leave.ends_on - leave.starts_on).days + 1,
        "reason": leave.reason,
        "status": leave.status,
        "requested_at": leave.created_at,
        "requested_by_id": leave.created_by_id,
        "decided_by": decider.display_name if decider else None,
        "decided_at": leave.decided_at,
        "decision_note": leave.decision_note,
        "version": leave.version,
    }


def _text(value: str | None) -> str:
    return (value or "").strip()


def _request_errors(kind: str, starts_on: date | None, ends_on: date | None, reason: str) -> dict[str, Message]:
    errors: dict[str, Message] = {}
    if kind not in KINDS:
        errors["kind"] = msg("Choose the kind of leave.")
    if starts_on is None:
        errors["starts_on"] = msg("This field is required.")
    if ends_on is None:
        errors["ends_on"] = msg("This field is required.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = msg("The leave cannot end before it starts.")
    if kind == "personal" and not reason:
        errors["reason"] = msg("Say what the personal leave is for.")
    elif len(reason) > REASON_LENGTH:
        errors["reason"] = msg(
            "At most {limit} characters; this has {length}.", limit=REASON_LENGTH, length=len(reason)
        )
    return errors


@service("timeclock", "view")
def my_leave(*, actor: Actor) -> dict[str, Any]:
    """The caller's own leave requests, newest first; `linked` is False without a staff record."""
    with db.reading() as session:
        me = session.execute(select(Staff).where(Staff.user_id == actor.user_id)).scalar_one_or_none()
        if me is None:
            return {"linked": False, "name": None, "requests": []}
        found = session.execute(
            select(LeaveRequest)
            .where(LeaveRequest.staff_id == me.id)
            .order_by(LeaveRequest.starts_on.desc(), LeaveRequest.id.desc())
        ).scalars()
        return {"linked": True, "name": me.name, "requests": [_view(session, leave) for leave in found]}


@service("timeclock", "create")
def request_leave(
    *, actor: Actor, kind: str, starts_on: date | None, ends_on: date | None, reason: str | None = None
) -> dict[str, Any]:
    """Ask for days off (both ends included), for oneself."""
    text = _text(reason)
    errors = _request_errors(kind, starts_on, ends_on, text)
    with db.writing(actor) as session:
        me = _me(session, actor, lock=True)  # one request at a time per person: no overlapping pair slips in
        if not errors and starts_on is not None and ends_on is not None:
            wanted = rosters.Leave(starts_on, ends_on)
            mine = session.execute(
                select(LeaveRequest).where(LeaveRequest.staff_id == me.id, LeaveRequest.status.in_(OPEN))
            ).scalars()
            clash = next(
                (r for r in mine if rosters.leave_overlaps(rosters.Leave(r.starts_on, r.ends_on), wanted)), None
            )
            if clash is not None:
                errors["starts_on"] = msg(
                    "You already asked for leave from {starts} to {ends} ({status}).",
                    starts=clash.starts_on.isoformat(),
                    ends=clash.ends_on.isoformat(),
                    status=STATUSES[clash.status],
                )
        if errors:
            raise ValidationFailed(errors)
        leave = LeaveRequest(
            staff_id=me.id, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=text or None, status="pending"
        )
        session.add(leave)
        session.flush()
        view = _view(session, leave)
        session.commit()
    return view


def _leave(session: Session, leave_id: int) -> LeaveRequest:
    leave = session.execute(select(LeaveRequest).where(LeaveRequest.id == leave_id).with_for_update()).scalar()
    if leave is None:
        raise NotFound(msg("That leave request does not exist."))
    return leave


def _pending(leave: LeaveRequest) -> None:
    if leave.status != "pending":
        raise OpsdeskError(
            msg("Only a pending request can change; this one is {status}.", status=STATUSES[leave.status])
        )


@service("timeclock", "create")
def cancel_leave(*, actor: Actor, leave_id: int) -> dict[str, Any]:
    """Withdraw one's own request while nobody has decided it."""
    with db.writing(actor) as session:
        me = _me(session, actor)
        leave = _leave(session, leave_id)
        if leave.staff_id != me.id:
            raise OpsdeskError(msg("You can only cancel your own leave requests."))
        _pending(leave)
        leave.status = "cancelled"
        records.save(session, leave)
        view = _view(session, leave)
        session.commit()
    return view


def _shifts_during(session: Session, staff_id: int, starts_on: date, ends_on: date) -> list[Shift]:
    """The person's shifts touching any of these company dates (a night shift touches two)."""
    begin, end = at(starts_on, time.min), at(ends_on + timedelta(days=1), time.min)
    statement: Select[tuple[Shift]] = (
        select(Shift)
        .where(Shift.staff_id == staff_id, Shift.starts_at < end, Shift.ends_at > begin)
        .order_by(Shift.starts_at)
    )
    return list(session.execute(statement).scalars())


@service("leave", "edit")
def decide_leave(*, actor: Actor, leave_id: int, approve: bool, note: str | None = None) -> dict[str, Any]:
    """Approve or refuse a pending request (a refusal says why); never one's own."""
    text = _text(note)
    with db.writing(actor) as session:
        leave = _leave(session, leave_id)
        person = session.execute(select(Staff).where(Staff.id == leave.staff_id).with_for_update()).scalar_one()
        _pending(leave)
        if person.user_id is not None and person.user_id == actor.user_id:
            raise OpsdeskError(msg("Another manager must decide your own leave request."))
        if not approve and not text:
            raise ValidationFailed({"note": msg("Say why the leave is refused.")})
        if len(text) > REASON_LENGTH:
            raise ValidationFailed(
                {"note": msg("At most {limit} characters; this has {length}.", limit=REASON_LENGTH, length=len(text))}
            )
        if approve:
            rostered = _shifts_during(session, person.id, leave.starts_on, leave.ends_on)
            if rostered:
                raise OpsdeskError(
                    msg(
                        "{name} is rostered on those days ({shifts}); remove these shifts first.",
                        name=person.name,
                        shifts=", ".join(
                            f"{local(s.starts_at):%m-%d %H:%M}–{local(s.ends_at):%H:%M}" for s in rostered
                        ),
                    )
                )
        leave.status = "approved" if approve else "refused"
        leave.decided_by_id, leave.decided_at, leave.decision_note = actor.user_id, utcnow(), text or None
        records.save(session, leave)
        view = _view(session, leave)
        session.commit()
    return view


@service("leave", "view")
def pending_leave(*, actor: Actor) -> list[dict[str, Any]]:
    """Requests waiting for a decision, earliest leave first."""
    with db.reading() as session:
        found = session.execute(
            select(LeaveRequest)
            .where(LeaveRequest.status == "pending")
            .order_by(LeaveRequest.starts_on, LeaveRequest.id)
        ).scalars()
        return [_view(session, leave) for leave in found]


@service("leave", "view")
def leave_between(
    *, actor: Actor, date_from: date, date_to: date, statuses: tuple[str, ...] = ("approved", "refused")
) -> list[dict[str, Any]]:
    """Requests in these statuses whose days touch the period, in date order."""
    with db.reading() as session:
        found = session.execute(
            select(LeaveRequest)
            .where(
                LeaveRequest.status.in_(statuses),
                LeaveRequest.starts_on <= date_to,
                LeaveRequest.ends_on >= date_from,
            )
            .order_by(LeaveRequest.starts_on, LeaveRequest.id)
        ).scalars()
        return [_view(session, leave) for leave in found]
