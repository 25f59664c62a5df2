"""Staff records (the standard entity services) and their shifts, which dispatch reads: the
roster refuses overlapping shifts, shifts on approved leave and weeks beyond the hours limit.
A shift may cross midnight: an end before the start means the next morning."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core import db, rosters
from core.actor import Actor
from core.clock import at, local
from core.config import get_settings
from core.entities.staff import POSITIONS, STAFF
from core.errors import NotFound, ValidationFailed
from core.i18n import Message, msg
from core.models import LeaveRequest, Shift, Staff
from core.permissions import service
from core.services.records import entity_services
from core.staffing import on_staff_save

staff = entity_services(STAFF, on_save=on_staff_save)

MAX_SHIFT = timedelta(hours=16)
ROLES = tuple(choice.value for choice in POSITIONS)


def _row(shift: Shift, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": shift.id,
        "staff_id": shift.staff_id,
        "staff_name": names.get(shift.staff_id, ""),
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "area_id": shift.area_id,
        "role": shift.role,
        "day": local(shift.starts_at).date(),
    }


def _local_day(moment: datetime) -> date:
    return local(moment).date()


def _select_shifts(date_from: date, date_to: date) -> Select[tuple[Shift]]:
    """Shifts starting on these company dates, in time order."""
    begin, end = at(date_from, time.min), at(date_to + timedelta(days=1), time.min)
    return select(Shift).where(Shift.starts_at >= begin, Shift.starts_at < end).order_by(Shift.starts_at)


@service("staff", "view")
def shifts_between(
    *, actor: Actor, date_from: date, date_to: date, staff_id: int | None = None
) -> list[dict[str, Any]]:
    statement = _select_shifts(date_from, date_to)
    if staff_id is not None:
        statement = statement.where(Shift.staff_id == staff_id)
    with db.reading() as session:
        names = {staff_id: name for staff_id, name in session.execute(select(Staff.id, Staff.name))}
        return [_row(shift, names) for shift in session.execute(statement).scalars()]


@service("staff", "view")
def roster_week(*, actor: Actor, day: date, team: str | None = None) -> dict[str, Any]:
    """The week (Monday to Sunday) holding `day`, for one team or everyone: the people (those who
    left only if they still have a shift that week), their shifts and their approved leave."""
    first = rosters.monday(day)
    days = rosters.week_days(first)
    with db.reading() as session:
        teams = sorted(
            {name for name in session.execute(select(Staff.team).where(Staff.team.is_not(None))).scalars() if name}
        )
        people_query = select(Staff).order_by(Staff.name, Staff.id)
        if team:
            people_query = people_query.where(Staff.team == team)
        people = session.execute(people_query).scalars().all()
        ids = [person.id for person in people]
        shifts = session.execute(_select_shifts(days[0], days[-1]).where(Shift.staff_id.in_(ids))).scalars().all()
        leave = session.execute(
            select(LeaveRequest)
            .where(
                LeaveRequest.staff_id.in_(ids),
                LeaveRequest.status == "approved",
                LeaveRequest.starts_on <= days[-1],
                LeaveRequest.ends_on >= days[0],
            )
            .order_by(LeaveRequest.starts_on)
        ).scalars()
        rostered = {shift.staff_id for shift in shifts}
        names = {person.id: person.name for person in people}
        return {
            "days": days,
            "teams": teams,
            "people": [
                {"id": p.id, "name": p.name, "team": p.team, "position": p.position, "status": p.status}
                for p in people
                if p.status != "left" or p.id in rostered
            ],
            "shifts": [_row(shift, names) for shift in shifts],
            "leave": [
                {"staff_id": item.staff_id, "kind": item.kind, "starts_on": item.starts_on, "ends_on": item.ends_on}
                for item in leave
            ],
        }


def _conflicts(session: Session, person: Staff, new: rosters.Span, day: date) -> dict[str, Message]:
    """Why this person cannot work this shift: another shift, approved leave, the week's hours."""
    errors: dict[str, Message] = {}
    around = rosters.Span(new.starts_at - MAX_SHIFT, new.ends_at)
    nearby = session.execute(
        select(Shift).where(
            Shift.staff_id == person.id, Shift.starts_at < around.ends_at, Shift.ends_at > around.starts_at
        )
    ).scalars()
    clash = rosters.first_overlap((rosters.Span(s.starts_at, s.ends_at) for s in nearby), new)
    if clash is not None:
        errors["start"] = msg(
            "This overlaps another shift, {begins}–{ends}.",
            begins=local(clash.starts_at).strftime("%m-%d %H:%M"),
            ends=local(clash.ends_at).strftime("%H:%M"),
        )
    touched = rosters.days_of(new, _local_day)
    approved = session.execute(
        select(LeaveRequest).where(
            LeaveRequest.staff_id == person.id,
            LeaveRequest.status == "approved",
            LeaveRequest.starts_on <= touched[-1],
            LeaveRequest.ends_on >= touched[0],
        )
    ).scalars()
    leave = rosters.leave_on((rosters.Leave(item.starts_on, item.ends_on) for item in approved), touched)
    if leave is not None:
        errors["day"] = msg(
            "{name} is on approved leave from {starts} to {ends}.",
            name=person.name,
            starts=leave.starts_on.isoformat(),
            ends=leave.ends_on.isoformat(),
        )
    first = rosters.monday(day)
    week = session.execute(
        _select_shifts(first, first + timedelta(days=rosters.WEEK - 1)).where(Shift.staff_id == person.id)
    ).scalars()
    rostered = rosters.week_hours((rosters.Span(s.starts_at, s.ends_at) for s in week), first, _local_day)
    limit = get_settings().max_weekly_hours
    if rosters.beyond_week_limit(rostered, new, limit) and "end" not in errors:
        errors["end"] = msg(
            "This would make {total} hours in the week from {monday}: {rostered} hours are already rostered "
            "and the limit is {limit}.",
            total=rosters.plain(rostered + new.hours),
            monday=first.isoformat(),
            rostered=rosters.plain(rostered),
            limit=rosters.plain(limit),
        )
    return errors


