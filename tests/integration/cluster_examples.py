"""The customer-cluster part of the service permission examples: one valid call per service.

Clusters need customers with orders, so each example first writes the hand-made history of
tests/integration/cluster_support.py (once per Seeded context) and asks for its day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tests.integration.cluster_support import AS_OF, groups


def _history(context: Any) -> date:
    if not getattr(context, "cluster_history", None):
        context.cluster_history = groups()
    return AS_OF


CLUSTER_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.clusters.clusters": lambda c: {"as_of": _history(c)},
    "core.services.clusters.cluster_customer_ids": lambda c: {"cluster": 1, "as_of": _history(c)},
    "core.services.clusters.cluster_customers": lambda c: {"cluster": 2, "as_of": _history(c), "per_page": 5},
}
