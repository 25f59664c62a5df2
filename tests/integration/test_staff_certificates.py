"""Certificates (expired ones flagged, and not used by dispatch) and training records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from core.clock import at, today
from core.db import reading
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.models import Qualification, Training
from core.services import dispatch, people
from tests.factories import make_technician
from tests.integration.dispatch_support import confirm, place
from tests.integration.order_support import tomorrow
from tests.integration.people_examples import certificate_values, training_values


def _count(model) -> int:
    with reading() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_certificates_are_listed_next_to_expire_first_with_their_state(manager, clerk, liu_staff):
    day = today()
    for name, expires in (("长期证", None), ("过期证", day - timedelta(days=1)), ("将到期", day + timedelta(days=30))):
        people.add_qualification(
            actor=manager, staff_id=liu_staff, values=certificate_values(name=name, expires_on=expires)
        )
    people.add_qualification(
        actor=manager, staff_id=liu_staff, values=certificate_values(name="今天到期", expires_on=day, skill=None)
    )
    people.add_qualification(
        actor=manager, staff_id=liu_staff, values=certificate_values(name="有效", expires_on=day + timedelta(days=31))
    )
    listed = people.qualifications_of(actor=clerk, staff_id=liu_staff)
    assert [(c["name"], c["state"]) for c in listed] == [
        ("过期证", "expired"),
        ("今天到期", "expiring"),
        ("将到期", "expiring"),
        ("有效", "valid"),
        ("长期证", "valid"),
    ]
    assert [c["expired"] for c in listed] == [True, False, False, False, False]
    assert listed[1]["skill"] is None and listed[0]["skill"] == "window"


def test_a_removed_certificate_is_gone(manager, liu_staff):
    added = people.add_qualification(actor=manager, staff_id=liu_staff, values=certificate_values())
    people.remove_qualification(actor=manager, qualification_id=added["id"])
    assert people.qualifications_of(actor=manager, staff_id=liu_staff) == []
    with pytest.raises(NotFound):
        people.remove_qualification(actor=manager, qualification_id=added["id"])


def days(offset: int) -> Callable[[], date]:
    """A day relative to today, worked out when the test runs (not when it is collected: a run may
    cross the company's midnight)."""
    return lambda: today() + timedelta(days=offset)


def resolved(changes: dict) -> dict:
    return {name: value() if callable(value) else value for name, value in changes.items()}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "证" * 101}, "name"),
        ({"obtained_on": days(1), "expires_on": None}, "obtained_on"),
        ({"obtained_on": days(-5), "expires_on": days(-5)}, "expires_on"),
        ({"obtained_on": days(-5), "expires_on": days(-6)}, "expires_on"),
        ({"skill": "juggling"}, "skill"),
        ({"expires_on": "next year"}, "expires_on"),
    ],
)
def test_a_wrong_certificate_is_refused_under_its_field_and_nothing_is_written(manager, liu_staff, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        people.add_qualification(actor=manager, staff_id=liu_staff, values=certificate_values(**resolved(changes)))
    assert list(refused.value.errors) == [field]
    assert _count(Qualification) == 0


def test_trainings_are_listed_latest_first(manager, clerk, liu_staff):
    people.add_training(actor=manager, staff_id=liu_staff, values=training_values(course="安全", result="attended"))
    people.add_training(
        actor=manager,
        staff_id=liu_staff,
        values=training_values(course="布艺", taken_on=today() - timedelta(days=400), result="failed", notes="补考"),
    )
    people.add_training(actor=manager, staff_id=liu_staff, values=training_values(course="今日", taken_on=today()))
    listed = people.trainings_of(actor=clerk, staff_id=liu_staff)
    assert [(t["course"], t["result"]) for t in listed] == [
        ("今日", "passed"),
        ("安全", "attended"),
        ("布艺", "failed"),
    ]
    assert listed[-1]["notes"] == "补考"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"course": ""}, {"course"}),
        ({"taken_on": days(1)}, {"taken_on"}),
        ({"taken_on": None}, {"taken_on"}),
        ({"result": "excellent"}, {"result"}),
        ({"course": "", "result": None, "notes": "x" * 501}, {"course", "result", "notes"}),
    ],
)
def test_a_wrong_training_is_refused_under_its_fields_and_nothing_is_written(manager, liu_staff, changes, fields):
    with pytest.raises(ValidationFailed) as refused:
        people.add_training(actor=manager, staff_id=liu_staff, values=training_values(**resolved(changes)))
    assert set(refused.value.errors) == fields
    assert _count(Training) == 0


