"""The demo company's people: profiles, certificates, trainings, rosters within the weekly limit
and outside approved leave, leave requests, and attendance that matches the jobs done. One
technician left some months ago, one is on sick leave now. Small companies (200 customers,
2,000 orders), on both databases."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import select

from core import db
from core.clock import local, today, utcnow
from core.config import get_settings
from core.demo.generate import seed
from core.models import (
    Attendance,
    LeaveRequest,
    Order,
    Qualification,
    Service,
    Shift,
    Staff,
    Training,
    User,
)
from core.order_status import BOOKED
from core.rosters import monday
from core.staffing import usable_skills

CUSTOMERS, ORDERS = 200, 2_000


@pytest.fixture
def company(store):
    return seed(customers=CUSTOMERS, orders=ORDERS, seed_value=11)


def rows(model: type) -> list:
    with db.reading() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def people() -> dict[int, Staff]:
    return {p.id: p for p in rows(Staff)}


def day_of(moment) -> date:
    return local(moment).date()


def shifts_by_person() -> dict[int, list[Shift]]:
    found = defaultdict(list)
    for shift in rows(Shift):
        found[shift.staff_id].append(shift)
    return found


def approved_leave() -> dict[int, list[LeaveRequest]]:
    found = defaultdict(list)
    for leave in rows(LeaveRequest):
        if leave.status == "approved":
            found[leave.staff_id].append(leave)
    return found


def the_one(status: str) -> Staff:
    [person] = [p for p in people().values() if p.status == status]
    return person


# --- Profiles -----------------------------------------------------------------------------


def test_everyone_has_a_profile_hired_before_their_first_shift_and_technicians_are_in_teams(company):
    everyone = people()
    shifts = shifts_by_person()
    assert company["staff"] == len(everyone)
    for person in everyone.values():
        assert person.email and "@" in person.email and person.team
        assert person.hire_date < today() and person.birth_date < person.hire_date
        assert person.birth_date <= today().replace(year=today().year - 18)
        assert person.hourly_cost and person.hourly_cost > 0
        assert shifts[person.id], person.name
        assert person.hire_date < min(day_of(s.starts_at) for s in shifts[person.id])
    technicians = [p for p in everyone.values() if p.position == "technician"]
    teams = Counter(p.team for p in technicians)
    assert 2 <= len(teams) <= 3 and all(name.endswith("组") for name in teams)
    assert all(Decimal(45) <= p.hourly_cost <= Decimal(70) for p in technicians)
    positions = Counter(p.position for p in everyone.values())
    assert positions["supervisor"] >= 2 and positions["office"] >= 1
    assert {s.role for s in rows(Shift)} == {"technician", "supervisor", "office"}
    assert all(s.area_id is not None for s in rows(Shift) if s.role == "technician")


def test_the_technician_who_left_keeps_the_past_and_has_no_future(company):
    person = the_one("left")
    assert person.left_on is not None and person.left_on < today() - timedelta(days=60)
    mine = shifts_by_person()[person.id]
    assert mine and max(day_of(s.starts_at) for s in mine) <= person.left_on
    with db.reading() as session:
        jobs = session.execute(select(Order).where(Order.technician_id == person.id)).scalars().all()
        login = session.get(User, person.user_id) if person.user_id else None
    assert jobs and all(o.requested_date <= person.left_on for o in jobs)
    assert all(o.status in {"completed", "paid", "cancelled"} for o in jobs)
    assert login is None or not login.active


def test_the_technician_on_leave_has_approved_leave_covering_today_and_no_work_in_it(company):
    person = the_one("on_leave")
    [current] = [leave for leave in approved_leave()[person.id] if leave.starts_on <= today() <= leave.ends_on]
    assert current.decided_by_id is not None and current.decided_at is not None
    assert not [s for s in shifts_by_person()[person.id] if day_of(s.starts_at) >= current.starts_on]
    with db.reading() as session:
        jobs = session.execute(select(Order).where(Order.technician_id == person.id)).scalars().all()
    assert jobs and all(o.requested_date < current.starts_on for o in jobs)


# --- Rosters and leave ---------------------------------------------------------------------


def test_nobody_is_rostered_beyond_the_weekly_limit_or_on_approved_leave(company):
    limit = get_settings().max_weekly_hours
    leave = approved_leave()
    for staff_id, mine in shifts_by_person().items():
        weeks: dict[date, Decimal] = defaultdict(Decimal)
        for shift in mine:
            weeks[monday(day_of(shift.starts_at))] += Decimal((shift.ends_at - shift.starts_at).total_seconds()) / 3600
            assert not any(a.starts_on <= day_of(shift.starts_at) <= a.ends_on for a in leave[staff_id])
        assert max(weeks.values()) <= limit
    assert sum(len(mine) for mine in leave.values()) >= 10


def test_leave_requests_include_refused_and_pending_ones_decided_by_a_manager(company):
    found = rows(LeaveRequest)
    statuses = Counter(leave.status for leave in found)
    assert statuses["pending"] >= 2 and statuses["refused"] >= 1 and statuses["approved"] >= 10
    with db.reading() as session:
        manager = session.execute(select(User.id).where(User.username == "manager")).scalar_one()
    for leave in found:
        assert leave.starts_on <= leave.ends_on
        decided = leave.status in {"approved", "refused"}
        assert (leave.decided_by_id == manager) == decided and (leave.decided_at is not None) == decided
        assert leave.status != "refused" or leave.decision_note
        assert leave.status != "pending" or leave.starts_on > today()
        assert leave.created_at <= (leave.decided_at or leave.created_at)
    mine = defaultdict(list)
    for leave in found:
        if leave.status in {"pending", "approved"}:
            mine[leave.staff_id].append(leave)
    for requests in mine.values():  # a person's open requests never overlap
        requests.sort(key=lambda leave: leave.starts_on)
        assert all(a.ends_on < b.starts_on for a, b in pairwise(requests))


# --- Certificates and trainings ------------------------------------------------------------


def test_some_certificates_expired_yet_every_future_booking_is_still_valid(company):
    certificates = rows(Qualification)
    assert any(c.expires_on and c.expires_on < today() and c.skill for c in certificates)
    assert any(c.expires_on and c.expires_on < today() and not c.skill for c in certificates)
    assert sum(1 for c in certificates if c.expires_on is None or c.expires_on >= today()) > len(certificates) / 2
    held = defaultdict(list)
    for c in certificates:
        if c.skill:
            held[c.staff_id].append((c.skill, c.expires_on))
    everyone, shifts = people(), shifts_by_person()
    with db.reading() as session:
        needs = {s.id: set(s.skills) for s in session.execute(select(Service)).scalars()}
        ahead = session.execute(
            select(Order).where(Order.requested_date >= today(), Order.status.in_(BOOKED))
        ).scalars()
        future = [(o, set().union(*(needs[line.service_id] for line in o.lines))) for o in ahead]
    assert future
    for order, skills in future:
        person = everyone[order.technician_id]
        assert person.status == "active"
        assert skills <= usable_skills(person.skills, held[person.id], order.requested_date), order.number
        assert any(s.starts_at <= order.scheduled_start and order.scheduled_end <= s.ends_at for s in shifts[person.id])


def test_everyone_has_trainings_some_passed_some_failed(company):
    found = rows(Training)
    assert {t.staff_id for t in found} == set(people())
    assert {"passed", "failed", "attended"} <= {t.result for t in found}
    assert all(t.taken_on < today() for t in found)


# --- Attendance ----------------------------------------------------------------------------


def entries_by_person() -> dict[int, list[Attendance]]:
    found = defaultdict(list)
    for entry in rows(Attendance):
        found[entry.staff_id].append(entry)
    return found


def test_every_completed_job_lies_within_its_technicians_attendance_entry(company):
    entries = entries_by_person()
    done = [o for o in rows(Order) if o.completed_at is not None]
    assert len(done) > ORDERS / 2
    for order in done:
        assert any(
            e.clock_in <= order.started_at and (e.clock_out is None or order.completed_at <= e.clock_out)
            for e in entries[order.technician_id]
        ), order.number


def test_attendance_has_late_starts_overtime_absences_and_no_overlaps(company):
    shifts, entries = shifts_by_person(), entries_by_person()
    late = overtime = absences = 0
    for staff_id, mine in shifts.items():
        clocked = {day_of(e.clock_in): e for e in entries[staff_id]}
        assert len(clocked) == len(entries[staff_id])  # one entry a day
        for shift in mine:
            entry = clocked.get(day_of(shift.starts_at))
            if day_of(shift.starts_at) > today() or shift.starts_at > utcnow():
                assert entry is None  # nobody clocks in before their shift has begun
            elif entry is None:
                absences += 1
            else:
                late += entry.clock_in - shift.starts_at > timedelta(minutes=10)
                overtime += entry.clock_out is not None and entry.clock_out - entry.clock_in > timedelta(hours=8)
        assert set(clocked) <= {day_of(s.starts_at) for s in mine}  # nobody clocks in off the roster
        ordered = sorted(entries[staff_id], key=lambda e: e.clock_in)
        assert all(a.clock_out is not None and a.clock_out <= b.clock_in for a, b in pairwise(ordered))
    assert late > 10 and overtime > 10 and absences > 5


def test_forgotten_clock_outs_are_last_entries_and_the_demo_technician_is_not_clocked_in(company):
    entries = entries_by_person()
    forgotten = [e for mine in entries.values() for e in mine if e.clock_out is None and day_of(e.clock_in) < today()]
    assert 1 <= len(forgotten) <= 2
    assert all(e.clock_in == max(x.clock_in for x in entries[e.staff_id]) for e in forgotten)  # their last one
    assert all(e.clock_in < utcnow() for mine in entries.values() for e in mine)
    shifts = shifts_by_person()
    for e in (e for mine in entries.values() for e in mine if day_of(e.clock_in) == today()):  # today: on shift
        assert any(s.starts_at - timedelta(minutes=15) <= e.clock_in <= s.ends_at for s in shifts[e.staff_id])
        assert e.clock_out is None or e.clock_out <= utcnow()
    with db.reading() as session:
        user = session.execute(select(User.id).where(User.username == "technician")).scalar_one()
        liu = session.execute(select(Staff).where(Staff.user_id == user)).scalar_one()
    assert liu.name == "刘强" and all(e.clock_out is not None for e in entries[liu.id])
    assert any(day_of(s.starts_at) == today() for s in shifts_by_person()[liu.id])  # his shift today is waiting
    assert any(e.correction_reason for mine in entries.values() for e in mine)
