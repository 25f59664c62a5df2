"""The rosters and leave part of the service permission examples: one valid call per service.
Leave one asks for or cancels is the acting user's own (Seeded.technician is linked to them);
leave a manager decides is someone else's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core.actor import SYSTEM
from core.clock import today
from core.db import writing
from core.models import LeaveRequest
from core.services import staff as staff_services

FAR = today() + timedelta(days=60)  # clear of every example's shifts


def pending_leave_of(staff_id: int) -> int:
    """A pending request, written directly: asking for it is itself a call under test."""
    with writing(SYSTEM) as session:
        leave = LeaveRequest(staff_id=staff_id, kind="annual", starts_on=FAR, ends_on=FAR, status="pending")
        session.add(leave)
        session.commit()
        return leave.id


def someone_else(c: Any) -> int:
    return staff_services.staff.create(
        actor=SYSTEM,
        values={
            "name": "陈七",
            "public_name": "陈师傅",
            "phone": None,
            "position": "technician",
            "status": "active",
            "user_id": None,
            "areas": [c.area_id],
            "skills": [],
        },
    )["id"]


def _my_own(c: Any) -> dict[str, Any]:
    c.technician  # noqa: B018  (the caller's own staff record)
    return {}


ROSTER_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.staff.roster_week": lambda c: {"day": today(), "team": None},
    "core.services.leave.my_leave": _my_own,
    "core.services.leave.request_leave": lambda c: {
        **_my_own(c),
        "kind": "annual",
        "starts_on": FAR,
        "ends_on": FAR + timedelta(days=1),
    },
    "core.services.leave.cancel_leave": lambda c: {"leave_id": pending_leave_of(c.technician["id"])},
    "core.services.leave.decide_leave": lambda c: {
        "leave_id": pending_leave_of(someone_else(c)),
        "approve": True,
        "note": "好",
    },
    "core.services.leave.pending_leave": lambda c: {},
    "core.services.leave.leave_between": lambda c: {"date_from": today(), "date_to": FAR},
}
