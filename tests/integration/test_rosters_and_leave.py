"""Rosters and leave on both databases: each conflict refused with its reason and nothing written,
leave asked for by the person and decided by another manager, and dispatch using the roster."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from core.actor import SYSTEM, Actor
from core.clock import local, today
from core.config import get_settings, override_settings
from core.errors import NotFound, OpsdeskError
from core.models import LeaveRequest, Shift
from core.rosters import monday
from core.services import dispatch, leave, orders
from core.services import staff as staff_services
from tests.factories import make_user
from tests.integration.dispatch_support import confirm, place
from tests.integration.order_support import field_errors
from tests.integration.stock_support import count, english

MONDAY = monday(today()) + timedelta(weeks=2)  # a whole week ahead, nobody rostered yet


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def person(name: str, *, user: Actor | None = None, team: str | None = "A", position: str = "technician", area=None):
    return staff_services.staff.create(
        actor=SYSTEM,
        values={
            "name": name,
            "public_name": f"{name[0]}师傅",
            "phone": None,
            "team": team,
            "position": position,
            "status": "active",
            "user_id": user.user_id if user else None,
            "areas": [area] if area else [],
            "skills": ["carpet"],
        },
    )["id"]


def shift(staff_id: int, on: date, start: int, end: int, **extra) -> dict:
    """A shift from `start` to `end` o'clock; an end before the start is a night shift."""
    extra.setdefault("overnight", end < start)
    return staff_services.add_shift(actor=SYSTEM, staff_id=staff_id, day=on, start=time(start), end=time(end), **extra)


def refused(staff_id: int, on: date, start: int, end: int, **extra) -> dict[str, str]:
    extra.setdefault("overnight", end < start)
    before = count(Shift)
    errors = field_errors(
        staff_services.add_shift, actor=SYSTEM, staff_id=staff_id, day=on, start=time(start), end=time(end), **extra
    )
    assert count(Shift) == before  # nothing written
    return errors


@pytest.fixture
def boss(store):
    """A second manager, to decide what concerns the first."""
    return make_user("zhaomin", "manager")


@pytest.fixture
def liu(store):
    return make_user("liuqiang", "technician")


@pytest.fixture
def liu_staff(liu):
    return person("刘强", user=liu)


def approved_leave(actor: Actor, manager: Actor, starts_on: date, ends_on: date) -> dict:
    asked = leave.request_leave(actor=actor, kind="annual", starts_on=starts_on, ends_on=ends_on)
    return leave.decide_leave(actor=manager, leave_id=asked["id"], approve=True)


# --- Shifts ------------------------------------------------------------------------------------


def test_a_shift_keeps_its_area_and_role_the_person_s_position_by_default(manager, area):
    lead = person("主管", position="supervisor")
    first = staff_services.add_shift(
        actor=manager, staff_id=lead, day=day(0), start=time(8), end=time(17), area_id=area
    )
    assert (first["role"], first["area_id"], first["day"]) == ("supervisor", area, day(0))
    second = shift(lead, day(1), 8, 12, role="office")
    assert second["role"] == "office"
    rows = staff_services.shifts_between(actor=manager, date_from=day(0), date_to=day(6), staff_id=lead)
    assert [(r["role"], r["area_id"]) for r in rows] == [("supervisor", area), ("office", None)]


def test_an_end_before_the_start_is_a_night_shift_into_the_next_morning(store):
    worker = person("夜班")
    night = shift(worker, day(2), 22, 6)
    assert local(night["starts_at"]).date() == day(2)
    assert local(night["ends_at"]).date() == day(3) and local(night["ends_at"]).hour == 6
    assert refused(worker, day(3), 5, 9) == {"start": f"This overlaps another shift, {day(2):%m-%d} 22:00–06:00."}
    shift(worker, day(3), 6, 9)  # starting when the night shift ends is fine


