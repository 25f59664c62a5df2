"""A dispatcher's own choices: assigning and moving jobs by hand without double booking,
unassigning, and the dispatch board."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from core.actor import SYSTEM
from core.clock import at
from core.errors import ConcurrentEdit, OpsdeskError, ValidationFailed
from core.i18n import translate
from core.order_status import InvalidTransition
from core.services import dispatch, orders
from core.services import staff as staff_services
from tests.factories import make_area, make_technician
from tests.integration.dispatch_support import confirm, confirmed_waiting, place, wall
from tests.integration.order_support import tomorrow
from tests.threads import run_in_threads

# --- A dispatcher's choice ---------------------------------------------------------------


def test_a_dispatcher_assigns_a_technician_and_the_reason_says_who_did(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    liu = make_technician("刘强", area)
    result = dispatch.assign(
        actor=clerk,
        order_id=waiting["id"],
        staff_id=liu,
        start=at(tomorrow(), time(10)),
        expected_version=waiting["version"],
    )
    assert result["reason"]["en"] == f"Assigned by {clerk.display_name}."
    stored = orders.get_order(actor=clerk, order_id=waiting["id"])
    assert (stored["status"], stored["technician_id"]) == ("scheduled", liu)
    assert (wall(stored["scheduled_start"]), wall(stored["scheduled_end"])) == (time(10), time(10, 30))


def test_a_technician_missing_a_skill_is_refused_and_the_skill_named(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    glass = make_technician("擦窗", area, skills=("window",))
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=waiting["id"],
            staff_id=glass,
            start=at(tomorrow(), time(9)),
            expected_version=waiting["version"],
        )
    assert set(refused.value.errors) == {"staff_id"}
    assert "Carpet cleaning" in translate(refused.value.errors["staff_id"], "en")
    assert orders.get_order(actor=clerk, order_id=waiting["id"])["status"] == "confirmed"


def test_an_overlapping_assignment_is_refused_and_names_the_clashing_order(clerk, area, customer, carpet):
    liu = make_technician("刘强", area)
    booked = confirm(clerk, place(clerk, customer, area, carpet, quantity="40"))  # 09:00-10:00
    make_other_busy = make_technician("王五", area)
    other = confirm(clerk, place(clerk, customer, area, carpet))
    assert other["technician_id"] == make_other_busy
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=other["id"],
            staff_id=liu,
            start=at(tomorrow(), time(9, 30)),
            expected_version=other["version"],
        )
    message = translate(refused.value.errors["start"], "en")
    assert booked["number"] in message and "09:00" in message and "10:00" in message
    assert orders.get_order(actor=clerk, order_id=other["id"])["technician_id"] == make_other_busy


def test_a_job_may_start_when_the_technician_s_previous_job_ends(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    liu = make_technician("刘强", area)
    confirm(clerk, place(clerk, customer, area, carpet, quantity="40"))  # 09:00-10:00
    dispatch.assign(
        actor=clerk,
        order_id=waiting["id"],
        staff_id=liu,
        start=at(tomorrow(), time(10)),
        expected_version=waiting["version"],
    )
    assert wall(orders.get_order(actor=clerk, order_id=waiting["id"])["scheduled_start"]) == time(10)


def test_a_job_moved_to_another_day_is_still_checked_against_that_day_s_bookings(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet, requested_date=tomorrow() + timedelta(days=1))
    liu = make_technician("刘强", area)
    booked = confirm(clerk, place(clerk, customer, area, carpet, quantity="40"))  # tomorrow 09:00-10:00
    assert booked["technician_id"] == liu
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=waiting["id"],
            staff_id=liu,
            start=at(tomorrow(), time(9, 30)),
            expected_version=waiting["version"],
        )
    assert booked["number"] in translate(refused.value.errors["start"], "en")


def test_a_long_manual_job_is_checked_against_every_booking_it_overlaps(clerk, area, customer, carpet):
    liu = make_technician("刘强", area)
    for extra in (1, 2):
        staff_services.add_shift(
            actor=SYSTEM, staff_id=liu, day=tomorrow() + timedelta(days=extra), start=time(8), end=time(22)
        )
    later = confirm(clerk, place(clerk, customer, area, carpet, requested_date=tomorrow() + timedelta(days=1)))
    assert later["technician_id"] == liu
    huge = confirmed_waiting(clerk, customer, area, carpet, quantity="1200")  # 30 hours of work
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=huge["id"],
            staff_id=liu,
            start=at(tomorrow(), time(9)),
            expected_version=huge["version"],
        )
    assert later["number"] in translate(refused.value.errors["start"], "en")


def test_an_assignment_off_shift_or_outside_the_areas_is_allowed_and_the_reason_says_so(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    stranger = make_technician("外区", make_area("SH-PD", "Pudong", "浦东新区"))
    result = dispatch.assign(
        actor=clerk,
        order_id=waiting["id"],
        staff_id=stranger,
        start=at(tomorrow(), time(20)),
        expected_version=waiting["version"],
    )
    assert "Outside 外区's shift." in result["reason"]["en"]
    assert "Outside 外区's areas." in result["reason"]["en"]
    assert "不在 外区 的班次内" in result["reason"]["zh"] and "超出 外区 的服务区域" in result["reason"]["zh"]
    assert orders.get_order(actor=clerk, order_id=waiting["id"])["status"] == "scheduled"


def test_only_an_active_technician_can_be_assigned(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=waiting["id"],
            staff_id=9999,
            start=at(tomorrow(), time(9)),
            expected_version=waiting["version"],
        )
    assert set(refused.value.errors) == {"staff_id"}


def test_a_new_order_cannot_be_assigned(clerk, area, customer, carpet):
    liu = make_technician("刘强", area)
    new = place(clerk, customer, area, carpet)
    with pytest.raises(OpsdeskError):
        dispatch.assign(
            actor=clerk,
            order_id=new["id"],
            staff_id=liu,
            start=at(tomorrow(), time(9)),
            expected_version=new["version"],
        )


def test_assigning_with_a_stale_version_is_refused(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    liu = make_technician("刘强", area)
    dispatch.assign(
        actor=clerk,
        order_id=waiting["id"],
        staff_id=liu,
        start=at(tomorrow(), time(9)),
        expected_version=waiting["version"],
    )
    with pytest.raises(ConcurrentEdit):
        dispatch.assign(
            actor=clerk,
            order_id=waiting["id"],
            staff_id=liu,
            start=at(tomorrow(), time(11)),
            expected_version=waiting["version"],
        )


def test_a_scheduled_job_can_be_moved_to_another_time_without_clashing_with_itself(clerk, area, customer, carpet):
    liu = make_technician("刘强", area)
    scheduled = confirm(clerk, place(clerk, customer, area, carpet, quantity="40"))  # 09:00-10:00
    dispatch.assign(
        actor=clerk,
        order_id=scheduled["id"],
        staff_id=liu,
        start=at(tomorrow(), time(9, 30)),
        expected_version=scheduled["version"],
    )
    assert wall(orders.get_order(actor=clerk, order_id=scheduled["id"])["scheduled_start"]) == time(9, 30)


def test_two_dispatchers_booking_one_technician_for_overlapping_slots_at_once_only_one_succeeds(
    clerk, manager, area, customer, carpet
):
    first = confirmed_waiting(clerk, customer, area, carpet)
    second = confirmed_waiting(clerk, customer, area, carpet)
    liu = make_technician("刘强", area)
    dispatchers = [clerk, manager]
    targets = [(first, time(9)), (second, time(9, 15))]

    def work(index: int) -> str:
        order, start = targets[index]
        try:
            dispatch.assign(
                actor=dispatchers[index],
                order_id=order["id"],
                staff_id=liu,
                start=at(tomorrow(), start),
                expected_version=order["version"],
            )
        except ValidationFailed as refused:
            return f"refused: {sorted(refused.errors)}"
        return "booked"

    assert sorted(run_in_threads(work, 2)) == ["booked", "refused: ['start']"]
    board = dispatch.board(actor=clerk, day=tomorrow())
    [liu_row] = [row for row in board["technicians"] if row["id"] == liu]
    assert len(liu_row["jobs"]) == 1


# --- Unassigning -------------------------------------------------------------------------


def test_unassigning_returns_the_order_to_confirmed_and_frees_the_technician(clerk, area, customer, carpet):
    make_technician("刘强", area)
    scheduled = confirm(clerk, place(clerk, customer, area, carpet))
    dispatch.unassign(actor=clerk, order_id=scheduled["id"], expected_version=scheduled["version"], note="客户改时间")
    stored = orders.get_order(actor=clerk, order_id=scheduled["id"])
    assert (stored["status"], stored["technician_id"], stored["scheduled_start"], stored["scheduled_end"]) == (
        "confirmed",
        None,
        None,
        None,
    )
    assert stored["events"][-1]["note"] == "客户改时间"
    again = confirm(clerk, place(clerk, customer, area, carpet))
    assert wall(again["scheduled_start"]) == time(9)  # the freed hour is free again


def test_only_a_scheduled_order_can_be_unassigned(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    with pytest.raises(InvalidTransition):
        dispatch.unassign(actor=clerk, order_id=waiting["id"], expected_version=waiting["version"])


# --- The board ---------------------------------------------------------------------------


def test_the_board_lists_each_technician_s_jobs_of_the_day_and_the_orders_still_waiting(clerk, area, customer, carpet):
    liu = make_technician("刘强", area)
    wang = make_technician("王五", area)
    first = confirm(clerk, place(clerk, customer, area, carpet))
    second = confirm(clerk, place(clerk, customer, area, carpet))
    waiting = confirm(clerk, place(clerk, customer, area, carpet, window_start=time(20), window_end=time(21)))
    later = place(clerk, customer, area, carpet, requested_date=tomorrow() + timedelta(days=1))
    board = dispatch.board(actor=clerk, day=tomorrow())
    jobs = {row["id"]: [job["number"] for job in row["jobs"]] for row in board["technicians"]}
    assert jobs == {liu: [first["number"]], wang: [second["number"]]} or jobs == {
        liu: [second["number"]],
        wang: [first["number"]],
    }
    assert [row["number"] for row in board["waiting"]] == [waiting["number"]]
    assert later["number"] not in str(board)
    assert all(len(row["shifts"]) == 1 for row in board["technicians"])


def test_the_board_of_another_day_shows_none_of_these_jobs(clerk, area, customer, carpet):
    make_technician("刘强", area)
    confirm(clerk, place(clerk, customer, area, carpet))
    board = dispatch.board(actor=clerk, day=tomorrow() + timedelta(days=1))
    assert all(row["jobs"] == [] for row in board["technicians"]) and board["waiting"] == []


def test_the_technician_list_holds_active_technicians_only(clerk, manager, area):
    liu = make_technician("刘强", area)
    gone = make_technician("离职", area)
    row = staff_services.staff.get(actor=manager, record_id=gone)
    staff_services.staff.update(
        actor=manager, record_id=gone, values={**row, "status": "left"}, expected_version=row["version"]
    )
    assert [person["id"] for person in dispatch.technicians(actor=clerk)] == [liu]
