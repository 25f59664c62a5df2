"""The roster and leave pages: a team's week with its shifts and leave, adding a shift (a refusal
under its field, the typed values kept), removing one; asking for leave; deciding it."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM, Actor
from core.clock import today
from core.models import LeaveRequest, Shift
from core.rosters import monday
from core.services import leave
from core.services import staff as staff_services
from tests.factories import make_area, make_user
from tests.integration.stock_support import count
from tests.pages.conftest import log_in, message_under, open_app, texts, widget
from ui.text import escape_markdown

MONDAY = monday(today()) + timedelta(weeks=1)  # next week: nobody is rostered yet
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def title(on: date) -> str:
    return f"{WEEKDAYS[on.weekday()]} {on:%m-%d}"


def person(name: str, team: str | None, user: Actor | None = None, area: int | None = None) -> int:
    return staff_services.staff.create(
        actor=SYSTEM,
        values={
            "name": name,
            "public_name": f"{name[0]}师傅",
            "phone": None,
            "team": team,
            "position": "technician",
            "status": "active",
            "user_id": user.user_id if user else None,
            "areas": [area] if area else [],
            "skills": [],
        },
    )["id"]


def shift(staff_id: int, on: date, start: int, end: int, **extra: Any) -> dict[str, Any]:
    """A shift from `start` to `end` o'clock; an end before the start is a night shift."""
    extra.setdefault("overnight", end < start)
    return staff_services.add_shift(actor=SYSTEM, staff_id=staff_id, day=on, start=time(start), end=time(end), **extra)


def shown(template: str, **params: str) -> str:
    """A service's message as the page shows it (its values escaped for Markdown)."""
    return template.format(**{name: escape_markdown(value) for name, value in params.items()})


def open_as(username: str, *roles: str, script: str) -> AppTest:
    make_user(username, *roles)
    at = log_in(open_app(), username)
    return at.switch_page(script).run()


def roster(at: AppTest) -> dict[str, dict[str, str]]:
    """The week grid: person -> day column -> what the cell says."""
    frame = next(d.value for d in at.dataframe if "Staff member" in d.value.columns)
    return {row["Staff member"]: dict(row) for row in frame.to_dict("records")}


def show_week(at: AppTest, on: date, team: str | None = None) -> AppTest:
    widget(at.date_input, "Week of").set_value(on)
    at.run()
    if team is not None:
        widget(at.selectbox, "Team").set_value(team)
        at.run()
    return at


def fill_shift(at: AppTest, staff_id: int, on: date, start: time, end: time) -> AppTest:
    widget(at.selectbox, "Staff member *").set_value(staff_id)
    widget(at.date_input, "Day *").set_value(on)
    widget(at.time_input, "From *").set_value(start)
    widget(at.time_input, "To *").set_value(end)
    widget(at.button, "Add").click()
    return at.run()


def test_the_week_of_one_team_shows_each_day_s_shifts_and_leave(sqlite_store):
    area = make_area()
    liu_user = make_user("liuqiang", "technician")
    liu = person("刘强", "A", user=liu_user)
    chen = person("陈七", "B")
    shift(liu, day(1), 8, 17, area_id=area)
    shift(liu, day(3), 22, 6, role="supervisor")
    shift(chen, day(1), 9, 13)
    asked = leave.request_leave(actor=liu_user, kind="annual", starts_on=day(5), ends_on=day(9))
    leave.decide_leave(actor=make_user("boss", "manager"), leave_id=asked["id"], approve=True)
    at = show_week(open_as("clerk1", "clerk", script="pages/staff/shifts.py"), day(2), team="A")
    grid = roster(at)
    assert list(grid) == ["刘强"]
    assert grid["刘强"][title(day(1))] == "08:00–17:00 · Xuhui · Technician"
    assert grid["刘强"][title(day(3))] == "22:00–06:00 · Supervisor"
    assert grid["刘强"][title(day(5))] == grid["刘强"][title(day(6))] == "Leave (Annual leave)"
    assert grid["刘强"][title(day(0))] == ""
    assert f"Week from {MONDAY:%Y-%m-%d} to {day(6):%Y-%m-%d}." in texts(at)
    assert "Add a shift" not in [e.label for e in at.expander]  # a clerk only looks
    widget(at.selectbox, "Team").set_value("")
    grid = roster(at.run())
    assert sorted(grid) == ["刘强", "陈七"] and grid["陈七"][title(day(1))] == "09:00–13:00 · Technician"
    widget(at.button, "Next week").click()
    grid = roster(at.run())
    assert grid["刘强"][title(day(7))] == "Leave (Annual leave)" and grid["陈七"][title(day(8))] == ""


