"""The admin's health page: the database, the backups, the last errors, who is signed in and how fresh
the analytics snapshot is (see core/health.py for what each figure means)."""

from __future__ import annotations

from core import health
from core.actor import Actor
from core.permissions import service


@service("health", "view")
def system_health(*, actor: Actor) -> health.Health:
    """Every figure of the health page, read now; a section that cannot be read says why."""
    return health.check()
