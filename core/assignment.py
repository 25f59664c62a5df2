"""Dispatch against the store: the technicians who could take a job on a day, with their
shifts and bookings, and the automatic choice made when an order is confirmed. The rules
themselves are in core.dispatching; who may trigger this is the services' business."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actor import Actor
from core.clock import at, local, utcnow
from core.dispatching import Assignment, Booking, Candidate, choose, in_both_languages
from core.i18n import Bilingual, Message, msg
from core.models import Order, Qualification, Service, ServiceArea, Shift, Staff
from core.order_rules import transition
from core.order_status import BOOKED
from core.staffing import usable_skills

MARGIN = timedelta(hours=12)  # night shifts reach into the day before and after


def _day_span(day: date) -> tuple[datetime, datetime]:
    return at(day, datetime.min.time()) - MARGIN, at(day + timedelta(days=1), datetime.min.time()) + MARGIN


def clock(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


def job_needs(session: Session, order: Order) -> tuple[frozenset[str], int]:
    """The skills the order's services need, and its estimated minutes."""
    ids = [line.service_id for line in order.lines]
    skills: set[str] = set()
    for catalogue_service in session.execute(select(Service).where(Service.id.in_(ids))).scalars():
        skills.update(catalogue_service.skills or [])
    return frozenset(skills), max(30, sum(line.minutes for line in order.lines))


def candidates(session: Session, day: date, *, lock: bool = False, skip_order: int | None = None) -> list[Candidate]:
    """Active technicians with their shifts and bookings around `day`, and the skills they may use
    that day (a skill a certificate licenses counts only while one is valid)."""
    begin, end = _day_span(day)
    statement = select(Staff).where(Staff.status == "active", Staff.position == "technician").order_by(Staff.id)
    if lock:  # read again under the lock (see core.stock.load_item)
        statement = statement.with_for_update().execution_options(populate_existing=True)
    people = session.execute(statement).scalars().all()
    ids = [person.id for person in people]
    shifts: dict[int, list[tuple[datetime, datetime]]] = {i: [] for i in ids}
    for shift in session.execute(
        select(Shift).where(Shift.staff_id.in_(ids), Shift.starts_at < end, Shift.ends_at > begin)
    ).scalars():
        shifts[shift.staff_id].append((shift.starts_at, shift.ends_at))
    bookings: dict[int, list[Booking]] = {i: [] for i in ids}
    for order in session.execute(
        select(Order).where(
            Order.technician_id.in_(ids),
            Order.status.in_(BOOKED),
            Order.scheduled_start < end,
            Order.scheduled_end > begin,
        )
    ).scalars():
        if order.id != skip_order:
            bookings[order.technician_id].append(Booking(order.scheduled_start, order.scheduled_end, order.number))
    certificates: dict[int, list[tuple[str, date | None]]] = {i: [] for i in ids}
    for staff_id, skill, expires_on in session.execute(
        select(Qualification.staff_id, Qualification.skill, Qualification.expires_on).where(
            Qualification.staff_id.in_(ids), Qualification.skill.is_not(None)
        )
    ):
        certificates[staff_id].append((skill, expires_on))
    day_begin, day_end = at(day, datetime.min.time()), at(day + timedelta(days=1), datetime.min.time())
    return [
        Candidate(
            p.id,
            p.name,
            frozenset(p.areas or []),
            usable_skills(p.skills or [], certificates[p.id], day),
            tuple(shifts[p.id]),
            tuple(bookings[p.id]),
            (day_begin, day_end),
        )
        for p in people
    ]


def bookings_between(
    session: Session, staff_id: int, start: datetime, end: datetime, skip_order: int | None = None
) -> list[Booking]:
    """A technician's jobs overlapping [start, end), however long either is."""
    found = session.execute(
        select(Order).where(
            Order.technician_id == staff_id,
            Order.status.in_(BOOKED),
            Order.scheduled_start < end,
            Order.scheduled_end > start,
        )
    ).scalars()
    return [Booking(o.scheduled_start, o.scheduled_end, o.number) for o in found if o.id != skip_order]


def _area(session: Session, area_id: int) -> Bilingual:
    area = session.get(ServiceArea, area_id)
    return Bilingual(area.name_en, area.name_zh) if area else Bilingual(str(area_id), str(area_id))


ALL_BUSY = msg("Every technician who could do it is off shift or booked in this window. Assign one by hand.")


def _nobody(pool: list[Candidate], area_id: int, skills: frozenset[str]) -> Message:
    covering = [c for c in pool if area_id in c.areas]
    able = [c for c in covering if skills <= c.skills]
    if not covering:
        return msg("No active technician covers this area.")
    if not able:
        return msg("No technician covering this area has all the skills the job needs.")
    return ALL_BUSY


def auto_assign(session: Session, order: Order, actor: Actor) -> dict[str, Any]:
    """Book the best technician for a confirmed order, or record why nobody could be booked."""
    skills, minutes = job_needs(session, order)
    pool = candidates(session, order.requested_date, lock=True, skip_order=order.id)
    earliest = max(at(order.requested_date, order.window_start), utcnow())
    chosen: Assignment | None = choose(
        pool,
        area_id=order.area_id,
        area=_area(session, order.area_id),
        skills=skills,
        earliest=earliest,
        latest_start=at(order.requested_date, order.window_end),
        minutes=minutes,
        local_time=clock,
    )
    if chosen is None:
        order.assignment_reason = in_both_languages(_nobody(pool, order.area_id, skills))
        return {"assigned": False, "reason": order.assignment_reason}
    order.technician_id, order.scheduled_start, order.scheduled_end = chosen.staff_id, chosen.start, chosen.end
    order.assignment_reason = in_both_languages(chosen.reason)
    transition(session, order, "scheduled", actor, note=order.assignment_reason["en"][:500])
    return {"assigned": True, "reason": order.assignment_reason}
