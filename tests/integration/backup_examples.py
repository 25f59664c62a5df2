"""The backup part of the service permission examples: one valid call per service (back_up_now takes
a real backup of the test's store into the test settings' data directory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BACKUP_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.backups.backup_status": lambda c: {},
    "core.services.backups.back_up_now": lambda c: {},
}
