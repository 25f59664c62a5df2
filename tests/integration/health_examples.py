"""The health page's part of the service permission examples: its one service takes no arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HEALTH_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.health.system_health": lambda c: {},
}
