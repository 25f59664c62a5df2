"""The follow-up part of the service permission examples: one valid call per service, on the
seeded customer (a follow-up to close is made fresh for each call)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core.actor import SYSTEM
from core.clock import today
from core.services import follow_ups


def _open(c: Any) -> dict[str, Any]:
    row = follow_ups.add_follow_up(
        actor=SYSTEM, customer_id=c.customer["id"], due_on=today(), note="Ask about the sofa."
    )
    return {"follow_up_id": row["id"], "expected_version": row["version"], "outcome": "Booked a visit."}


FOLLOW_UP_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.follow_ups.add_follow_up": lambda c: {
        "customer_id": c.customer["id"],
        "due_on": today() + timedelta(days=1),
        "note": "Call back about the quote.",
    },
    "core.services.follow_ups.add_follow_ups": lambda c: {
        "customer_ids": [c.customer["id"]],
        "due_on": today() + timedelta(days=3),
        "note": "Offer the spring clean.",
        "origin": "segment:at_risk",
    },
    "core.services.follow_ups.due_follow_ups": lambda c: {},
    "core.services.follow_ups.customer_follow_ups": lambda c: {"customer_id": c.customer["id"]},
    "core.services.follow_ups.assignees": lambda c: {},
    "core.services.follow_ups.close_follow_up": _open,
}