def test_a_shift_ending_before_it_starts_is_refused_unless_it_ends_the_next_day(store):
    worker = person("夜班")
    assert refused(worker, day(2), 22, 6, overnight=False) == {
        "end": "A shift cannot end before it starts; for a night shift tick “Ends the next day”."
    }
    assert refused(worker, day(2), 8, 8) == {"end": "A shift cannot end when it starts."}
    assert refused(worker, day(2), 8, 9, overnight=True) == {"end": "A shift lasts at most 16 hours."}


def test_a_shift_ending_when_it_starts_or_too_long_is_refused(store):
    worker = person("王五")
    assert refused(worker, day(0), 8, 8) == {"end": "A shift cannot end when it starts."}
    assert refused(worker, day(0), 6, 23) == {"end": "A shift lasts at most 16 hours."}
    assert refused(worker, day(0), 8, 17, role="cook") == {
        "role": "Choose a role: technician, supervisor or office staff."
    }


def test_an_overlapping_shift_is_refused_with_the_one_it_overlaps(store):
    worker = person("王五")
    shift(worker, day(0), 8, 12)
    assert refused(worker, day(0), 11, 15) == {"start": f"This overlaps another shift, {day(0):%m-%d} 08:00–12:00."}
    shift(worker, day(0), 12, 16)  # back to back is not an overlap
    shift(person("赵六"), day(0), 11, 15)  # someone else's shift is no conflict


def test_someone_who_left_or_is_on_leave_cannot_be_rostered(manager):
    for status, reason in (("left", "Choose someone who still works here."), ("on_leave", "李四 is on leave")):
        worker = person("李四")
        row = staff_services.staff.get(actor=manager, record_id=worker)
        staff_services.staff.update(
            actor=manager, record_id=worker, values={**row, "status": status}, expected_version=row["version"]
        )
        assert reason in refused(worker, day(0), 8, 17)["staff_id"]


def test_no_shift_on_a_day_of_approved_leave_naming_the_leave(liu, liu_staff, manager):
    approved_leave(liu, manager, day(2), day(3))
    expected = f"刘强 is on approved leave from {day(2).isoformat()} to {day(3).isoformat()}."
    assert refused(liu_staff, day(2), 8, 17) == {"day": expected}
    assert refused(liu_staff, day(3), 8, 17) == {"day": expected}
    assert refused(liu_staff, day(1), 22, 6) == {"day": expected}  # a night shift into the first day
    shift(liu_staff, day(1), 8, 17)
    shift(liu_staff, day(4), 8, 17)


def test_pending_or_refused_leave_does_not_block_the_roster(liu, liu_staff, manager):
    asked = leave.request_leave(actor=liu, kind="annual", starts_on=day(2), ends_on=day(2))
    shift(liu_staff, day(3), 8, 17)
    leave.decide_leave(actor=manager, leave_id=asked["id"], approve=False, note="旺季")
    shift(liu_staff, day(2), 8, 17)


def test_the_week_s_hours_are_limited_saying_what_is_rostered_and_the_limit(store):
    worker = person("王五")
    for offset in range(5):
        shift(worker, day(offset), 8, 17)  # 45 hours, Monday to Friday
    assert refused(worker, day(5), 8, 12) == {
        "end": f"This would make 49 hours in the week from {MONDAY.isoformat()}: 45 hours are already rostered "
        "and the limit is 48."
    }
    shift(worker, day(5), 8, 11)  # exactly 48
    assert "48 hours are already rostered" in refused(worker, day(6), 22, 6)["end"]  # Sunday night counts here
    shift(worker, day(7), 8, 17)  # next Monday: a new week


def test_the_weekly_limit_is_the_configured_one(store):
    previous = get_settings().max_weekly_hours
    override_settings(max_weekly_hours=Decimal(10))
    try:
        worker = person("王五")
        shift(worker, day(0), 8, 16)
        assert "the limit is 10" in refused(worker, day(1), 8, 11)["end"]
    finally:
        override_settings(max_weekly_hours=previous)


