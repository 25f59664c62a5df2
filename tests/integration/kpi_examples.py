"""The KPI part of the service permission examples: one valid call per service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KPI_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.kpis.overview": lambda c: {},
    "core.services.kpis.set_target": lambda c: {"kpi": "revenue", "target": "100000"},
}
