"""The segments part of the service permission examples: one valid call per service. Each call
first gives the seeded customer an order placed 400 days ago, so there is history to score (and
to backtest over 180 days)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core.clock import today
from tests.integration.test_kpis import order


def _ordered(c: Any, **kwargs: Any) -> dict[str, Any]:
    day = today() - timedelta(days=400)
    order(c.customer["id"], c.area_id, day, day, "paid", "100")
    return kwargs


SEGMENT_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.segments.overview": lambda c: _ordered(c, period_days=90),
    "core.services.segments.customers": lambda c: _ordered(c, segment="lost"),
    "core.services.segments.churn": lambda c: _ordered(c),
    "core.services.segments.backtest": lambda c: _ordered(c, horizon_days=180),
    "core.services.segments.segment_customer_ids": lambda c: _ordered(c, segment="lost"),
    "core.services.segments.campaign_rows": lambda c: _ordered(c, segment="lost"),
}