def test_a_manager_adds_a_shift_and_a_refusal_shows_under_its_field_keeping_the_input(sqlite_store):
    wang = person("Wang Lei", "A")
    at = show_week(open_as("boss", "manager", script="pages/staff/shifts.py"), day(0))
    fill_shift(at, wang, day(1), time(8), time(12))
    assert "Shift added." in texts(at)
    assert roster(at)["Wang Lei"][title(day(1))] == "08:00–12:00 · Technician"
    fill_shift(at, wang, day(1), time(11), time(15))
    overlap = shown("This overlaps another shift, {begins}–{ends}.", begins=f"{day(1):%m-%d} 08:00", ends="12:00")
    assert message_under(at, "shifts.add.start") == overlap
    assert at.time_input(key="shifts.add.start").value == time(11)  # what was typed stays
    assert at.selectbox(key="shifts.add.staff_id").value == wang
    fill_shift(at, wang, day(2), time(9), time(9))
    assert message_under(at, "shifts.add.end") == "A shift cannot end when it starts."
    assert message_under(at, "shifts.add.start") is None
    assert count(Shift) == 1


def test_a_night_shift_is_ticked_as_ending_the_next_day(sqlite_store):
    wang = person("Wang Lei", "A")
    at = show_week(open_as("boss", "manager", script="pages/staff/shifts.py"), day(0))
    fill_shift(at, wang, day(1), time(22), time(6))
    assert message_under(at, "shifts.add.end") == shown(
        "A shift cannot end before it starts; for a night shift tick “Ends the next day”."
    )
    assert count(Shift) == 0
    at.checkbox(key="shifts.add.overnight").check()
    widget(at.button, "Add").click()
    at.run()
    assert "Shift added." in texts(at)
    [night] = staff_services.shifts_between(actor=SYSTEM, date_from=day(1), date_to=day(1))
    assert night["ends_at"] - night["starts_at"] == timedelta(hours=8)


def test_a_shift_on_approved_leave_is_refused_under_the_day(sqlite_store):
    user = make_user("liuqiang", "technician")
    liu = person("刘强", "A", user=user)
    asked = leave.request_leave(actor=user, kind="sick", starts_on=day(2), ends_on=day(2))
    leave.decide_leave(actor=make_user("boss2", "manager"), leave_id=asked["id"], approve=True)
    at = show_week(open_as("boss", "manager", script="pages/staff/shifts.py"), day(0))
    fill_shift(at, liu, day(2), time(8), time(17))
    expected = shown(
        "{name} is on approved leave from {starts} to {ends}.",
        name="刘强",
        starts=day(2).isoformat(),
        ends=day(2).isoformat(),
    )
    assert message_under(at, "shifts.add.day") == expected
    assert count(Shift) == 0


def test_a_manager_removes_a_shift(sqlite_store):
    wang = person("Wang Lei", "A")
    shift(wang, day(1), 8, 17)
    at = show_week(open_as("boss", "manager", script="pages/staff/shifts.py"), day(0))
    widget(at.selectbox, "Shift").set_value(
        staff_services.shifts_between(actor=SYSTEM, date_from=day(0), date_to=day(6))[0]["id"]
    )
    at.run()
    widget(at.button, "Remove the shift").click()
    at.run()
    assert "Shift removed." in texts(at)
    assert roster(at)["Wang Lei"][title(day(1))] == ""
    assert count(Shift) == 0


# --- leave -----------------------------------------------------------------------------------------


