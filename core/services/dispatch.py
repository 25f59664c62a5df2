"""Dispatch: the automatic choice of technician, a dispatcher's override, and the day's board.
No technician is ever double-booked: every assignment checks the technician's other jobs
while holding their row, so two dispatchers cannot book the same hour at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.assignment import auto_assign, bookings_between, candidates, clock, job_needs
from core.clock import at, local
from core.dispatching import conflict, in_both_languages, on_shift
from core.entities import records
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import msg
from core.models import Order, Staff
from core.order_rules import load_order, order_view, require_decided_discount, transition
from core.order_status import BOOKED
from core.permissions import service
from core.skills import SKILLS


@service("dispatch", "edit")
def assign(*, actor: Actor, order_id: int, staff_id: int, start: datetime, expected_version: int) -> dict[str, Any]:
    """A dispatcher's choice. Refused if the technician lacks a skill or is booked then
    (the clashing job is named); an assignment off shift or outside their areas is allowed
    but said in the reason."""
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        records.check_version(session, order, expected_version)
        if order.status not in {"confirmed", "scheduled"}:
            raise OpsdeskError(msg("Only confirmed or scheduled orders can be assigned."))
        require_decided_discount(order)
        # Around the start actually chosen: a job moved to another day meets that day's bookings.
        pool = {c.staff_id: c for c in candidates(session, local(start).date(), lock=True, skip_order=order.id)}
        person = pool.get(staff_id)
        if person is None:
            raise ValidationFailed({"staff_id": msg("Choose an active technician.")})
        skills, minutes = job_needs(session, order)
        missing = sorted(skills - person.skills)
        if missing:
            raise ValidationFailed(
                {
                    "staff_id": msg(
                        "{name} lacks skills this job needs: {skills}.",
                        name=person.name,
                        skills=", ".join(SKILLS[s].en for s in missing),
                    )
                }
            )
        end = start + timedelta(minutes=minutes)
        clash = conflict(bookings_between(session, staff_id, start, end, skip_order=order.id), start, end)
        if clash is not None:
            raise ValidationFailed(
                {
                    "start": msg(
                        "{name} is booked then: {number}, {begins}–{ends}.",
                        name=person.name,
                        number=clash.number,
                        begins=clock(clash.start),
                        ends=clock(clash.end),
                    )
                }
            )
        notes = [msg("Assigned by {who}.", who=actor.display_name)]
        if not on_shift(person.shifts, start, end):
            notes.append(msg("Outside {name}'s shift.", name=person.name))
        if order.area_id not in person.areas:
            notes.append(msg("Outside {name}'s areas.", name=person.name))
        reason = {lang: " ".join(in_both_languages(n)[lang] for n in notes) for lang in ("en", "zh")}
        order.technician_id, order.scheduled_start, order.scheduled_end = staff_id, start, end
        order.assignment_reason = reason
        if order.status == "confirmed":
            transition(session, order, "scheduled", actor, note=reason["en"][:500])
        records.save(session, order)
        session.commit()
        return {"order_id": order.id, "reason": reason}


@service("dispatch", "edit")
def unassign(*, actor: Actor, order_id: int, expected_version: int, note: str = "") -> None:
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        records.check_version(session, order, expected_version)
        transition(session, order, "confirmed", actor, note=note or "unassigned")
        order.technician_id = order.scheduled_start = order.scheduled_end = None
        records.save(session, order)
        session.commit()


@service("dispatch", "edit")
def dispatch_again(*, actor: Actor, order_id: int) -> dict[str, Any]:
    """Try the automatic choice again for a confirmed order nobody could take earlier."""
    with db.writing(actor) as session:
        order = load_order(session, order_id)
        if order.status != "confirmed":
            raise OpsdeskError(msg("Only confirmed orders wait for a technician."))
        require_decided_discount(order)
        outcome = auto_assign(session, order, actor)
        records.save(session, order)
        session.commit()
        return outcome


@service("dispatch", "view")
def board(*, actor: Actor, day: date) -> dict[str, Any]:
    """The day per technician (shifts and jobs), and the confirmed orders still waiting."""
    with db.reading() as session:
        pool = candidates(session, day)
        begin, end = at(day, datetime.min.time()), at(day + timedelta(days=1), datetime.min.time())
        jobs = (
            session.execute(
                select(Order)
                .where(
                    Order.technician_id.is_not(None),
                    Order.status.in_(BOOKED | {"completed", "paid"}),
                    Order.scheduled_start >= begin,
                    Order.scheduled_start < end,
                )
                .order_by(Order.scheduled_start)
            )
            .scalars()
            .all()
        )
        waiting = (
            session.execute(
                select(Order)
                .where(Order.status == "confirmed", Order.requested_date == day)
                .order_by(Order.window_start)
            )
            .scalars()
            .all()
        )
        return {
            "technicians": [
                {
                    "id": c.staff_id,
                    "name": c.name,
                    "shifts": [(s, e) for s, e in c.shifts if s < end and e > begin],
                    "jobs": [order_view(session, j) for j in jobs if j.technician_id == c.staff_id],
                }
                for c in pool
            ],
            "waiting": [order_view(session, o) for o in waiting],
        }


@service("dispatch", "view")
def technicians(*, actor: Actor) -> list[dict[str, Any]]:
    with db.reading() as session:
        people = session.execute(
            select(Staff).where(Staff.status == "active", Staff.position == "technician").order_by(Staff.name)
        ).scalars()
        return [{"id": p.id, "name": p.name, "skills": p.skills, "areas": p.areas} for p in people]