def test_removing_a_shift(manager):
    worker = person("王五")
    row = shift(worker, day(0), 8, 17)
    staff_services.remove_shift(actor=manager, shift_id=row["id"])
    assert staff_services.shifts_between(actor=manager, date_from=day(0), date_to=day(0)) == []
    with pytest.raises(NotFound):
        staff_services.remove_shift(actor=manager, shift_id=row["id"])


def test_the_week_of_one_team_with_shifts_and_approved_leave(liu, liu_staff, manager):
    other = person("陈七", team="B")
    gone = person("离职", team="A")
    approved_leave(liu, manager, day(4), day(8))
    shift(liu_staff, day(1), 8, 17)
    shift(other, day(1), 8, 17)
    staff_services.staff.update(
        actor=manager,
        record_id=gone,
        values={**staff_services.staff.get(actor=manager, record_id=gone), "status": "left"},
        expected_version=1,
    )
    week = staff_services.roster_week(actor=manager, day=day(3), team="A")
    assert week["days"][0] == MONDAY and week["teams"] == ["A", "B"]
    assert [p["name"] for p in week["people"]] == ["刘强"]
    assert [(s["staff_name"], s["day"]) for s in week["shifts"]] == [("刘强", day(1))]
    assert [(item["starts_on"], item["ends_on"]) for item in week["leave"]] == [(day(4), day(8))]
    everyone = staff_services.roster_week(actor=manager, day=day(3))
    assert sorted(p["name"] for p in everyone["people"]) == ["刘强", "陈七"]


# --- Leave ----------------------------------------------------------------------------------------


def test_a_leave_request_is_checked_and_nothing_is_written_when_refused(liu, liu_staff):
    def errors(**values) -> dict[str, str]:
        before = count(LeaveRequest)
        found = field_errors(leave.request_leave, actor=liu, **values)
        assert count(LeaveRequest) == before
        return found

    assert errors(kind="annual", starts_on=day(3), ends_on=day(2)) == {
        "ends_on": "The leave cannot end before it starts."
    }
    assert errors(kind="personal", starts_on=day(3), ends_on=day(3), reason="  ") == {
        "reason": "Say what the personal leave is for."
    }
    assert errors(kind="holiday", starts_on=None, ends_on=day(3)) == {
        "kind": "Choose the kind of leave.",
        "starts_on": "This field is required.",
    }
    asked = leave.request_leave(actor=liu, kind="sick", starts_on=day(1), ends_on=day(3))
    assert (asked["status"], asked["days"], asked["staff_name"]) == ("pending", 3, "刘强")
    assert errors(kind="annual", starts_on=day(3), ends_on=day(5)) == {
        "starts_on": f"You already asked for leave from {day(1).isoformat()} to {day(3).isoformat()} (Pending)."
    }
    leave.request_leave(actor=liu, kind="annual", starts_on=day(4), ends_on=day(5))
    assert [r["starts_on"] for r in leave.my_leave(actor=liu)["requests"]] == [day(4), day(1)]


def test_someone_without_a_staff_record_is_told_so(store):
    stranger = make_user("analyst1", "analyst")
    assert leave.my_leave(actor=stranger) == {"linked": False, "name": None, "requests": []}
    with pytest.raises(OpsdeskError) as refused_call:
        leave.request_leave(actor=stranger, kind="annual", starts_on=day(1), ends_on=day(1))
    assert english(refused_call.value.message) == "Your login is not linked to a staff record; ask a manager."


def test_only_one_s_own_pending_request_can_be_cancelled(liu, liu_staff, manager):
    asked = leave.request_leave(actor=liu, kind="annual", starts_on=day(1), ends_on=day(1))
    other_user = make_user("chen", "clerk")
    person("陈七", user=other_user)
    with pytest.raises(OpsdeskError, match="only cancel your own"):
        leave.cancel_leave(actor=other_user, leave_id=asked["id"])
    assert leave.cancel_leave(actor=liu, leave_id=asked["id"])["status"] == "cancelled"
    decided = approved_leave(liu, manager, day(1), day(1))  # a cancelled request no longer blocks the days
    with pytest.raises(OpsdeskError, match="this one is Approved"):
        leave.cancel_leave(actor=liu, leave_id=decided["id"])


