"""Browsing the audit trail. There is deliberately no service that edits or deletes it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from core import db
from core.actor import Actor
from core.audit import record_event
from core.entities.csv_io import safe_cell
from core.entities.records import Page
from core.models import AuditEntry
from core.permissions import service
from core.text import without_control_characters


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(where: AuditFilter) -> Select[Any]:
    where = replace(
        where,
        **{name: without_control_characters(getattr(where, name)) for name in ("who", "action", "entity", "entity_id")},
    )
    statement = select(AuditEntry)
    if where.who:
        statement = statement.where(
            func.lower(AuditEntry.actor_name).contains(where.who.strip().lower(), autoescape=True)
        )
    if where.action:
        statement = statement.where(AuditEntry.action == where.action)
    if where.entity:
        statement = statement.where(AuditEntry.entity == where.entity)
    if where.entity_id:
        statement = statement.where(AuditEntry.entity_id == where.entity_id.strip())
    if where.since:
        statement = statement.where(AuditEntry.at >= where.since)
    if where.until:
        statement = statement.where(AuditEntry.at < where.until)
    return statement


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at,
        "who": entry.actor_name,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "changes": entry.changes,
        "detail": entry.detail,
    }


@service("audit", "view")
def search_audit(*, actor: Actor, where: AuditFilter, page: int = 1, page_size: int = 50) -> Page:
    statement = _filtered(where)
    with db.reading() as session:
        total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        entries = session.execute(
            statement.order_by(AuditEntry.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).scalars()
        return Page(rows=[_row(e) for e in entries], total=total, page=page, page_size=page_size)


@service("audit", "view")
def audit_choices(*, actor: Actor) -> dict[str, list[str]]:
    """The actions and entities that occur in the trail, for the filter boxes."""
    with db.reading() as session:
        actions = session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars().all()
        entities = (
            session.execute(
                select(AuditEntry.entity).where(AuditEntry.entity.is_not(None)).distinct().order_by(AuditEntry.entity)
            )
            .scalars()
            .all()
        )
    return {"actions": list(actions), "entities": [e for e in entities if e]}


@service("audit", "view")
def export_audit(*, actor: Actor, where: AuditFilter) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "at_utc", "who", "action", "entity", "entity_id", "changes", "detail"])
    with db.reading() as session:
        for entry in session.execute(_filtered(where).order_by(AuditEntry.id)).scalars():
            changes = json.dumps(entry.changes, ensure_ascii=False) if entry.changes else ""
            cells = [
                entry.actor_name,
                entry.action,
                entry.entity or "",
                entry.entity_id or "",
                changes,
                entry.detail or "",
            ]
            writer.writerow([entry.id, entry.at.isoformat(), *(safe_cell(cell) for cell in cells)])
    record_event(actor, "export", entity="audit_log")
    return buffer.getvalue().encode("utf-8-sig")
