"""The data download part of the service permission examples: one valid call per service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.analytics.datasets import Query

DATASET_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.datasets.filter_choices": lambda c: {"dataset": "orders"},
    "core.services.datasets.preview": lambda c: {"query": Query("customers", ("code", "phone"))},
    "core.services.datasets.export": lambda c: {"query": Query("orders", ("number", "total")), "kind": "csv"},
}
