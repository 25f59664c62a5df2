"""The demo's staff records as table rows: the profiles (technicians, then supervisors and office
staff), the office staff's shifts, certificates, trainings, leave requests and attendance.

Certificates: everyone who cleans windows holds a work-at-height certificate (it licenses the
skill), valid for six years; one renewed his this year (the old one shows as expired), one's
expires within the month, and 杨磊's lapsed: dispatch has not sent him to windows (the demo never
did), so no booking depends on it. First aid and vocational certificates license nothing; one
first aid certificate has expired."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from typing import Any

import numpy as np

from core.clock import at, utcnow
from core.demo import staff, timesheets
from core.demo.bulk import Bulk
from core.demo.rows import STAMPS, nulls
from core.demo.seasons import AHEAD
from core.demo.workforce import ABSENT, LAPSED, LEAVER
from core.skills import SKILLS

# fmt: off
STAFF_COLUMNS = ("id", "employee_no", "name", "public_name", "phone", "email", "birth_date", "hire_date", "team",
                 "hourly_cost", "left_on", "position", "status", "user_id", "areas", "skills", *STAMPS)
QUALIFICATION_COLUMNS = ("staff_id", "name", "skill", "obtained_on", "expires_on", *STAMPS)
TRAINING_COLUMNS = ("staff_id", "course", "taken_on", "result", "notes", *STAMPS)
LEAVE_COLUMNS = ("staff_id", "kind", "starts_on", "ends_on", "reason", "status", "decided_by_id", "decided_at",
                 "decision_note", *STAMPS)
ATTENDANCE_COLUMNS = ("staff_id", "clock_in", "clock_out", "correction_reason", *STAMPS)
# fmt: on
HEIGHT = "高空作业证 / Work at height certificate"
FIRST_AID = "急救员证 / First aid certificate"
VOCATIONAL = "保洁员职业技能等级证书（四级） / Cleaner, vocational level 4"
SAFETY = "安全生产管理人员证 / Workplace safety officer"
RENEWED, EXPIRING, FIRST_AID_LAPSED = 3, 1, 9  # 李军 renewed his height certificate; 王建国's runs out soon
INDUCTION = "新员工入职培训 / Induction"
TECH_COURSES = (
    "地毯深度清洗工艺 / Deep carpet cleaning", "布艺沙发清洗 / Fabric sofa cleaning",
    "皮具护理进阶 / Advanced leather care",
    "高空作业安全 / Safety at height", "清洁化学品安全使用 / Safe use of cleaning chemicals",
    "客户服务礼仪 / Customer service", "设备保养与故障排除 / Machine care and troubleshooting", "急救知识 / First aid",
)  # fmt: skip
OFFICE_COURSES = (
    "排班与派工 / Rostering and dispatch",
    "客户投诉处理 / Handling complaints",
    "班组管理 / Leading a team",
)
RETAKE = "需补考 / Retake needed"
DAY = 86400


def _years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _moment(day: date, hour: int = 10) -> int:
    return int(at(day, time(hour)).timestamp())


def staff_rows(book: Any, first_number: int, created: int, stamp: Callable[[int], str]) -> list[tuple]:
    crew, team = book.crew, book.workforce
    office = team.office
    manager, technician = book.users["manager"], book.users["technician"]
    everyone = [(crew, i) for i in range(len(crew.names))] + [(office, i) for i in range(len(office.names))]
    left_on = book.span.day(team.left_day)
    rows = []
    for k, (group, i) in enumerate(everyone):
        skills = [s for s in SKILLS if int(group.skills[i]) & staff.SKILL_BITS[s]]
        rows.append(
            (book.first["staff"] + k, f"EMP-{first_number + k:06d}", group.names[i], group.public[i], group.phones[i],
             team.emails[k], team.born[k].isoformat(), team.hired[k].isoformat(), team.teams[k], team.cost[k],
             left_on.isoformat() if k == LEAVER else None, team.positions[k], team.status[k],
             technician if k == 0 else None, json.dumps(group.areas[i]), json.dumps(skills),
             stamp(created), stamp(_moment(left_on, 18) if k == LEAVER else created), manager, manager,
             2 if k == LEAVER else 1)
        )  # fmt: skip
    return rows


def office_shifts(bulk: Bulk, book: Any) -> Iterator[tuple]:
    team, n = book.workforce, len(book.crew.names)
    areas = [None if p == "office" else home for p, home in zip(team.office.profile, team.office.home, strict=True)]
    return staff.shift_rows(
        team.office, book.span, book.first["staff"] + n, book.users["manager"], bulk.stamps, areas, team.office.profile
    )


def qualifications(rng: np.random.Generator, bulk: Bulk, book: Any) -> list[tuple]:
    span, team, crew = book.span, book.workforce, book.crew
    today = span.day(span.today)
    window = staff.SKILL_BITS["window"]
    found: list[tuple[int, str, str | None, date, date | None]] = []
    for k in range(team.size):
        technician = k < len(crew.names)
        if technician and int(crew.skills[k]) & window:
            got = span.first - timedelta(days=int(rng.integers(30, 900)))
            if k == LAPSED:
                got = _years(today - timedelta(days=int(rng.integers(20, 60))), -6)
            elif k == EXPIRING:
                got = _years(today + timedelta(days=AHEAD + 6), -6)
            elif k == RENEWED:
                got = _years(today - timedelta(days=int(rng.integers(60, 200))), -6)
                renewed = _years(got, 6) - timedelta(days=int(rng.integers(5, 30)))
                found.append((k, HEIGHT, "window", renewed, _years(renewed, 6)))
            found.append((k, HEIGHT, "window", got, _years(got, 6)))
        if technician and (rng.random() < 0.4 or k == FIRST_AID_LAPSED):
            got = today - timedelta(days=int(rng.integers(30, 1000)))
            if k == FIRST_AID_LAPSED:
                got = _years(today - timedelta(days=int(rng.integers(30, 120))), -3)
            found.append((k, FIRST_AID, None, got, _years(got, 3)))
        if technician and rng.random() < 0.5:
            found.append((k, VOCATIONAL, None, team.hired[k] + timedelta(days=int(rng.integers(-400, 600))), None))
        if team.positions[k] == "supervisor":
            got = today - timedelta(days=int(rng.integers(60, 900)))
            found.append((k, SAFETY, None, got, _years(got, 3)))
    first = book.first["staff"]
    return [_stamped(bulk, book, (first + k, name, skill, got.isoformat(), ends and ends.isoformat()), got)
            for k, name, skill, got, ends in found]  # fmt: skip


def trainings(rng: np.random.Generator, bulk: Bulk, book: Any) -> list[tuple]:
    """Induction when hired, then a course or so a year (some failed and retaken)."""
    span, team = book.span, book.workforce
    today = span.day(span.today)
    found: list[tuple[int, str, date, str, str | None]] = []
    for k in range(team.size):
        found.append((k, INDUCTION, team.hired[k] + timedelta(days=int(rng.integers(0, 5))), "attended", None))
        courses = TECH_COURSES if team.positions[k] == "technician" else OFFICE_COURSES
        last = span.day(team.left_day) if k == LEAVER else today - timedelta(days=1)
        day = max(team.hired[k], span.first - timedelta(days=365)) + timedelta(days=int(rng.integers(60, 400)))
        while day < last:
            course = courses[int(rng.integers(len(courses)))]
            roll = rng.random()
            result = "failed" if roll < 0.07 else "attended" if roll < 0.15 else "passed"
            found.append((k, course, day, result, RETAKE if result == "failed" else None))
            retake = day + timedelta(days=int(rng.integers(20, 60)))
            if result == "failed" and retake < last:
                found.append((k, course, retake, "passed", None))
            day += timedelta(days=int(rng.integers(200, 500)))
    return [_stamped(bulk, book, (book.first["staff"] + k, course, day.isoformat(), result, notes), day)
            for k, course, day, result, notes in found]  # fmt: skip


def _stamped(bulk: Bulk, book: Any, row: tuple, day: date) -> tuple:
    """Entered by the manager the day after, or when the records were first entered."""
    moment = max(_moment(day + timedelta(days=1)), int(book.span.midnight[0]) - 90 * DAY)
    moment = min(moment, book.span.now - 3600)
    spelled = bulk.stamp(moment)
    manager = book.users["manager"]
    return (*row, spelled, spelled, manager, manager, 1)


def leave_rows(bulk: Bulk, book: Any) -> list[tuple]:
    span, team = book.span, book.workforce
    manager, technician = book.users["manager"], book.users["technician"]
    rows = []
    for leave in sorted(team.leaves, key=lambda item: (item.asked, item.person)):
        by = technician if leave.person == 0 else manager  # 刘强 asks through his login; others ask the manager
        decided = leave.decided >= 0
        changed = leave.decided if decided else leave.asked + (DAY if leave.status == "cancelled" else 0)
        rows.append(
            (book.first["staff"] + leave.person, leave.kind, span.day(leave.first).isoformat(),
             span.day(leave.last).isoformat(), leave.reason, leave.status, manager if decided else None,
             bulk.stamp(leave.decided) if decided else None, leave.note, bulk.stamp(leave.asked), bulk.stamp(changed),
             by, manager if decided else by, 1 if leave.status == "pending" else 2)
        )  # fmt: skip
    return rows


def attendance_rows(bulk: Bulk, book: Any, clocked: timesheets.Clocked) -> Iterator[tuple]:
    manager, technician = book.users["manager"], book.users["technician"]
    first = book.first["staff"]
    reasons = np.array([None, timesheets.CORRECTED], dtype=object)
    for a in range(0, len(clocked.person), 50_000):
        sl = slice(a, a + 50_000)
        person, out, corrected = clocked.person[sl], clocked.clock_out[sl], clocked.corrected[sl]
        by = np.where(person == 0, technician, -1)
        changed = np.where(corrected, out + DAY + 3 * 3600, np.where(out >= 0, out, clocked.clock_in[sl]))
        ins = bulk.stamps(clocked.clock_in[sl])
        yield from zip(
            (first + person).tolist(), ins, bulk.stamps(out), reasons[corrected.astype(np.int64)].tolist(), ins,
            bulk.stamps(changed), nulls(by), nulls(np.where(corrected, manager, by)),
            np.where(corrected, 3, np.where(out >= 0, 2, 1)).tolist(), strict=True,
        )  # fmt: skip


def write(bulk: Bulk, book: Any, seed_value: int, timer: Callable[[str], None]) -> dict[str, int]:
    """Everything about the staff besides their rows and the technicians' shifts (written with the crew)."""
    rng = np.random.default_rng([seed_value, 5])
    crew, team = book.crew, book.workforce
    bulk.insert("shifts", staff.SHIFT_COLUMNS, office_shifts(bulk, book))
    bulk.insert("qualifications", QUALIFICATION_COLUMNS, qualifications(rng, bulk, book))
    bulk.insert("trainings", TRAINING_COLUMNS, trainings(rng, bulk, book))
    bulk.insert("leave_requests", LEAVE_COLUMNS, leave_rows(bulk, book))
    timer("write staff records")
    done = np.flatnonzero(book.history.started >= 0)
    jobs = (book.bookings.technician[done], book.day[done], book.history.started[done], book.history.completed[done])
    roster = np.vstack([crew.roster, team.office.roster])
    now = int(utcnow().timestamp())
    clocked = timesheets.plan(rng, book.span, roster, jobs, {0, LEAVER, ABSENT}, now)
    timer("plan attendance")
    bulk.insert("attendance", ATTENDANCE_COLUMNS, attendance_rows(bulk, book, clocked))
    timer("write attendance")
    tables = ("shifts", "qualifications", "trainings", "leave_requests", "attendance")
    return {table: bulk.written.get(table, 0) for table in tables}
