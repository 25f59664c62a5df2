"""Automatic dispatch: the technician chosen on confirmation (area, skills, shift, least booked),
the reason given, and orders that wait when nobody can take them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from core.actor import SYSTEM
from core.clock import at, today
from core.services import dispatch, orders
from core.services import staff as staff_services
from tests.factories import make_area, make_technician
from tests.integration.dispatch_support import confirm, confirmed_waiting, place, wall
from tests.integration.order_support import tomorrow

# --- Automatic choice on confirmation ----------------------------------------------------


def test_confirming_assigns_the_technician_who_covers_the_area_has_the_skills_and_is_on_shift(
    clerk, area, customer, carpet
):
    elsewhere = make_area("SH-PD", "Pudong", "浦东新区")
    make_technician("外区", elsewhere)
    make_technician("缺技能", area, skills=("window",))
    make_technician("休息", area, shift_day=tomorrow() + timedelta(days=1))
    chosen = make_technician("刘强", area)
    scheduled = confirm(clerk, place(clerk, customer, area, carpet))
    assert scheduled["status"] == "scheduled"
    assert scheduled["technician_id"] == chosen
    assert (wall(scheduled["scheduled_start"]), wall(scheduled["scheduled_end"])) == (time(9), time(9, 30))
    assert scheduled["dispatch"]["assigned"] is True
    assert "the least of the 1 technicians" in scheduled["assignment_reason"]["en"]


def test_the_technician_with_the_least_time_booked_that_day_is_chosen(clerk, area, customer, carpet):
    first = make_technician("张三", area)
    second = make_technician("李四", area)
    big = confirm(clerk, place(clerk, customer, area, carpet, quantity="40"))  # 60 minutes
    assert big["technician_id"] == first  # nobody booked yet: the earlier name wins the tie
    small = confirm(clerk, place(clerk, customer, area, carpet))
    assert small["technician_id"] == second
    assert wall(small["scheduled_start"]) == time(9)
    third = confirm(clerk, place(clerk, customer, area, carpet))
    assert third["technician_id"] == second  # 30 minutes booked against 60


def test_only_bookings_within_the_day_count_toward_the_least_booked(clerk, area, customer, carpet):
    liu = make_technician("刘强", area, shift_day=tomorrow())
    wang = make_technician("王伟", area, shift_day=tomorrow())
    for day in (today(), tomorrow() + timedelta(days=1)):  # shifts on the neighbouring days for 王伟's jobs
        staff_services.add_shift(actor=SYSTEM, staff_id=wang, day=day, start=time(8), end=time(18))
    late = confirm(clerk, place(clerk, customer, area, carpet, requested_date=tomorrow() + timedelta(days=1)))
    if late["technician_id"] != wang:  # make 王伟 the one booked the next day
        dispatch.assign(
            actor=clerk,
            order_id=late["id"],
            staff_id=wang,
            start=at(tomorrow() + timedelta(days=1), time(9)),
            expected_version=late["version"],
        )
    chosen = confirm(clerk, place(clerk, customer, area, carpet))
    assert "had 0 min booked" in chosen["assignment_reason"]["en"]
    assert chosen["technician_id"] in {liu, wang}


def test_a_technician_is_booked_after_their_earlier_job_not_over_it(clerk, area, customer, carpet):
    make_technician("刘强", area)
    first = confirm(clerk, place(clerk, customer, area, carpet, quantity="40"))
    second = confirm(clerk, place(clerk, customer, area, carpet))
    assert second["technician_id"] == first["technician_id"]
    assert second["scheduled_start"] == first["scheduled_end"]


def test_the_reason_names_the_technician_and_the_area_in_both_languages(clerk, area, customer, carpet):
    make_technician("刘强", area)
    reason = confirm(clerk, place(clerk, customer, area, carpet))["assignment_reason"]
    assert "刘强" in reason["en"] and "Xuhui" in reason["en"] and "09:00" in reason["en"]
    assert "刘强" in reason["zh"] and "徐汇区" in reason["zh"]


def test_the_choice_is_in_the_order_s_history(clerk, area, customer, carpet):
    make_technician("刘强", area)
    order = confirm(clerk, place(clerk, customer, area, carpet))
    events = orders.get_order(actor=clerk, order_id=order["id"])["events"]
    assert [(e["from_status"], e["to_status"]) for e in events][-1] == ("confirmed", "scheduled")
    assert "刘强" in events[-1]["note"]


# --- When nobody can take it -------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("none", "No active technician covers this area."),
        ("skills", "No technician covering this area has all the skills the job needs."),
        ("shift", "Every technician who could do it is off shift or booked in this window."),
    ],
)
def test_when_nobody_can_take_it_the_order_stays_confirmed_with_the_reason(
    clerk, area, customer, carpet, setup, expected
):
    if setup == "skills":
        make_technician("缺技能", area, skills=("window",))
    elif setup == "shift":
        make_technician("下午班", area, shift=(time(13), time(18)))
    waiting = confirm(clerk, place(clerk, customer, area, carpet))
    assert (waiting["status"], waiting["technician_id"]) == ("confirmed", None)
    assert waiting["dispatch"]["assigned"] is False
    assert waiting["assignment_reason"]["en"].startswith(expected)
    assert (
        waiting["assignment_reason"]["zh"] and waiting["assignment_reason"]["zh"] != waiting["assignment_reason"]["en"]
    )


def test_a_job_that_would_run_past_the_shift_is_not_assigned(clerk, area, customer, carpet):
    make_technician("短班", area, shift=(time(9), time(10)))
    waiting = confirm(clerk, place(clerk, customer, area, carpet, quantity="60"))  # 90 minutes
    assert waiting["status"] == "confirmed"


def test_dispatching_again_assigns_a_waiting_order_once_someone_is_available(clerk, area, customer, carpet):
    waiting = confirmed_waiting(clerk, customer, area, carpet)
    chosen = make_technician("刘强", area)
    outcome = dispatch.dispatch_again(actor=clerk, order_id=waiting["id"])
    assert outcome["assigned"] is True
    assert orders.get_order(actor=clerk, order_id=waiting["id"])["technician_id"] == chosen


def test_a_technician_on_leave_is_not_chosen(clerk, manager, area, customer, carpet):
    away = make_technician("休假", area)
    row = staff_services.staff.get(actor=manager, record_id=away)
    staff_services.staff.update(
        actor=manager, record_id=away, values={**row, "status": "on_leave"}, expected_version=row["version"]
    )
    assert confirm(clerk, place(clerk, customer, area, carpet))["status"] == "confirmed"
