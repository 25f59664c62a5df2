"""The store stamps and audits itself: every flush of a business table writes audit rows.

Services never call this; installing the listeners once (at import of
`core.services`) is enough for every create, update and delete to be recorded
with who, when and the fields before and after.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from core.actor import Actor
from core.audit import audit_row
from core.clock import utcnow
from core.masking import mask
from core.models import AuditEntry, Stamped

STAMPS = {"created_at", "updated_at", "created_by_id", "updated_by_id", "version"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(model: type, column: str, value: Any) -> Any:
    """What the trail may keep of a value: secrets never, contact details masked."""
    if value is None:
        return None
    if column in getattr(model, "__audit_hidden__", ()):
        return "***"
    if column in getattr(model, "__audit_masked__", ()):
        return mask(str(value))
    return _plain(value)


def _collections(obj: Any) -> dict[str, tuple[str, str]]:
    """Related rows recorded as one list-valued field: relationship -> (field name, item attribute)."""
    return getattr(type(obj), "__audit_collections__", {})


def _tracked(obj: Any) -> list[str]:
    """The columns whose changes the trail records: not the stamps, not the primary key."""
    mapper = inspect(obj).mapper
    keys = {column.key for column in mapper.primary_key}
    keys |= {column for column, _kind in getattr(type(obj), "__blind_index__", {}).values()}  # follow their contact
    return [column.key for column in mapper.column_attrs if column.key not in STAMPS and column.key not in keys]


def _values(obj: Any) -> dict[str, Any]:
    return {key: getattr(obj, key) for key in _tracked(obj)}


def _collection_values(items: Any, field: str) -> list[Any]:
    return sorted(getattr(item, field) for item in items)


def _changes(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    model = type(obj)
    changes: dict[str, list[Any]] = {}
    for key in _tracked(obj):
        history = state.attrs[key].history
        if history.added or history.deleted:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[key] = [_shown(model, key, before), _shown(model, key, after)]
    for relation, (name, field) in _collections(obj).items():
        history = state.attrs[relation].history
        if history.added or history.deleted:
            now = _collection_values(state.attrs[relation].value, field)
            before = _collection_values([*history.unchanged, *history.deleted], field)
            if before != now:
                changes[name] = [before, now]
    return changes


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    actor = session.info.get("actor")
    actor_id = actor.user_id if isinstance(actor, Actor) else None
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Stamped):
            obj.created_at = obj.updated_at = now
            obj.created_by_id = obj.updated_by_id = actor_id
    for obj in session.dirty:
        if isinstance(obj, Stamped) and session.is_modified(obj, include_collections=True):
            obj.updated_at = now
            obj.updated_by_id = actor_id


@event.listens_for(Session, "after_flush")
def _audit(session: Session, _flush: UOWTransaction) -> None:
    actor = session.info.get("actor")
    actor = actor if isinstance(actor, Actor) else None
    rows = []
    for obj in session.new:
        if isinstance(obj, Stamped):
            values = created(type(obj), _values(obj))
            for relation, (name, field) in _collections(obj).items():
                values[name] = [[], _collection_values(getattr(obj, relation), field)]
            rows.append(_row(actor, "create", obj, values))
    for obj in session.dirty:
        if isinstance(obj, Stamped):
            changes = _changes(obj)
            if changes:
                rows.append(_row(actor, "update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Stamped):
            model = type(obj)
            values = {
                key: [_shown(model, key, value), None] for key, value in _values(obj).items() if value is not None
            }
            rows.append(_row(actor, "delete", obj, values))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def created(model: type, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The trail of a new record: each field it was created with, as [None, value]."""
    return {key: [None, _shown(model, key, value)] for key, value in values.items() if value is not None}


def record_bulk_creation(session: Session, model: type, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Audit records inserted in bulk (without the ORM, so the listener above did not see them)."""
    actor = session.info.get("actor")
    actor = actor if isinstance(actor, Actor) else None
    table = model.__tablename__  # type: ignore[attr-defined]
    entries = [
        audit_row(
            actor,
            "create",
            entity=table,
            entity_id=record_id,
            changes=created(model, {k: v for k, v in values.items() if k not in STAMPS}),
        )
        for record_id, values in rows
    ]
    if entries:
        session.execute(insert(AuditEntry), entries)


def _row(actor: Actor | None, action: str, obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    entity_id = key[0] if len(key) == 1 else "/".join(str(part) for part in key)
    return audit_row(actor, action, entity=type(obj).__tablename__, entity_id=entity_id, changes=changes)
