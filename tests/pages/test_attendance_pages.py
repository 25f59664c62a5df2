"""The attendance pages: one tap to clock in and out on the technician's phone page, and the
manager's monthly report, missing clock-outs and corrections (the error under the reason)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.clock import at, local, today
from core.db import reading, writing
from core.models import Attendance
from core.services import attendance
from tests.factories import make_area, make_technician, make_user
from tests.pages.conftest import log_in, message_under, open_app, texts, widget
from ui.text import escape_markdown


@pytest.fixture
def wang(sqlite_store) -> dict[str, Any]:
    user = make_user("tech1", "technician")
    return {"user": user, "staff_id": make_technician("Wang Lei", make_area(), user=user)}


def entries(staff_id: int) -> list[tuple[datetime, datetime | None, str | None]]:
    with reading() as session:
        rows = session.execute(
            select(Attendance).where(Attendance.staff_id == staff_id).order_by(Attendance.clock_in)
        ).scalars()
        return [(row.clock_in, row.clock_out, row.correction_reason) for row in rows]


def add_entry(staff_id: int, clock_in: datetime, clock_out: datetime | None) -> int:
    with writing(SYSTEM) as session:
        entry = Attendance(staff_id=staff_id, clock_in=clock_in, clock_out=clock_out)
        session.add(entry)
        session.commit()
        return entry.id


def yesterday_at(hour: int) -> datetime:
    return at(today() - timedelta(days=1), time(hour))


def clock_buttons(at_: AppTest) -> list[str]:
    return [b.label for b in at_.button if b.key and b.key.startswith("timeclock.")]


def last_month_day() -> date:
    """A day of last month: the month is chosen on the page, so no test depends on today's date."""
    return today().replace(day=1) - timedelta(days=20)


def show_month(at_: AppTest, day: date) -> AppTest:
    return at_.selectbox(key="attendance.month").set_value((day.year, day.month)).run()


def column(at_: AppTest, name: str, index: int = 0) -> list[Any]:
    frames = [d.value for d in at_.dataframe if name in d.value.columns]
    return list(frames[index][name])


class TestThePhoneClock:
    def open(self) -> AppTest:
        return log_in(open_app(), "tech1").switch_page("pages/jobs/today.py").run()

    def test_one_tap_clocks_in_and_another_clocks_out(self, wang):
        at_ = self.open()
        assert "**Not clocked in** · today 0 h" in texts(at_)
        widget(at_.button, "Clock in").click()
        at_.run()
        [(clock_in, clock_out, _)] = entries(wang["staff_id"])
        assert clock_out is None
        assert f"Clocked in at {local(clock_in):%H:%M}." in texts(at_)
        assert f"**Clocked in since {escape_markdown(f'{local(clock_in):%H:%M}')}** · today" in texts(at_)
        assert clock_buttons(at_) == ["Clock out"]
        widget(at_.button, "Clock out").click()
        at_.run()
        [(_, clock_out, _)] = entries(wang["staff_id"])
        assert clock_out is not None and f"Clocked out at {local(clock_out):%H:%M}." in texts(at_)
        assert clock_buttons(at_) == ["Clock in"]

    def test_a_tap_on_a_page_left_open_while_clocked_in_elsewhere_is_refused(self, wang):
        at_ = self.open()
        attendance.clock_in(actor=wang["user"])  # from another phone
        widget(at_.button, "Clock in").click()
        at_.run()
        assert any(e.value.startswith("You are already clocked in since ") for e in at_.error)
        assert [out for _, out, _ in entries(wang["staff_id"])] == [None]  # still in: the tap did not clock out
        assert clock_buttons(at_) == ["Clock out"]

    def test_a_forgotten_clock_out_is_shown_and_the_button_is_off(self, wang):
        add_entry(wang["staff_id"], yesterday_at(8) - timedelta(days=1), None)
        at_ = self.open()
        assert "You did not clock out after that; ask a manager to correct the entry." in texts(at_)
        assert widget(at_.button, "Clock out").disabled


class TestTheManagersPage:
    @pytest.fixture
    def manager(self, wang) -> AppTest:
        make_user("boss", "manager")
        return log_in(open_app(), "boss").switch_page("pages/staff/attendance.py").run()

    def test_the_report_shows_the_hours_of_the_month(self, wang, sqlite_store):
        day = last_month_day()
        add_entry(wang["staff_id"], at(day, time(8)), at(day, time(11, 30)))
        make_user("lucy", "analyst")
        at_ = show_month(log_in(open_app(), "lucy").switch_page("pages/staff/attendance.py").run(), day)
        assert column(at_, "Name") == ["Wang Lei"]
        assert column(at_, "Hours") == ["3.50"]
        assert column(at_, "Days") == [1]
        assert "Correct an entry" not in [s.value for s in at_.subheader]  # an analyst only reads
        assert [b.label for b in at_.get("download_button")] == ["Download CSV"]
        at_.selectbox(key="attendance.person").set_value(wang["staff_id"]).run()
        assert {m.label: m.value for m in at_.metric} == {
            "Days": "1",
            "Hours": "3.50",
            "Overtime": "0.00",
            "Late starts": "0",
            "Absences": "0",
        }

    def test_a_missing_clock_out_is_listed_and_corrected_with_a_reason(self, wang, manager):
        entry = add_entry(wang["staff_id"], yesterday_at(8), None)
        at_ = manager.run()
        assert "Missing clock-outs (1)" in [s.value for s in at_.subheader]
        assert column(at_, "Clock-out") == ["(none)"]
        at_.selectbox(key="attendance.correct.entry").set_value(entry).run()
        assert at_.date_input(key="attendance.correct.in_day").value == today() - timedelta(days=1)
        assert at_.time_input(key="attendance.correct.in_time").value == time(8)
        at_.date_input(key="attendance.correct.out_day").set_value(today() - timedelta(days=1))
        at_.time_input(key="attendance.correct.out_time").set_value(time(17))
        widget(at_.button, "Save the correction").click()
        at_.run()
        assert message_under(at_, "attendance.correct.reason") == "Say why the entry is corrected."
        assert at_.time_input(key="attendance.correct.out_time").value == time(17)  # kept as typed
        assert entries(wang["staff_id"]) == [(yesterday_at(8), None, None)]

        at_.text_input(key="attendance.correct.reason").input("Forgot to clock out")
        widget(at_.button, "Save the correction").click()
        at_.run()
        assert "Entry of Wang Lei corrected." in texts(at_)
        assert entries(wang["staff_id"]) == [(yesterday_at(8), yesterday_at(17), "Forgot to clock out")]
        assert "Missing clock-outs (0)" in [s.value for s in at_.subheader]

    def test_a_clock_out_before_the_clock_in_is_refused_under_the_clock_out(self, wang, manager):
        day = last_month_day()
        entry = add_entry(wang["staff_id"], at(day, time(8)), at(day, time(12)))
        at_ = show_month(manager, day)
        at_.selectbox(key="attendance.correct.entry").set_value(entry).run()
        at_.time_input(key="attendance.correct.out_time").set_value(time(7))
        at_.text_input(key="attendance.correct.reason").input("typo")
        widget(at_.button, "Save the correction").click()
        at_.run()
        assert message_under(at_, "attendance.correct.out_time") == "The clock-out must come after the clock-in."
        assert entries(wang["staff_id"]) == [(at(day, time(8)), at(day, time(12)), None)]
