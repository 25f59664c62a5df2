"""The permission matrix, readable by administrators."""

from __future__ import annotations

from core.actor import Actor
from core.permissions import matrix_rows, service


@service("permissions", "view")
def permission_matrix(*, actor: Actor) -> list[dict[str, object]]:
    return matrix_rows()