def test_a_manager_s_own_leave_is_decided_by_another_manager(manager, boss):
    person("王芳", user=manager, position="supervisor")
    asked = leave.request_leave(actor=manager, kind="annual", starts_on=day(1), ends_on=day(2))
    with pytest.raises(OpsdeskError) as refused_call:
        leave.decide_leave(actor=manager, leave_id=asked["id"], approve=True)
    assert english(refused_call.value.message) == "Another manager must decide your own leave request."
    assert leave.pending_leave(actor=boss)[0]["status"] == "pending"
    decided = leave.decide_leave(actor=boss, leave_id=asked["id"], approve=True, note="好")
    assert (decided["status"], decided["decided_by"], decided["decision_note"]) == ("approved", "Zhaomin", "好")
    assert decided["decided_at"] is not None
    with pytest.raises(OpsdeskError, match="this one is Approved"):
        leave.decide_leave(actor=boss, leave_id=asked["id"], approve=False, note="改主意")


def test_approving_refuses_while_the_person_is_rostered_on_those_days(liu, liu_staff, manager):
    asked = leave.request_leave(actor=liu, kind="annual", starts_on=day(2), ends_on=day(3))
    first = shift(liu_staff, day(1), 22, 6)  # into the first day
    second = shift(liu_staff, day(3), 8, 17)
    shift(liu_staff, day(4), 8, 17)  # after: no matter
    with pytest.raises(OpsdeskError) as refused_call:
        leave.decide_leave(actor=manager, leave_id=asked["id"], approve=True)
    assert english(refused_call.value.message) == (
        f"刘强 is rostered on those days ({day(1):%m-%d} 22:00–06:00, {day(3):%m-%d} 08:00–17:00); "
        "remove these shifts first."
    )
    assert [r["status"] for r in leave.pending_leave(actor=manager)] == ["pending"]  # nothing written
    for row in (first, second):
        staff_services.remove_shift(actor=manager, shift_id=row["id"])
    assert leave.decide_leave(actor=manager, leave_id=asked["id"], approve=True)["status"] == "approved"


def test_a_refusal_says_why_and_the_decided_list_shows_it(liu, liu_staff, manager):
    asked = leave.request_leave(actor=liu, kind="unpaid", starts_on=day(1), ends_on=day(2))
    assert field_errors(leave.decide_leave, actor=manager, leave_id=asked["id"], approve=False, note=" ") == {
        "note": "Say why the leave is refused."
    }
    leave.decide_leave(actor=manager, leave_id=asked["id"], approve=False, note="人手不足")
    assert leave.pending_leave(actor=manager) == []
    decided = leave.leave_between(actor=manager, date_from=day(0), date_to=day(6))
    assert [(r["status"], r["decision_note"]) for r in decided] == [("refused", "人手不足")]
    assert leave.leave_between(actor=manager, date_from=day(3), date_to=day(6)) == []


# --- Dispatch follows the roster -----------------------------------------------------------------


def test_dispatch_books_only_technicians_on_shift(clerk, area, customer, carpet):
    off = person("没排班", area=area)
    waiting = confirm(clerk, place(clerk, customer, area, carpet))  # tomorrow 09:00–12:00
    assert waiting["status"] == "confirmed" and waiting["technician_id"] is None
    shift(off, today() + timedelta(days=1), 8, 18)
    outcome = dispatch.dispatch_again(actor=clerk, order_id=waiting["id"])
    assert outcome["assigned"] is True
    assert orders.get_order(actor=clerk, order_id=waiting["id"])["technician_id"] == off
