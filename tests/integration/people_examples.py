"""The certificate and training part of the service permission examples: one valid call per service,
on the Seeded technician's staff record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

from core.actor import SYSTEM
from core.clock import today
from core.services import people
from tests.factories import record_version
from tests.integration.order_support import tomorrow


def certificate_values(**changes: Any) -> dict[str, Any]:
    return {
        "name": "高处作业证",
        "skill": "window",
        "obtained_on": today() - timedelta(days=300),
        "expires_on": today() + timedelta(days=400),
        **changes,
    }


def training_values(**changes: Any) -> dict[str, Any]:
    return {
        "course": "地毯清洗进阶",
        "taken_on": today() - timedelta(days=10),
        "result": "passed",
        "notes": None,
        **changes,
    }


def _certificate_id(c: Any) -> int:
    return people.add_qualification(actor=SYSTEM, staff_id=c.technician["id"], values=certificate_values())["id"]


def _staff_values(c: Any) -> dict[str, Any]:
    return {
        "name": "王五",
        "public_name": "王师傅",
        "phone": "139 0000 0011",
        "position": "technician",
        "status": "active",
        "user_id": None,
        "areas": [c.area_id],
        "skills": ["carpet", "window"],
    }


def _staff_csv(c: Any) -> bytes:
    header = "name,public_name,phone,position,status,areas,skills\n"
    return f"{header}王五,王师傅,13900000011,technician,active,{c.area_id},carpet\n".encode()


# Service name -> the keyword arguments (all but actor) of a call that is valid when allowed.
PEOPLE_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    # --- Staff records (entity services) and shifts ---
    "core.services.staff.search": lambda c: {"query": "刘"},
    "core.services.staff.get": lambda c: {"record_id": c.technician["id"]},
    "core.services.staff.options": lambda c: {},
    "core.services.staff.duplicates": lambda c: {"values": {"phone": "13900000011"}},
    "core.services.staff.create": lambda c: {"values": _staff_values(c)},
    "core.services.staff.update": lambda c: {
        "record_id": c.technician["id"],
        "values": {**c.technician, "name": "刘强强"},
        "expected_version": c.technician["version"],
    },
    "core.services.staff.archive": lambda c: record_version(c.technician),
    "core.services.staff.restore": lambda c: record_version(c.technician),
    "core.services.staff.history": lambda c: {"record_id": c.technician["id"]},
    "core.services.staff.export_csv": lambda c: {"query": ""},
    "core.services.staff.check_import": lambda c: {"data": _staff_csv(c)},
    "core.services.staff.run_import": lambda c: {"data": _staff_csv(c)},
    "core.services.staff.add_shift": lambda c: {
        "staff_id": c.technician["id"],
        "day": tomorrow() + timedelta(days=3),
        "start": time(8),
        "end": time(17),
    },
    "core.services.staff.remove_shift": lambda c: {"shift_id": c.shift_id()},
    "core.services.staff.shifts_between": lambda c: {"date_from": today(), "date_to": tomorrow()},
    "core.services.people.qualifications_of": lambda c: {"staff_id": c.technician["id"]},
    "core.services.people.add_qualification": lambda c: {
        "staff_id": c.technician["id"],
        "values": certificate_values(),
    },
    "core.services.people.remove_qualification": lambda c: {"qualification_id": _certificate_id(c)},
    "core.services.people.trainings_of": lambda c: {"staff_id": c.technician["id"]},
    "core.services.people.add_training": lambda c: {"staff_id": c.technician["id"], "values": training_values()},
    "core.services.people.certificate_alerts": lambda c: {},
}