@service("staff", "create")
def add_shift(
    *,
    actor: Actor,
    staff_id: int,
    day: date,
    start: time,
    end: time,
    area_id: int | None = None,
    role: str | None = None,
    overnight: bool = False,
) -> dict[str, Any]:
    """Roster someone from `start` on `day` to `end` that day, or the next morning when `overnight`
    (a night shift across midnight)."""
    errors: dict[str, Message] = {}
    starts_at = at(day, start)
    ends_at = at(day + timedelta(days=1) if overnight else day, end)
    if not overnight and end == start:
        errors["end"] = msg("A shift cannot end when it starts.")
    elif not overnight and end < start:
        errors["end"] = msg("A shift cannot end before it starts; for a night shift tick “Ends the next day”.")
    elif ends_at - starts_at > MAX_SHIFT:
        errors["end"] = msg("A shift lasts at most {hours} hours.", hours=16)
    if role is not None and role not in ROLES:
        errors["role"] = msg("Choose a role: technician, supervisor or office staff.")
    with db.writing(actor) as session:
        person = session.execute(select(Staff).where(Staff.id == staff_id).with_for_update()).scalar_one_or_none()
        if person is None or person.status == "left" or (person.left_on is not None and day > person.left_on):
            errors["staff_id"] = msg("Choose someone who still works here.")
        elif person.status == "on_leave":
            errors["staff_id"] = msg("{name} is on leave; set them back to active first.", name=person.name)
        if person is not None and "end" not in errors:
            errors = {**_conflicts(session, person, rosters.Span(starts_at, ends_at), day), **errors}
        if errors:
            raise ValidationFailed(errors)
        shift = Shift(
            staff_id=staff_id,
            starts_at=starts_at,
            ends_at=ends_at,
            area_id=area_id,
            role=role or person.position,
        )
        session.add(shift)
        session.flush()
        row = _row(shift, {person.id: person.name})
        session.commit()
    return row


@service("staff", "delete")
def remove_shift(*, actor: Actor, shift_id: int) -> None:
    with db.writing(actor) as session:
        shift = session.get(Shift, shift_id)
        if shift is None:
            raise NotFound(msg("That shift does not exist."))
        session.delete(shift)
        session.commit()