def test_a_clerk_reads_certificates_and_trainings_but_cannot_add_them(clerk, liu_staff):
    assert people.qualifications_of(actor=clerk, staff_id=liu_staff) == []
    with pytest.raises(PermissionDenied):
        people.add_qualification(actor=clerk, staff_id=liu_staff, values=certificate_values())
    with pytest.raises(PermissionDenied):
        people.add_training(actor=clerk, staff_id=liu_staff, values=training_values())
    assert _count(Qualification) == _count(Training) == 0


def test_certificates_of_someone_unknown_are_refused(manager):
    with pytest.raises(NotFound):
        people.add_qualification(actor=manager, staff_id=999, values=certificate_values())
    with pytest.raises(NotFound):
        people.trainings_of(actor=manager, staff_id=999)


def test_the_alerts_count_expired_certificates_not_renewed_and_those_expiring(manager, liu_staff, area):
    other = make_technician("王伟", area)
    expired = certificate_values(name="高处作业证", expires_on=today() - timedelta(days=3))
    people.add_qualification(actor=manager, staff_id=liu_staff, values=expired)
    people.add_qualification(actor=manager, staff_id=other, values=expired)
    people.add_qualification(actor=manager, staff_id=other, values=certificate_values(name="高处作业证"))  # renewed
    people.add_qualification(
        actor=manager, staff_id=other, values=certificate_values(name="电工证", expires_on=today() + timedelta(days=9))
    )
    assert people.certificate_alerts(actor=manager) == {"expired": 1, "expiring": 1}


# --- Dispatch uses only valid certificates ----------------------------------------------


def test_an_expired_certificate_keeps_the_technician_from_jobs_needing_its_skill(
    manager, clerk, area, customer, carpet
):
    lapsed = make_technician("过期", area)
    people.add_qualification(
        actor=manager,
        staff_id=lapsed,
        values=certificate_values(name="地毯清洗证", skill="carpet", expires_on=today()),  # expired by tomorrow
    )
    waiting = confirm(clerk, place(clerk, customer, area, carpet))
    assert (waiting["status"], waiting["technician_id"]) == ("confirmed", None)
    with pytest.raises(ValidationFailed) as refused:
        dispatch.assign(
            actor=clerk,
            order_id=waiting["id"],
            staff_id=lapsed,
            start=at(tomorrow(), time(9)),
            expected_version=waiting["version"],
        )
    assert "Carpet cleaning" in str(refused.value.errors["staff_id"])
    people.add_qualification(
        actor=manager, staff_id=lapsed, values=certificate_values(name="地毯清洗证", skill="carpet")
    )  # renewed
    booked = dispatch.dispatch_again(actor=clerk, order_id=waiting["id"])
    assert booked["assigned"] is True


def test_a_valid_certificate_or_none_at_all_lets_the_technician_take_the_job(manager, clerk, area, customer, carpet):
    certified = make_technician("持证", area)
    people.add_qualification(
        actor=manager,
        staff_id=certified,
        values=certificate_values(name="地毯清洗证", skill="carpet", expires_on=tomorrow()),  # valid on its last day
    )
    assert confirm(clerk, place(clerk, customer, area, carpet))["technician_id"] == certified
    uncertified = make_technician("无证", area)  # the skill needs no certificate when none mentions it
    assert confirm(clerk, place(clerk, customer, area, carpet))["technician_id"] == uncertified
