"""The performance review part of the service permission examples: one valid call per service,
on the acting user's own technician record and last month."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.actor import SYSTEM
from core.clock import today
from core.reviews import last_month
from core.services import reviews


def _period() -> dict[str, Any]:
    period_from, period_to = last_month(today())
    return {"period_from": period_from, "period_to": period_to}


def _draft(c: Any) -> dict[str, Any]:
    return reviews.draft_review(actor=SYSTEM, staff_id=c.technician["id"], **_period())


def _draft_version(c: Any) -> dict[str, Any]:
    draft = _draft(c)
    return {"review_id": draft["id"], "expected_version": draft["version"], "comments": "Steady work."}


REVIEW_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.reviews.period_figures": lambda c: _period(),
    "core.services.reviews.draft_review": lambda c: {"staff_id": c.technician["id"], **_period()},
    "core.services.reviews.save_comments": _draft_version,
    "core.services.reviews.finalise_review": _draft_version,
    "core.services.reviews.get_review": lambda c: {"review_id": _draft(c)["id"]},
    "core.services.reviews.reviews_of": lambda c: {"staff_id": c.technician["id"]},
}
