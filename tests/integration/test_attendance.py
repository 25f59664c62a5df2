"""Attendance in the store: clocking in and out on the server's time, refusals that write nothing,
a manager's correction with its reason in the audit trail, missing clock-outs that stay open, and
the monthly report (on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import threading
import time as time_module
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

import core.services.attendance as attendance_services
from core.actor import SYSTEM
from core.clock import at, today, utcnow
from core.db import reading, writing
from core.errors import OpsdeskError, ValidationFailed
from core.models import Attendance, AuditEntry, LeaveRequest
from core.services import attendance
from core.services import staff as staff_services
from tests.factories import make_technician, make_user


@pytest.fixture
def wang(area):
    """A technician whose login is linked to their staff record."""
    user = make_user("wanglei", "technician")
    return {"user": user, "staff_id": make_technician("王磊", area, user=user)}


def entries_of(staff_id: int) -> list[tuple[datetime, datetime | None, str | None]]:
    with reading() as session:
        rows = session.execute(
            select(Attendance).where(Attendance.staff_id == staff_id).order_by(Attendance.clock_in)
        ).scalars()
        return [(row.clock_in, row.clock_out, row.correction_reason) for row in rows]


def add_entry(staff_id: int, clock_in: datetime, clock_out: datetime | None) -> dict[str, Any]:
    with writing(SYSTEM) as session:
        entry = Attendance(staff_id=staff_id, clock_in=clock_in, clock_out=clock_out)
        session.add(entry)
        session.commit()
        return {"id": entry.id, "version": entry.version}


def audit_count() -> int:
    with reading() as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    return days_ago_at(1, hour, minute)


def days_ago_at(days: int, hour: int, minute: int = 0) -> datetime:
    return at(today() - timedelta(days=days), time(hour, minute))


class TestClock:
    def test_clock_in_and_out_take_the_servers_time(self, wang):
        before = utcnow()
        opened = attendance.clock_in(actor=wang["user"])
        mine = attendance.my_attendance(actor=wang["user"])
        assert mine["open"]["id"] == opened["id"] and mine["staff_id"] == wang["staff_id"]
        closed = attendance.clock_out(actor=wang["user"])
        after = utcnow()
        [(clock_in, clock_out, reason)] = entries_of(wang["staff_id"])
        assert before <= clock_in <= clock_out <= after and reason is None
        assert closed["clock_out"] == clock_out
        assert attendance.my_attendance(actor=wang["user"])["open"] is None

    def test_a_second_clock_in_while_one_is_open_is_refused_naming_since_when(self, wang):
        attendance.clock_in(actor=wang["user"])
        writes = audit_count()
        with pytest.raises(OpsdeskError) as refused:
            attendance.clock_in(actor=wang["user"])
        assert str(refused.value.message).startswith("You are already clocked in since ")
        assert len(entries_of(wang["staff_id"])) == 1 and audit_count() == writes

    def test_a_clock_out_with_nothing_open_is_refused(self, wang):
        with pytest.raises(OpsdeskError) as refused:
            attendance.clock_out(actor=wang["user"])
        assert str(refused.value.message) == "You are not clocked in."
        assert entries_of(wang["staff_id"]) == []

    def test_a_clock_out_that_would_come_before_the_clock_in_is_refused(self, wang, monkeypatch):
        attendance.clock_in(actor=wang["user"])
        [(clock_in, _, _)] = entries_of(wang["staff_id"])
        monkeypatch.setattr(attendance_services, "utcnow", lambda: clock_in - timedelta(minutes=5))  # clock skew
        with pytest.raises(OpsdeskError) as refused:
            attendance.clock_out(actor=wang["user"])
        assert str(refused.value.message).startswith("A clock-out must come after the clock-in")
        assert entries_of(wang["staff_id"]) == [(clock_in, None, None)]

    def test_a_login_without_a_staff_record_cannot_clock_in(self, store):
        loner = make_user("loner", "clerk")
        with pytest.raises(OpsdeskError) as refused:
            attendance.clock_in(actor=loner)
        assert str(refused.value.message) == "Your login is not linked to a staff record; ask a manager."
        assert attendance.my_attendance(actor=loner) is None
        with reading() as session:
            assert session.execute(select(func.count()).select_from(Attendance)).scalar_one() == 0

    def test_a_forgotten_clock_out_blocks_the_clock_and_is_never_closed_by_it(self, wang):
        add_entry(wang["staff_id"], yesterday_at(8) - timedelta(days=1), None)
        for tap in (attendance.clock_out, attendance.clock_in):
            with pytest.raises(OpsdeskError) as refused:
                tap(actor=wang["user"])
            assert "with no clock-out; ask a manager to correct it." in str(refused.value.message)
        assert [out for _, out, _ in entries_of(wang["staff_id"])] == [None]
        assert attendance.my_attendance(actor=wang["user"])["stale"] is True

    def test_two_taps_at_once_open_one_entry(self, wang, monkeypatch):
        looked_up = attendance_services._open_entry

        def slow_lookup(*args: Any) -> Any:  # widen the window between the check and the insert
            found = looked_up(*args)
            time_module.sleep(0.3)
            return found

        monkeypatch.setattr(attendance_services, "_open_entry", slow_lookup)
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def tap() -> None:
            barrier.wait()
            try:
                attendance.clock_in(actor=wang["user"])
                outcomes.append("in")
            except OpsdeskError:
                outcomes.append("refused")

        threads = [threading.Thread(target=tap) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["in", "refused"]
        assert len(entries_of(wang["staff_id"])) == 1

    def test_hours_today_include_the_open_entry_up_to_now(self, wang):
        now, midnight = utcnow(), at(today(), time.min)
        add_entry(wang["staff_id"], now - timedelta(hours=3), now - timedelta(hours=2))
        opened = max(now - timedelta(minutes=30), midnight)  # just after midnight: clocked in at midnight
        add_entry(wang["staff_id"], opened, None)
        hours = attendance.my_attendance(actor=wang["user"])["hours_today"]
        if midnight <= now - timedelta(hours=3):  # both entries began today
            assert hours == Decimal("1.50")
        else:
            open_part = Decimal((now - opened).total_seconds() / 3600)
            assert open_part - Decimal("0.02") <= hours < Decimal("1.50")


class TestCorrections:
    def test_a_manager_corrects_an_entry_and_the_trail_keeps_the_reason_and_the_times(self, wang, manager):
        entry = add_entry(wang["staff_id"], yesterday_at(9), yesterday_at(17))
        corrected = attendance.correct_entry(
            actor=manager,
            entry_id=entry["id"],
            clock_in=yesterday_at(8),
            clock_out=yesterday_at(17, 30),
            reason="门禁坏了，8点已到岗",
            expected_version=entry["version"],
        )
        assert corrected["hours"] == Decimal("9.50")
        assert entries_of(wang["staff_id"]) == [(yesterday_at(8), yesterday_at(17, 30), "门禁坏了，8点已到岗")]
        with reading() as session:
            [change] = session.execute(
                select(AuditEntry).where(AuditEntry.entity == "attendance", AuditEntry.action == "update")
            ).scalars()
        assert change.actor_name == "wangfang"
        assert change.changes["clock_in"] == [yesterday_at(9).isoformat(), yesterday_at(8).isoformat()]
        assert change.changes["correction_reason"] == [None, "门禁坏了，8点已到岗"]

    @pytest.mark.parametrize(
        ("times", "reason", "field", "message"),
        [
            ((9, 17), "  ", "reason", "Say why the entry is corrected."),
            ((17, 9), "typo", "clock_out", "The clock-out must come after the clock-in."),
            ((9, None), "typo", "clock_out", "Give the clock-out: an entry lasts at most 16 hours."),
            (
                (12, 17),
                "typo",
                "clock_in",
                "These are the entry's times already; change the clock-in or the clock-out.",
            ),
        ],
    )
    def test_a_bad_correction_is_refused_under_its_field_and_writes_nothing(
        self, wang, manager, times, reason, field, message
    ):
        # Two days back: an entry left open from 09:00 is over 16 hours old whatever the time now.
        entry = add_entry(wang["staff_id"], days_ago_at(2, 12), days_ago_at(2, 17))
        writes = audit_count()
        start, end = times
        with pytest.raises(ValidationFailed) as refused:
            attendance.correct_entry(
                actor=manager,
                entry_id=entry["id"],
                clock_in=days_ago_at(2, start),
                clock_out=None if end is None else days_ago_at(2, end),
                reason=reason,
                expected_version=entry["version"],
            )
        assert {name: str(text) for name, text in refused.value.errors.items()} == {field: message}
        assert entries_of(wang["staff_id"]) == [(days_ago_at(2, 12), days_ago_at(2, 17), None)]
        assert audit_count() == writes

    def test_a_correction_may_not_overlap_another_entry_of_the_person(self, wang, manager):
        add_entry(wang["staff_id"], yesterday_at(8), yesterday_at(12))
        entry = add_entry(wang["staff_id"], yesterday_at(13), yesterday_at(17))
        with pytest.raises(ValidationFailed) as refused:
            attendance.correct_entry(
                actor=manager,
                entry_id=entry["id"],
                clock_in=yesterday_at(11),
                clock_out=yesterday_at(17),
                reason="came early",
                expected_version=entry["version"],
            )
        assert str(refused.value.errors["clock_in"]).startswith("This overlaps another entry of the same person")
        assert [start for start, _, _ in entries_of(wang["staff_id"])] == [yesterday_at(8), yesterday_at(13)]

    def test_a_technician_cannot_correct_their_own_entry(self, wang):
        entry = add_entry(wang["staff_id"], yesterday_at(9), yesterday_at(17))
        with pytest.raises(OpsdeskError):
            attendance.correct_entry(
                actor=wang["user"],
                entry_id=entry["id"],
                clock_in=yesterday_at(8),
                clock_out=yesterday_at(17),
                reason="I was there",
                expected_version=entry["version"],
            )
        assert entries_of(wang["staff_id"]) == [(yesterday_at(9), yesterday_at(17), None)]


class TestMissingClockOuts:
    def test_open_entries_of_past_days_are_flagged_and_stay_open(self, wang, manager, area):
        forgotten = add_entry(wang["staff_id"], yesterday_at(8), None)
        other = make_technician("赵敏", area)
        # clocked in today: working, not missing (just after midnight: at midnight)
        add_entry(other, max(utcnow() - timedelta(minutes=10), at(today(), time.min)), None)
        flagged = attendance.missing_clock_outs(actor=manager)
        assert [(row["id"], row["staff_name"]) for row in flagged] == [(forgotten["id"], "王磊")]
        assert attendance.missing_clock_outs(actor=manager) == flagged  # looking does not close it
        assert entries_of(wang["staff_id"]) == [(yesterday_at(8), None, None)]
        attendance.correct_entry(
            actor=manager,
            entry_id=forgotten["id"],
            clock_in=yesterday_at(8),
            clock_out=yesterday_at(17),
            reason="Forgot to clock out",
            expected_version=forgotten["version"],
        )
        assert attendance.missing_clock_outs(actor=manager) == []


class TestMonthlyReport:
    def test_the_report_adds_up_each_persons_month(self, wang, manager):
        first = today().replace(day=1) - timedelta(days=40)  # a whole month in the past
        year, month = first.year, first.month
        day = first.replace(day=2)
        add_entry(wang["staff_id"], at(day, time(8)), at(day, time(19)))  # 11 h: 3 h overtime
        night = day + timedelta(days=1)
        add_entry(wang["staff_id"], at(night, time(22)), at(night + timedelta(days=1), time(6)))
        staff_services.add_shift(actor=SYSTEM, staff_id=wang["staff_id"], day=day, start=time(7), end=time(16))
        staff_services.add_shift(
            actor=SYSTEM, staff_id=wang["staff_id"], day=night, start=time(22), end=time(6), overnight=True
        )
        for offset in (3, 4):  # rostered, nobody came; the second day on approved leave
            staff_services.add_shift(
                actor=SYSTEM, staff_id=wang["staff_id"], day=day + timedelta(days=offset), start=time(8), end=time(17)
            )
        with writing(SYSTEM) as session:
            leave_day = day + timedelta(days=4)
            session.add(
                LeaveRequest(
                    staff_id=wang["staff_id"], kind="sick", starts_on=leave_day, ends_on=leave_day, status="approved"
                )
            )
            session.commit()
        [row] = attendance.monthly_report(actor=manager, year=year, month=month, staff_id=wang["staff_id"])
        assert {k: row[k] for k in ("name", "days", "hours", "overtime", "late_starts", "absences")} == {
            "name": "王磊",
            "days": 2,
            "hours": Decimal("19.00"),
            "overtime": Decimal("3.00"),
            "late_starts": 1,
            "absences": 1,
        }
        everyone = attendance.monthly_report(actor=manager, year=year, month=month)
        assert [r["name"] for r in everyone] == ["王磊"]
        data = attendance.monthly_report_csv(actor=manager, year=year, month=month, language="zh")
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert lines[0][:4] == ["工号", "姓名", "出勤天数", "工时"]
        assert lines[1][1:] == ["王磊", "2", "19.00", "3.00", "1", "1", "0"]

    def test_a_month_out_of_range_is_refused(self, manager):
        with pytest.raises(ValidationFailed):
            attendance.monthly_report(actor=manager, year=2026, month=13)

    def test_an_analyst_reads_the_report_but_a_technician_does_not(self, wang):
        analyst = make_user("lucy", "analyst")
        assert attendance.monthly_report(actor=analyst, year=today().year, month=today().month)
        with pytest.raises(OpsdeskError):
            attendance.monthly_report(actor=wang["user"], year=today().year, month=today().month)
