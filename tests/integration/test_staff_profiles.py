"""Staff profiles: leaving the company (login disabled at once, future shifts and jobs released,
history kept), and the dates a profile refuses."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from core.actor import SYSTEM
from core.auth import log_in
from core.clock import at, today
from core.db import reading, writing
from core.errors import LoginRefused, OpsdeskError, SessionEnded, ValidationFailed
from core.models import Attendance, AuditEntry, AuthSession, Order, OrderEvent, Shift, Staff, User
from core.order_rules import transition
from core.services import dispatch, jobs
from core.services import staff as staff_services
from core.services.staff import staff
from tests.factories import PASSWORD, make_technician, make_user
from tests.integration.dispatch_support import confirm, place
from tests.integration.order_support import tomorrow


def mark(actor, staff_id: int, **changes) -> dict:
    row = staff.get(actor=SYSTEM, record_id=staff_id)
    return staff.update(actor=actor, record_id=staff_id, values={**row, **changes}, expected_version=row["version"])


def past_shift(staff_id: int) -> int:
    """Worked last week (written directly: the roster only plans ahead)."""
    with writing(SYSTEM) as session:
        start = at(today() - timedelta(days=7), time(8))
        shift = Shift(staff_id=staff_id, starts_at=start, ends_at=start + timedelta(hours=8))
        session.add(shift)
        session.add(Attendance(staff_id=staff_id, clock_in=start, clock_out=start + timedelta(hours=8)))
        session.commit()
        return shift.id


def started(order: dict) -> None:
    with writing(SYSTEM) as session:
        transition(session, session.get(Order, order["id"]), "in_progress", SYSTEM)
        session.commit()


def test_leaving_ends_the_open_session_at_its_next_call_and_refuses_new_logins(manager, liu, liu_staff):
    login = log_in("liuqiang", PASSWORD)
    assert jobs.my_jobs(actor=login.actor, day=tomorrow()) == []
    saved = mark(manager, liu_staff, status="left")
    assert saved["status"] == "left"
    with pytest.raises(SessionEnded):
        jobs.my_jobs(actor=login.actor, day=tomorrow())
    with pytest.raises(LoginRefused):
        log_in("liuqiang", PASSWORD)
    with reading() as session:
        assert session.get(User, liu.user_id).active is False
        assert session.get(Staff, liu_staff).left_on == today()
        revoked = session.execute(select(AuthSession.revoke_reason).where(AuthSession.user_id == liu.user_id))
        assert revoked.scalars().all() == ["left"]


def test_leaving_removes_future_shifts_and_releases_future_jobs_keeping_the_past(
    manager, clerk, area, customer, carpet, liu_staff
):
    old = past_shift(liu_staff)
    booked = confirm(clerk, place(clerk, customer, area, carpet))
    working = confirm(clerk, place(clerk, customer, area, carpet, window_start=time(13), window_end=time(15)))
    assert booked["technician_id"] == working["technician_id"] == liu_staff
    started(working)
    mark(manager, liu_staff, status="left")
    with reading() as session:
        shifts = session.execute(select(Shift.id).where(Shift.staff_id == liu_staff)).scalars().all()
        attendance = session.execute(select(func.count()).where(Attendance.staff_id == liu_staff)).scalar_one()
        released = session.get(Order, booked["id"])
        kept = session.get(Order, working["id"])
        step = (
            session.execute(
                select(OrderEvent).where(OrderEvent.order_id == booked["id"]).order_by(OrderEvent.id.desc())
            )
            .scalars()
            .first()
        )
    assert shifts == [old] and attendance == 1
    assert (released.status, released.technician_id, released.scheduled_start) == ("confirmed", None, None)
    assert "刘强 has left" in released.assignment_reason["en"] and "离职" in released.assignment_reason["zh"]
    assert (step.from_status, step.to_status, step.actor_name) == ("scheduled", "confirmed", "Wangfang")
    assert "has left" in step.note
    assert (kept.status, kept.technician_id) == ("in_progress", liu_staff)


def test_leaving_is_audited(manager, liu, liu_staff):
    mark(manager, liu_staff, status="left")
    with reading() as session:
        entries = session.execute(
            select(AuditEntry.entity, AuditEntry.action, AuditEntry.changes).where(AuditEntry.actor_name == "wangfang")
        ).all()
    changes: dict[tuple[str, str], dict] = {}
    for entity, action, changed in entries:
        changes.setdefault((entity, action), {}).update(changed or {})
    assert changes[("staff", "update")]["status"] == ["active", "left"]
    assert changes[("staff", "update")]["left_on"] == [None, today().isoformat()]
    assert changes[("users", "update")]["active"] == [True, False]
    assert changes[("shifts", "delete")]["staff_id"] == [liu_staff, None]


def test_someone_who_left_is_neither_dispatched_nor_rostered(manager, clerk, area, customer, carpet, liu_staff):
    mark(manager, liu_staff, status="left")
    waiting = confirm(clerk, place(clerk, customer, area, carpet))
    assert (waiting["status"], waiting["technician_id"]) == ("confirmed", None)
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=waiting["id"],
            staff_id=liu_staff,
            start=at(tomorrow(), time(9)),
            expected_version=waiting["version"],
        )
    assert "staff_id" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        staff_services.add_shift(
            actor=manager, staff_id=liu_staff, day=tomorrow() + timedelta(days=2), start=time(8), end=time(12)
        )
    assert "staff_id" in refused.value.errors


def test_someone_on_leave_is_not_dispatched_and_keeps_their_login(
    manager, clerk, area, customer, carpet, liu, liu_staff
):
    mark(manager, liu_staff, status="on_leave")
    waiting = confirm(clerk, place(clerk, customer, area, carpet))
    assert waiting["technician_id"] is None
    with reading() as session:
        assert session.get(User, liu.user_id).active is True
        assert session.get(Staff, liu_staff).left_on is None


def test_a_manager_cannot_mark_themselves_as_left(manager, area):
    own = make_technician("王芳", area, user=manager)
    with pytest.raises(ValidationFailed) as refused:
        mark(manager, own, status="left")
    assert "status" in refused.value.errors
    with reading() as session:
        person = session.get(Staff, own)
        assert (person.status, person.left_on) == ("active", None)
        assert session.get(User, manager.user_id).active is True
        assert session.execute(select(func.count()).where(Shift.staff_id == own)).scalar_one() == 1


def test_the_last_administrator_is_not_disabled_by_leaving(manager, area):
    admin = make_user("boss", "admin")
    person = make_technician("老板", area, user=admin)
    with pytest.raises(OpsdeskError):
        mark(manager, person, status="left")
    with reading() as session:
        assert session.get(Staff, person).status == "active"
        assert session.get(User, admin.user_id).active is True


def test_someone_rehired_loses_the_date_they_left(manager, liu_staff):
    mark(manager, liu_staff, status="left")
    back = mark(manager, liu_staff, status="active")
    assert back["status"] == "active"
    with reading() as session:
        assert session.get(Staff, liu_staff).left_on is None


def test_leaving_without_a_login_still_releases_the_future(manager, clerk, area, customer, carpet):
    person = make_technician("赵六", area)
    booked = confirm(clerk, place(clerk, customer, area, carpet))
    assert booked["technician_id"] == person
    mark(manager, person, status="left")
    with reading() as session:
        assert session.get(Order, booked["id"]).status == "confirmed"
        assert session.execute(select(func.count()).where(Shift.staff_id == person)).scalar_one() == 0


# --- Dates a profile refuses ------------------------------------------------------------


def _new_person(**changes) -> dict:
    return {
        "name": "孙七",
        "public_name": "孙师傅",
        "phone": None,
        "position": "technician",
        "status": "active",
        "user_id": None,
        "areas": [],
        "skills": [],
        **changes,
    }


def test_birth_and_hire_dates_in_the_future_are_refused_and_nothing_is_written(manager):
    later = today() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        staff.create(actor=manager, values=_new_person(birth_date=later, hire_date=later.isoformat()))
    assert set(refused.value.errors) == {"birth_date", "hire_date"}
    assert str(refused.value.errors["hire_date"]) == "This date cannot be in the future."
    assert staff.search(actor=manager).total == 0
    created = staff.create(
        actor=manager, values=_new_person(birth_date=today() - timedelta(days=9000), hire_date=today())
    )
    with pytest.raises(ValidationFailed) as refused:
        mark(manager, created["id"], hire_date=later, name="改名")
    assert set(refused.value.errors) == {"hire_date"}
    kept = staff.get(actor=manager, record_id=created["id"])
    assert (kept["name"], kept["hire_date"], kept["version"]) == ("孙七", today(), created["version"])
