"""The staff pages as managers and clerks use them: certificates and trainings tabs, the dates a
profile refuses, and marking someone as left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.clock import today
from core.db import reading
from core.models import User
from core.services import people
from core.services.staff import staff
from tests.factories import make_area, make_technician, make_user
from tests.integration.people_examples import certificate_values, training_values
from tests.pages.conftest import by_key, fill, message_under, texts, widget


@pytest.fixture
def person(sqlite_store) -> int:
    return make_technician("刘强", make_area())


def open_detail(at: AppTest, record_id: int) -> AppTest:
    at.query_params["id"] = str(record_id)
    return at.switch_page("pages/staff/detail.py").run()


def add_buttons(at: AppTest) -> list:
    """The Add buttons of the certificate form, then of the training form (tab order)."""
    return [button for button in at.button if button.label == "Add"]


class TestCertificates:
    def test_the_tab_lists_certificates_and_flags_the_expired_one(self, app, person):
        people.add_qualification(
            actor=SYSTEM, staff_id=person, values=certificate_values(name="地毯证", expires_on=today() - timedelta(1))
        )
        people.add_qualification(actor=SYSTEM, staff_id=person, values=certificate_values(name="电工证"))
        at = open_detail(app("clerk"), person)
        assert [tab.label for tab in at.tabs] == ["Details", "Certificates", "Trainings", "History"]
        shown = at.dataframe[0].value
        assert list(shown["Certificate"]) == ["地毯证", "电工证"]
        assert list(shown["State"]) == ["Expired", "Valid"]
        assert any("1 certificate(s) have expired" in e.value for e in at.error)
        assert add_buttons(at) == []  # a clerk reads, a manager keeps them

    def test_a_manager_adds_a_certificate(self, app, person):
        at = open_detail(app("manager"), person)
        form = f"staff.{person}.certificate"
        fill(at, form, name="高处作业证", skill="window", obtained_on=today() - timedelta(days=3))
        fill(at, form, expires_on=today() + timedelta(days=10))
        add_buttons(at)[0].click()
        at.run()
        assert [
            (c["name"], c["skill"], c["state"]) for c in people.qualifications_of(actor=SYSTEM, staff_id=person)
        ] == [("高处作业证", "window", "expiring")]
        assert "Certificate added." in [s.value for s in at.success]
        assert by_key(at, f"{form}.name").value in ("", None)
        assert any("expire within 30 days" in w.value for w in at.warning)

    def test_an_expiry_before_the_date_obtained_is_refused_under_its_field_and_the_rest_is_kept(self, app, person):
        at = open_detail(app("manager"), person)
        form = f"staff.{person}.certificate"
        fill(at, form, name="高处作业证", obtained_on=today() - timedelta(days=3))
        fill(at, form, expires_on=today() - timedelta(days=5))
        add_buttons(at)[0].click()
        at.run()
        assert message_under(at, f"{form}.expires_on") == "The expiry date must be after the date it was obtained."
        assert by_key(at, f"{form}.name").value == "高处作业证"
        assert by_key(at, f"{form}.obtained_on").value == today() - timedelta(days=3)
        assert people.qualifications_of(actor=SYSTEM, staff_id=person) == []

    def test_a_manager_removes_a_certificate(self, app, person):
        added = people.add_qualification(actor=SYSTEM, staff_id=person, values=certificate_values(name="旧证"))
        at = open_detail(app("manager"), person)
        by_key(at, f"staff.{person}.certificate.remove").set_value(added["id"])
        at.run()
        widget(at.button, "Remove the certificate").click()
        at.run()
        assert people.qualifications_of(actor=SYSTEM, staff_id=person) == []
        assert "Certificate removed." in [s.value for s in at.success]


class TestTrainings:
    def test_a_manager_adds_a_training_and_it_is_listed(self, app, person):
        people.add_training(actor=SYSTEM, staff_id=person, values=training_values(course="安全培训"))
        at = open_detail(app("manager"), person)
        form = f"staff.{person}.training"
        fill(at, form, course="布艺清洗", taken_on=today(), result="attended")
        add_buttons(at)[1].click()
        at.run()
        assert [(t["course"], t["result"]) for t in people.trainings_of(actor=SYSTEM, staff_id=person)] == [
            ("布艺清洗", "attended"),
            ("安全培训", "passed"),
        ]
        assert list(at.dataframe[0].value["Course"]) == ["布艺清洗", "安全培训"]

    def test_a_future_date_is_refused_under_its_field_and_the_course_is_kept(self, app, person):
        at = open_detail(app("manager"), person)
        form = f"staff.{person}.training"
        fill(at, form, course="布艺清洗", taken_on=today() + timedelta(days=2), result="passed")
        add_buttons(at)[1].click()
        at.run()
        assert message_under(at, f"{form}.taken_on") == "This date cannot be in the future."
        assert by_key(at, f"{form}.course").value == "布艺清洗"
        assert people.trainings_of(actor=SYSTEM, staff_id=person) == []


class TestProfileForm:
    def test_a_hire_date_in_the_future_is_refused_under_the_field_and_nothing_is_saved(self, app, sqlite_store):
        make_area()
        at = app("manager").switch_page("pages/staff/new.py").run()
        fill(at, "staff.new", name="王五", public_name="王师傅", phone="139 0000 0011")
        fill(at, "staff.new", hire_date=today() + timedelta(days=1), birth_date=today() + timedelta(days=1))
        widget(at.button, "Save").click()
        at.run()
        assert message_under(at, "staff.new.hire_date") == "This date cannot be in the future."
        assert message_under(at, "staff.new.birth_date") == "This date cannot be in the future."
        assert (by_key(at, "staff.new.name").value, by_key(at, "staff.new.phone").value) == ("王五", "139 0000 0011")
        assert staff.search(actor=SYSTEM).total == 0

    def test_marking_someone_as_left_disables_their_login_and_their_record_can_still_be_edited(self, app, sqlite_store):
        login = make_user("liuqiang", "technician")
        person = make_technician("刘强", make_area(), user=login)
        at = open_detail(app("manager"), person)
        edit = f"staff.edit.{person}"
        fill(at, edit, status="left")
        widget(at.button, "Save changes").click()
        at.run()
        assert staff.get(actor=SYSTEM, record_id=person)["status"] == "left"
        with reading() as session:
            assert session.get(User, login.user_id).active is False
        at = open_detail(at, person)
        fill(at, edit, phone="139 0000 0012")
        widget(at.button, "Save changes").click()
        at.run()
        saved = staff.get(actor=SYSTEM, record_id=person)
        assert (saved["phone"], saved["user_id"]) == ("13900000012", login.user_id)
        assert "Saved." in texts(at)


def test_the_staff_list_warns_of_expired_certificates(app, person):
    people.add_qualification(
        actor=SYSTEM, staff_id=person, values=certificate_values(expires_on=today() - timedelta(days=2))
    )
    at = app("manager").switch_page("pages/staff/list.py").run()
    assert any("1 certificate(s) have expired and were not renewed." in e.value for e in at.error)
