"""Staff records (the standard entity services) and their shifts, which dispatch reads.
A shift may cross midnight: an end before the start means the next morning."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.clock import at, local
from core.entities.staff import STAFF
from core.errors import NotFound, ValidationFailed
from core.i18n import Message, msg
from core.models import Shift, Staff
from core.permissions import service
from core.services.records import entity_services

staff = entity_services(STAFF)

MAX_SHIFT = timedelta(hours=16)


def _row(shift: Shift, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": shift.id,
        "staff_id": shift.staff_id,
        "staff_name": names.get(shift.staff_id, ""),
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "area_id": shift.area_id,
        "day": local(shift.starts_at).date(),
    }


@service("staff", "view")
def shifts_between(
    *, actor: Actor, date_from: date, date_to: date, staff_id: int | None = None
) -> list[dict[str, Any]]:
    begin, end = at(date_from, time.min), at(date_to + timedelta(days=1), time.min)
    statement = select(Shift).where(Shift.starts_at >= begin, Shift.starts_at < end).order_by(Shift.starts_at)
    if staff_id is not None:
        statement = statement.where(Shift.staff_id == staff_id)
    with db.reading() as session:
        names = {staff_id: name for staff_id, name in session.execute(select(Staff.id, Staff.name))}
        return [_row(shift, names) for shift in session.execute(statement).scalars()]


@service("staff", "create")
def add_shift(
    *, actor: Actor, staff_id: int, day: date, start: time, end: time, area_id: int | None = None
) -> dict[str, Any]:
    errors: dict[str, Message] = {}
    starts_at = at(day, start)
    ends_at = at(day + timedelta(days=1) if end <= start else day, end)
    if ends_at - starts_at > MAX_SHIFT:
        errors["end"] = msg("A shift lasts at most {hours} hours.", hours=16)
    with db.writing(actor) as session:
        person = session.execute(select(Staff).where(Staff.id == staff_id).with_for_update()).scalar_one_or_none()
        if person is None or person.status == "left":
            errors["staff_id"] = msg("Choose someone who still works here.")
        clash = (
            session.execute(
                select(Shift).where(Shift.staff_id == staff_id, Shift.starts_at < ends_at, Shift.ends_at > starts_at)
            )
            .scalars()
            .first()
        )
        if clash is not None:
            errors["start"] = msg(
                "This overlaps another shift, {begins}–{ends}.",
                begins=local(clash.starts_at).strftime("%m-%d %H:%M"),
                ends=local(clash.ends_at).strftime("%H:%M"),
            )
        if errors:
            raise ValidationFailed(errors)
        shift = Shift(staff_id=staff_id, starts_at=starts_at, ends_at=ends_at, area_id=area_id)
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