def ask_leave(at: AppTest, kind: str | None, first: date, last: date, reason: str = "") -> AppTest:
    if kind is not None:
        widget(at.selectbox, "Kind of leave *").set_value(kind)
    widget(at.date_input, "First day *").set_value(first)
    widget(at.date_input, "Last day *").set_value(last)
    widget(at.text_area, "Reason").input(reason)
    widget(at.button, "Ask for leave").click()
    return at.run()


def test_a_technician_asks_for_leave_and_cancels_it(sqlite_store):
    user = make_user("liuqiang", "technician")
    person("刘强", "A", user=user)
    at = log_in(open_app(), "liuqiang").switch_page("pages/account/leave.py").run()
    assert "You have not asked for leave yet." in texts(at)
    ask_leave(at, "personal", day(1), day(2))
    assert message_under(at, "my-leave.ask.reason") == "Say what the personal leave is for."
    assert at.selectbox(key="my-leave.ask.kind").value == "personal"
    ask_leave(at, "annual", day(2), day(1))
    assert message_under(at, "my-leave.ask.ends_on") == "The leave cannot end before it starts."
    assert count(LeaveRequest) == 0
    ask_leave(at, "personal", day(1), day(2), reason="搬家")
    assert "Leave requested; a manager will decide." in texts(at)
    table = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert list(table["Status"]) == ["Pending"] and list(table["Kind"]) == ["Personal leave"]
    cancel = [b for b in at.button if b.label.startswith("Cancel the request for")]
    assert len(cancel) == 1
    cancel[0].click()
    at.run()
    assert "Request cancelled." in texts(at)
    assert leave.my_leave(actor=user)["requests"][0]["status"] == "cancelled"


def test_someone_without_a_staff_record_is_told_so(app):
    at = app("clerk").switch_page("pages/account/leave.py").run()
    assert "Your login is not linked to a staff record; ask a manager." in texts(at)
    assert not [b for b in at.button if b.label == "Ask for leave"]


def test_a_manager_decides_leave_but_not_their_own(sqlite_store):
    user = make_user("liuqiang", "technician")
    person("刘强", "A", user=user)
    asked = leave.request_leave(actor=user, kind="annual", starts_on=day(1), ends_on=day(3))
    boss = make_user("boss", "manager")
    person("王芳", "Office", user=boss)
    own = leave.request_leave(actor=boss, kind="annual", starts_on=day(4), ends_on=day(4))
    at = log_in(open_app(), "boss").switch_page("pages/staff/leave.py").run()
    assert "刘强" in texts(at) and "王芳" in texts(at)
    at.button(key=f"leave-requests.{asked['id']}.refuse").click()
    at.run()
    assert message_under(at, f"leave-requests.{asked['id']}.note") == "Say why the leave is refused."
    at.button(key=f"leave-requests.{own['id']}.approve").click()
    at.run()
    assert "Another manager must decide your own leave request." in texts(at)
    at.text_input(key=f"leave-requests.{asked['id']}.note").input("旺季人手不足")
    at.button(key=f"leave-requests.{asked['id']}.refuse").click()
    at.run()
    assert "Refused." in texts(at)
    decided = next(d.value for d in at.dataframe if "Decided by" in d.value.columns)
    assert list(decided["Staff member"]) == ["刘强"] and list(decided["Note"]) == ["旺季人手不足"]
    assert list(decided["Status"]) == ["Refused"]
    assert [r["staff_name"] for r in leave.pending_leave(actor=boss)] == ["王芳"]


def test_the_home_page_shows_a_manager_the_leave_waiting_for_them_but_not_their_own(sqlite_store):
    user = make_user("liuqiang", "technician")
    person("刘强", "A", user=user)
    boss = make_user("boss", "manager")
    person("王芳", "Office", user=boss)
    leave.request_leave(actor=boss, kind="annual", starts_on=day(4), ends_on=day(4))
    home = log_in(open_app(), "boss")
    assert not [link for link in home.get("page_link") if "Leave requests to decide" in link.proto.label]
    leave.request_leave(actor=user, kind="annual", starts_on=day(1), ends_on=day(3))
    home = log_in(open_app(), "boss")
    assert "Leave requests to decide: 1" in [link.proto.label for link in home.get("page_link")]
