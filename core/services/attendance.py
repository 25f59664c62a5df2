"""Attendance: a person clocks in and out from their phone (the server takes the time), a manager
corrects an entry with a reason (the audit trail keeps the before and after), open entries of a
past day are listed as missing clock-outs and never closed by themselves, and a monthly report
per person adds up days, hours, overtime, late starts and absences (rules in core.attendance)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import attendance as rules
from core import db, formatting
from core.actor import Actor
from core.clock import at, local, today, utcnow, zone
from core.config import get_settings
from core.entities import records
from core.entities.csv_io import safe_cell
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.models import Attendance, LeaveRequest, Shift, Staff
from core.permissions import service


def _me(session: Session, actor: Actor, *, lock: bool = False) -> Staff | None:
    """The staff record linked to the actor's login; locked for a clock-in or out, so that two
    taps at once wait for each other (SQLite's write transaction already does)."""
    if actor.user_id is None:
        return None
    statement = select(Staff).where(Staff.user_id == actor.user_id)
    if lock:  # read again under the lock (see core.stock.load_item)
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.execute(statement).scalar_one_or_none()


def _linked(session: Session, actor: Actor) -> Staff:
    me = _me(session, actor, lock=True)
    if me is None:
        raise OpsdeskError(msg("Your login is not linked to a staff record; ask a manager."))
    return me


def _open_entry(session: Session, staff_id: int) -> Attendance | None:
    statement = (
        select(Attendance)
        .where(Attendance.staff_id == staff_id, Attendance.clock_out.is_(None))
        .order_by(Attendance.clock_in.desc())
    )
    return session.execute(statement).scalars().first()


def _entry(row: Attendance) -> rules.Entry:
    return rules.Entry(row.clock_in, row.clock_out)


def _stale_refusal(entry: Attendance) -> OpsdeskError:
    return OpsdeskError(
        msg(
            "You are clocked in since {since} with no clock-out; ask a manager to correct it.",
            since=formatting.moment(entry.clock_in),
        )
    )


def _row(entry: Attendance, name: str = "") -> dict[str, Any]:
    return {
        "id": entry.id,
        "staff_id": entry.staff_id,
        "staff_name": name,
        "clock_in": entry.clock_in,
        "clock_out": entry.clock_out,
        "day": local(entry.clock_in).date(),
        "hours": rules.rounded(rules.hours_of(_entry(entry))),
        "correction_reason": entry.correction_reason,
        "version": entry.version,
    }


@service("timeclock", "create")
def clock_in(*, actor: Actor) -> dict[str, Any]:
    """Open an entry now, for the actor's own staff record."""
    with db.writing(actor) as session:
        me = _linked(session, actor)
        now = utcnow()
        current = _open_entry(session, me.id)
        if current is not None:
            if rules.is_stale(_entry(current), now):
                raise _stale_refusal(current)
            raise OpsdeskError(
                msg("You are already clocked in since {since}.", since=formatting.moment(current.clock_in))
            )
        entry = Attendance(staff_id=me.id, clock_in=now)
        session.add(entry)
        session.flush()
        row = _row(entry, me.name)
        session.commit()
    return row


@service("timeclock", "create")
def clock_out(*, actor: Actor) -> dict[str, Any]:
    """Close the actor's open entry now; one left open past any shift's length is for a manager."""
    with db.writing(actor) as session:
        me = _linked(session, actor)
        now = utcnow()
        current = _open_entry(session, me.id)
        if current is None:
            raise OpsdeskError(msg("You are not clocked in."))
        if rules.is_stale(_entry(current), now):
            raise _stale_refusal(current)
        if now <= current.clock_in:
            raise OpsdeskError(
                msg("A clock-out must come after the clock-in ({since}).", since=formatting.moment(current.clock_in))
            )
        current.clock_out = now
        records.save(session, current)
        row = _row(current, me.name)
        session.commit()
    return row


@service("timeclock", "view")
def my_attendance(*, actor: Actor) -> dict[str, Any] | None:
    """The actor's clock: the open entry, if any, and the hours of today's entries (the open one
    up to now). None when the login has no staff record."""
    now = utcnow()
    with db.reading() as session:
        me = _me(session, actor)
        if me is None:
            return None
        current = _open_entry(session, me.id)
        since_midnight = at(today(), time.min)
        todays = session.execute(
            select(Attendance).where(Attendance.staff_id == me.id, Attendance.clock_in >= since_midnight)
        ).scalars()
        hours = sum((rules.hours_of(_entry(e), now) for e in todays), Decimal(0))
        return {
            "staff_id": me.id,
            "name": me.name,
            "open": None if current is None else _row(current, me.name),
            "stale": current is not None and rules.is_stale(_entry(current), now),
            "hours_today": rules.rounded(hours),
        }


def _overlap(session: Session, entry: Attendance, clock_in: datetime, clock_out: datetime | None) -> Message | None:
    others = session.execute(
        select(Attendance).where(Attendance.staff_id == entry.staff_id, Attendance.id != entry.id)
    ).scalars()
    for other in others:
        starts_before_end = clock_out is None or other.clock_in < clock_out
        ends_after_start = other.clock_out is None or other.clock_out > clock_in
        if starts_before_end and ends_after_start:
            ends = "…" if other.clock_out is None else formatting.moment(other.clock_out)
            return msg(
                "This overlaps another entry of the same person, {begins} – {ends}.",
                begins=formatting.moment(other.clock_in),
                ends=ends,
            )
    return None


def _time_errors(clock_in: datetime | None, clock_out: datetime | None, now: datetime) -> dict[str, Message]:
    errors: dict[str, Message] = {}
    if clock_in is None:
        errors["clock_in"] = msg("This field is required.")
        return errors
    if clock_in > now:
        errors["clock_in"] = msg("A clock-in cannot be in the future.")
    if clock_out is None:
        if now - clock_in > rules.MAX_ENTRY:
            errors["clock_out"] = msg("Give the clock-out: an entry lasts at most {hours} hours.", hours=16)
    elif clock_out <= clock_in:
        errors["clock_out"] = msg("The clock-out must come after the clock-in.")
    elif clock_out > now:
        errors["clock_out"] = msg("A clock-out cannot be in the future.")
    elif clock_out - clock_in > rules.MAX_ENTRY:
        errors["clock_out"] = msg("An entry lasts at most {hours} hours.", hours=16)
    return errors


@service("attendance", "edit")
def correct_entry(
    *,
    actor: Actor,
    entry_id: int,
    clock_in: datetime | None,
    clock_out: datetime | None,
    reason: str,
    expected_version: int,
) -> dict[str, Any]:
    """Set an entry's times (clock_out None leaves it open) with the reason, kept on the entry;
    the audit trail records the times before and after."""
    reason = (reason or "").strip()
    errors = _time_errors(clock_in, clock_out, utcnow())
    if not reason:
        errors["reason"] = msg("Say why the entry is corrected.")
    elif len(reason) > 500:
        errors["reason"] = msg("At most {limit} characters; this has {length}.", limit=500, length=len(reason))
    with db.writing(actor) as session:
        entry = session.get(Attendance, entry_id)
        if entry is None:
            raise NotFound(msg("That attendance entry does not exist."))
        person = session.execute(select(Staff).where(Staff.id == entry.staff_id).with_for_update()).scalar_one()
        records.check_version(session, entry, expected_version)
        if "clock_in" not in errors and "clock_out" not in errors:
            assert clock_in is not None
            if (entry.clock_in, entry.clock_out) == (clock_in, clock_out):
                errors["clock_in"] = msg("These are the entry's times already; change the clock-in or the clock-out.")
            elif (clash := _overlap(session, entry, clock_in, clock_out)) is not None:
                errors["clock_in"] = clash
        if errors:
            raise ValidationFailed(errors)
        entry.clock_in, entry.clock_out, entry.correction_reason = clock_in, clock_out, reason
        records.save(session, entry)
        row = _row(entry, person.name)
        session.commit()
    return row


@service("attendance", "view")
def missing_clock_outs(*, actor: Actor) -> list[dict[str, Any]]:
    """Open entries that started before today: flagged for a manager, still open."""
    with db.reading() as session:
        names = {staff_id: name for staff_id, name in session.execute(select(Staff.id, Staff.name))}
        entries = session.execute(
            select(Attendance)
            .where(Attendance.clock_out.is_(None), Attendance.clock_in < at(today(), time.min))
            .order_by(Attendance.clock_in)
        ).scalars()
        return [_row(entry, names.get(entry.staff_id, "")) for entry in entries]


def _month(year: int, month: int) -> tuple[datetime, datetime]:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValidationFailed({"month": msg("Choose a month.")})
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return at(date(year, month, 1), time.min), at(following, time.min)


@service("attendance", "view")
def list_entries(*, actor: Actor, year: int, month: int, staff_id: int | None = None) -> list[dict[str, Any]]:
    """The entries that started in the month, newest first."""
    begin, end = _month(year, month)
    statement = select(Attendance).where(Attendance.clock_in >= begin, Attendance.clock_in < end)
    if staff_id is not None:
        statement = statement.where(Attendance.staff_id == staff_id)
    with db.reading() as session:
        names = {staff_id: name for staff_id, name in session.execute(select(Staff.id, Staff.name))}
        entries = session.execute(statement.order_by(Attendance.clock_in.desc())).scalars()
        return [_row(entry, names.get(entry.staff_id, "")) for entry in entries]


def _report(year: int, month: int, staff_id: int | None) -> list[dict[str, Any]]:
    begin, end = _month(year, month)
    first, last = local(begin).date(), local(end).date()
    settings = get_settings()
    with db.reading() as session:
        entries = select(Attendance).where(Attendance.clock_in >= begin, Attendance.clock_in < end)
        shifts = select(Shift).where(Shift.starts_at >= begin, Shift.starts_at < end)
        leaves = select(LeaveRequest).where(
            LeaveRequest.status == "approved", LeaveRequest.starts_on < last, LeaveRequest.ends_on >= first
        )
        people = select(Staff).order_by(Staff.employee_no)
        if staff_id is not None:
            entries, shifts = entries.where(Attendance.staff_id == staff_id), shifts.where(Shift.staff_id == staff_id)
            leaves, people = leaves.where(LeaveRequest.staff_id == staff_id), people.where(Staff.id == staff_id)
        by_person: dict[int, tuple[list[Any], list[Any], list[Any]]] = {}
        for row in session.execute(entries).scalars():
            by_person.setdefault(row.staff_id, ([], [], []))[0].append(_entry(row))
        for row in session.execute(shifts).scalars():
            by_person.setdefault(row.staff_id, ([], [], []))[1].append(rules.Rostered(row.starts_at, row.ends_at))
        for row in session.execute(leaves).scalars():
            by_person.setdefault(row.staff_id, ([], [], []))[2].append(rules.Leave(row.starts_on, row.ends_on))
        staff = [p for p in session.execute(people).scalars() if p.status != "left" or p.id in by_person]
    now = utcnow()
    rows = []
    for person in staff:
        worked, rostered, away = by_person.get(person.id, ([], [], []))
        figures = rules.month_figures(
            worked,
            rostered,
            away,
            zone=zone(),
            now=now,
            daily_hours=settings.daily_hours,
            late_minutes=settings.late_minutes,
        )
        rows.append(
            {
                "staff_id": person.id,
                "employee_no": person.employee_no,
                "name": person.name,
                "days": figures.days,
                "hours": figures.hours,
                "overtime": figures.overtime,
                "late_starts": figures.late_starts,
                "absences": figures.absences,
                "missing_clock_outs": figures.missing_clock_outs,
            }
        )
    return rows


@service("attendance", "view")
def monthly_report(*, actor: Actor, year: int, month: int, staff_id: int | None = None) -> list[dict[str, Any]]:
    """Per person (everyone still working here, and whoever left but has rows in the month)."""
    return _report(year, month, staff_id)


REPORT_HEADERS = {
    "en": ["employee no", "name", "days", "hours", "overtime", "late starts", "absences", "missing clock-outs"],
    "zh": ["工号", "姓名", "出勤天数", "工时", "加班", "迟到", "缺勤", "漏打卡"],
}


@service("attendance", "view")
def monthly_report_csv(
    *, actor: Actor, year: int, month: int, staff_id: int | None = None, language: str = "en"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADERS.get(language, REPORT_HEADERS["en"]))
    for row in _report(year, month, staff_id):
        writer.writerow(
            [
                safe_cell(row["employee_no"]),
                safe_cell(row["name"]),
                row["days"],
                f"{row['hours']:.2f}",
                f"{row['overtime']:.2f}",
                row["late_starts"],
                row["absences"],
                row["missing_clock_outs"],
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
