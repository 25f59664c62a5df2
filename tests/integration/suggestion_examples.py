"""The purchase suggestion part of the service permission examples: one valid call per service.
Each seeds a finished forecast run in which the example item (50 on hand, a supplier with a week's
lead time) is forecast to use 40 a week, so its reorder point (40 + 1.645 x 10) asks for an order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.suggestion_support import steady_run


def _forecast_run(c: Any) -> int:
    return steady_run(c.item["id"], per_week=40.0, sigma=10.0)


def _suggestions(c: Any) -> dict[str, Any]:
    _forecast_run(c)
    return {"service_level": "0.9"}


def _drafts(c: Any) -> dict[str, Any]:
    _forecast_run(c)
    return {"item_ids": [c.item["id"]]}


SUGGESTION_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.suggestions.purchase_suggestions": _suggestions,
    "core.services.suggestions.draft_suggested_orders": _drafts,
}
