"""Reference lists every page may need (the service areas), readable by every role."""

from __future__ import annotations

from core import db
from core.actor import Actor
from core.entities import refs
from core.permissions import service


@service("reference", "view")
def service_areas(*, actor: Actor) -> list[refs.RefOption]:
    with db.reading() as session:
        return refs.options(session, "service_areas")
