"""The technician's jobs: their day's list, starting and completing a job, materials and rating."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.actor import SYSTEM
from core.errors import OpsdeskError
from core.order_status import InvalidTransition
from core.services import audit, jobs, orders
from core.services.audit import AuditFilter
from tests.factories import make_technician, make_user
from tests.integration.order_support import field_errors, finish, scheduled, tomorrow

# --- The technician's day ----------------------------------------------------------------


def test_a_technician_sees_only_their_own_jobs_of_the_day(monkeypatch, clerk, area, customer, carpet, liu, liu_staff):
    wang = make_user("wangwu", "technician")
    wang_staff = make_technician("王五", area, user=wang)
    mine = scheduled(clerk, customer, area, carpet, quantity="40")  # nobody booked: 刘强 comes first by name
    theirs = scheduled(clerk, customer, area, carpet)  # 王五 has less booked
    assert (mine["technician_id"], theirs["technician_id"]) == (liu_staff, wang_staff)
    day = mine["requested_date"]
    monkeypatch.setattr("core.services.jobs.today", lambda: day)
    assert [job["number"] for job in jobs.my_jobs(actor=liu)] == [mine["number"]]
    assert [job["number"] for job in jobs.my_jobs(actor=wang)] == [theirs["number"]]


def test_a_technician_sees_no_jobs_on_a_day_without_any(clerk, area, customer, carpet, liu, liu_staff):
    scheduled(clerk, customer, area, carpet)
    assert jobs.my_jobs(actor=liu, day=tomorrow() + timedelta(days=1)) == []
    assert len(jobs.my_jobs(actor=liu, day=tomorrow())) == 1


def test_a_login_not_linked_to_a_technician_is_told_so(store):
    with pytest.raises(OpsdeskError) as refusal:
        jobs.my_jobs(actor=make_user("newtech", "technician"))
    assert "not linked" in str(refusal.value.message)


# --- Calling the customer -----------------------------------------------------------------


def test_a_technician_sees_the_customer_s_phone_in_full_for_an_open_job_of_theirs_and_it_is_audited(
    clerk, area, customer, carpet, liu, liu_staff
):
    order = scheduled(clerk, customer, area, carpet)
    assert "****" in jobs.my_jobs(actor=liu, day=order["requested_date"])[0]["customer_phone"]
    assert jobs.call_customer(actor=liu, order_id=order["id"]) == customer["phone"]
    [viewed] = audit.search_audit(actor=SYSTEM, where=AuditFilter(action="contacts_viewed")).rows
    assert (viewed["who"], viewed["entity_id"]) == ("liuqiang", str(customer["id"]))
    assert customer["phone"].replace(" ", "") not in str(viewed).replace(" ", "")


def test_no_phone_for_someone_else_s_job_nor_a_finished_one(clerk, area, customer, carpet, liu, liu_staff):
    wang = make_user("wangwu", "technician")
    make_technician("王五", area, user=wang)
    order = scheduled(clerk, customer, area, carpet)
    with pytest.raises(OpsdeskError, match="someone else"):
        jobs.call_customer(actor=wang, order_id=order["id"])
    finish(liu, order)
    with pytest.raises(OpsdeskError) as refusal:
        jobs.call_customer(actor=liu, order_id=order["id"])
    assert "still open" in str(refusal.value.message)


# --- Starting and completing a job -------------------------------------------------------


def test_a_technician_starts_and_completes_their_job_with_materials_and_rating(
    clerk, area, customer, carpet, liu, liu_staff
):
    order = scheduled(clerk, customer, area, carpet)
    started = jobs.start_job(actor=liu, order_id=order["id"], expected_version=order["version"])
    assert started["status"] == "in_progress" and started["started_at"] is not None
    done = jobs.complete_job(
        actor=liu,
        order_id=order["id"],
        expected_version=started["version"],
        materials=" 清洁剂 1 瓶 ",
        rating=5,
        comment="很满意",
    )
    assert (done["status"], done["materials_used"], done["rating"], done["rating_comment"]) == (
        "completed",
        "清洁剂 1 瓶",
        5,
        "很满意",
    )
    assert done["completed_at"] is not None
    events = orders.get_order(actor=clerk, order_id=order["id"])["events"]
    assert [(e["to_status"], e["actor_id"]) for e in events][-2:] == [
        ("in_progress", liu.user_id),
        ("completed", liu.user_id),
    ]


def test_someone_else_s_job_cannot_be_started_or_completed(clerk, area, customer, carpet, liu, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    wang = make_user("wangwu", "technician")
    make_technician("王五", area, user=wang, shift_day=tomorrow() + timedelta(days=1))
    with pytest.raises(OpsdeskError) as refusal:
        jobs.start_job(actor=wang, order_id=order["id"], expected_version=order["version"])
    assert "someone else" in str(refusal.value.message)
    started = jobs.start_job(actor=liu, order_id=order["id"], expected_version=order["version"])
    with pytest.raises(OpsdeskError):
        jobs.complete_job(actor=wang, order_id=order["id"], expected_version=started["version"])
    assert orders.get_order(actor=clerk, order_id=order["id"])["status"] == "in_progress"


def test_a_manager_may_start_and_complete_any_job(clerk, manager, area, customer, carpet, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    assert finish(manager, order)["status"] == "completed"


def test_a_job_cannot_be_completed_before_it_is_started(clerk, area, customer, carpet, liu, liu_staff):
    order = scheduled(clerk, customer, area, carpet)
    with pytest.raises(InvalidTransition):
        jobs.complete_job(actor=liu, order_id=order["id"], expected_version=order["version"])


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(clerk, area, customer, carpet, liu, liu_staff, rating):
    order = scheduled(clerk, customer, area, carpet)
    started = jobs.start_job(actor=liu, order_id=order["id"], expected_version=order["version"])
    errors = field_errors(
        jobs.complete_job, actor=liu, order_id=order["id"], expected_version=started["version"], rating=rating
    )
    assert set(errors) == {"rating"}
    assert orders.get_order(actor=clerk, order_id=order["id"])["status"] == "in_progress"


def test_a_job_may_be_completed_without_a_rating(clerk, area, customer, carpet, liu, liu_staff):
    assert finish(liu, scheduled(clerk, customer, area, carpet))["rating"] is None
