"""The attendance part of the service permission examples: one valid call per service. The
technician record (`c.technician`) is the acting user's own, so the timeclock calls have it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core.actor import SYSTEM
from core.clock import today, utcnow
from core.db import writing
from core.models import Attendance


def _entry(c: Any, hours_ago: float, open_entry: bool = False) -> dict[str, Any]:
    """An entry of the caller's technician record that began `hours_ago`, closed an hour later unless open."""
    began = utcnow() - timedelta(hours=hours_ago)
    with writing(SYSTEM) as session:
        entry = Attendance(
            staff_id=c.technician["id"], clock_in=began, clock_out=None if open_entry else began + timedelta(hours=1)
        )
        session.add(entry)
        session.commit()
        return {"id": entry.id, "clock_in": entry.clock_in, "version": entry.version}


def _own_record(c: Any) -> dict[str, Any]:
    c.technician  # noqa: B018  (the caller's own staff record)
    return {}


def _clock_out(c: Any) -> dict[str, Any]:
    _entry(c, 2, open_entry=True)
    return {}


def _correction(c: Any) -> dict[str, Any]:
    entry = _entry(c, 30)
    return {
        "entry_id": entry["id"],
        "clock_in": entry["clock_in"] - timedelta(minutes=30),
        "clock_out": entry["clock_in"] + timedelta(hours=1),
        "reason": "忘记打卡",
        "expected_version": entry["version"],
    }


def _this_month(c: Any) -> dict[str, Any]:
    return {"year": today().year, "month": today().month}


ATTENDANCE_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.attendance.clock_in": _own_record,
    "core.services.attendance.clock_out": _clock_out,
    "core.services.attendance.my_attendance": _own_record,
    "core.services.attendance.correct_entry": _correction,
    "core.services.attendance.missing_clock_outs": lambda c: {},
    "core.services.attendance.list_entries": _this_month,
    "core.services.attendance.monthly_report": _this_month,
    "core.services.attendance.monthly_report_csv": lambda c: {**_this_month(c), "language": "zh"},
}
