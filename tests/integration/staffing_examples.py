"""The staffing needs part of the service permission examples: one valid call per service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

from core.clock import today

FAR = today() + timedelta(days=45)  # clear of every other example's shifts and leave


STAFFING_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.staffing_needs.staffing_needs": lambda c: {"week_of": None, "area_id": None},
    "core.services.staffing_needs.suggested_roster": lambda c: {"week_of": None},
    "core.services.staffing_needs.accept_suggested_shift": lambda c: {
        "staff_id": c.technician["id"],
        "day": FAR,
        "start": time(9),
        "end": time(17),
        "area_id": c.area_id,
        "note": "suggested",
    },
}
