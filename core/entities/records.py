"""Generic list, search, read, create and update for any declared entity.

This is the engine behind the entity services; it takes an open session and
checks no permission itself (the services in `core.services` do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import formatting
from core.audit_trail import record_bulk_creation
from core.clock import utcnow
from core.crypto import blind_index, index_values
from core.entities import refs
from core.entities.csv_io import RowProblem
from core.entities.spec import Entity
from core.errors import ConcurrentEdit, NotFound
from core.i18n import msg
from core.models import User
from core.numbering import format_number, reserve
from core.text import without_control_characters


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def ref_tables(session: Session, entity: Entity) -> dict[str, dict[str, int]]:
    return {f.ref: refs.lookup_table(refs.options(session, f.ref)) for f in entity.fields if f.ref}


def _search_condition(entity: Entity, query: str) -> ColumnElement[bool] | None:
    query = without_control_characters(query).strip()
    if not query:
        return None
    model = entity.model
    lowered = query.lower()
    # Only a query that looks like a phone number is matched against phones by its digits:
    # "E2E c9b7" must not find every phone containing 297.
    digits = re.sub(r"\D", "", query) if re.fullmatch(r"[\d\s\-+().]+", query) else ""
    conditions = []
    blind: dict[str, tuple[str, str]] = getattr(model, "__blind_index__", {})
    for field in entity.search_fields:
        column = getattr(model, field.name)
        if field.name in blind:  # encrypted: only a whole phone or email is found, by its keyed hash
            hashed, kind = blind[field.name]
            if (len(digits) >= 3) if kind == "phone" else ("@" in query):
                conditions.append(getattr(model, hashed) == blind_index(kind, query))
        elif field.kind == "phone":
            if len(digits) >= 3:
                conditions.append(func.replace(column, "-", "").contains(digits, autoescape=True))
        else:
            conditions.append(func.lower(column).contains(lowered, autoescape=True))
    return or_(*conditions) if conditions else None


def _order(entity: Entity, statement: Select[Any]) -> Select[Any]:
    for key in entity.default_sort:
        column = getattr(entity.model, key.lstrip("-"))
        statement = statement.order_by(column.desc() if key.startswith("-") else column)
    return statement


def filtered(entity: Entity, query: str = "", include_archived: bool = False) -> Select[Any]:
    statement = select(entity.model)
    if entity.archivable and not include_archived:
        statement = statement.where(entity.model.archived_at.is_(None))  # type: ignore[attr-defined]
    condition = _search_condition(entity, query)
    if condition is not None:
        statement = statement.where(condition)
    return statement


def search(
    session: Session,
    entity: Entity,
    *,
    query: str = "",
    page: int = 1,
    page_size: int = 25,
    include_archived: bool = False,
) -> Page:
    statement = filtered(entity, query, include_archived)
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    found = session.execute(_order(entity, statement).offset((page - 1) * page_size).limit(page_size)).scalars()
    return Page(rows=[as_row(entity, obj) for obj in found], total=total, page=page, page_size=page_size)


def as_row(entity: Entity, obj: Any) -> dict[str, Any]:
    row = {f.name: getattr(obj, f.name) for f in entity.fields}
    row["id"] = obj.id
    row["version"] = obj.version
    row["updated_at"] = obj.updated_at
    row["updated_by_id"] = obj.updated_by_id
    if entity.archivable:
        row["archived_at"] = obj.archived_at
    return row


def get(session: Session, entity: Entity, record_id: int) -> Any:
    obj = session.get(entity.model, record_id)
    if obj is None:
        raise NotFound(msg("{what} {id} does not exist.", what=entity.singular, id=record_id))
    return obj


def duplicates(
    session: Session, entity: Entity, values: dict[str, Any], exclude_id: int | None = None
) -> list[dict[str, Any]]:
    """Existing records sharing a phone or email (any of the entity's duplicate fields)."""
    wanted = {values.get(name) for name in entity.duplicate_fields} - {None, ""}
    if not wanted:
        return []
    model = entity.model
    lookups = _duplicate_lookups(entity, wanted)
    conditions = [column.in_(keys) for column, keys in lookups.values() if keys]
    if not conditions:
        return []
    statement = select(model).where(or_(*conditions))
    if exclude_id is not None:
        statement = statement.where(model.id != exclude_id)  # type: ignore[attr-defined]
    matches = []
    for obj in session.execute(statement.limit(20)).scalars():
        same = [name for name, (column, keys) in lookups.items() if getattr(obj, column.key) in keys]
        matches.append({**as_row(entity, obj), "matched": same})
    return matches


def _duplicate_lookups(entity: Entity, values: set[Any]) -> dict[str, tuple[Any, dict[Any, Any]]]:
    """Per duplicate field, the column to look in and {what to look for: the value it stands for}:
    the field itself, or for an encrypted contact its blind index (keyed hashes of values of its kind)."""
    model = entity.model
    blind: dict[str, tuple[str, str]] = getattr(model, "__blind_index__", {})
    kinds = {f.name: f.kind for f in entity.fields}
    lookups: dict[str, tuple[Any, dict[Any, Any]]] = {}
    for name in entity.duplicate_fields:
        if name not in blind:
            lookups[name] = (getattr(model, name), {value: value for value in values})
            continue
        hashed, kind = blind[name]
        mine = [value for value in values if ("@" in str(value)) == (kinds.get(name) == "email")]
        digests = {blind_index(kind, value): value for value in mine}
        lookups[name] = (getattr(model, hashed), {digest: value for digest, value in digests.items() if digest})
    return lookups


def import_duplicates(session: Session, entity: Entity, valid: list[tuple[int, dict[str, Any]]]) -> list[RowProblem]:
    """Warnings for imported rows that share a phone or email with a stored record or an earlier row."""
    if not entity.duplicate_fields:
        return []
    model = entity.model
    values = {row[name] for _n, row in valid for name in entity.duplicate_fields if row.get(name)}
    stored: dict[str, str] = {}
    code = getattr(model, entity.code_field or "id")
    for column, keys in _duplicate_lookups(entity, values).values():
        chunk = sorted(keys)
        for start in range(0, len(chunk), 500):
            part = chunk[start : start + 500]
            for key, found in session.execute(select(column, code).where(column.in_(part))):
                stored.setdefault(keys[key], str(found))
    warnings: list[RowProblem] = []
    seen: dict[str, int] = {}
    for number, row in valid:
        for name in entity.duplicate_fields:
            value = row.get(name)
            if not value:
                continue
            if value in stored:
                warnings.append(RowProblem(number, name, msg("Possible duplicate of {code}.", code=stored[value])))
            elif value in seen:
                warnings.append(RowProblem(number, name, msg("Same as row {row} of this file.", row=seen[value])))
            else:
                seen[value] = number
    return warnings


BATCH = 1_000


def create(session: Session, entity: Entity, values: dict[str, Any]) -> Any:
    obj = entity.model(**values)
    if entity.code_field and entity.code_prefix:
        setattr(obj, entity.code_field, format_number(entity.code_prefix, reserve(session, entity.name)))
    session.add(obj)
    session.flush()
    return obj


def create_many(session: Session, entity: Entity, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert many plain records (an import) in bulk: one counter bump for all their codes,
    one INSERT per thousand rows, stamped and audited like records saved one by one.

    Returns the rows as stored, with their ids (and codes)."""
    if not rows:
        return []
    model = entity.model
    actor = session.info.get("actor")
    actor_id = getattr(actor, "user_id", None)
    now = utcnow()
    stamps = {"created_at": now, "updated_at": now, "created_by_id": actor_id, "updated_by_id": actor_id, "version": 1}
    stored = [{**values, **stamps} for values in rows]
    if entity.code_field and entity.code_prefix:
        first = reserve(session, entity.name, len(stored))
        for offset, values in enumerate(stored):
            values[entity.code_field] = format_number(entity.code_prefix, first + offset)
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    for start in range(0, len(stored), BATCH):
        batch = stored[start : start + BATCH]
        rows_in = [{**values, **index_values(model, values)} for values in batch]  # encrypted contacts' blind index
        for values, record_id in zip(batch, session.execute(statement, rows_in).scalars(), strict=True):
            values["id"] = record_id
    record_bulk_creation(session, model, [(values["id"], values) for values in stored])
    return stored


def update(session: Session, entity: Entity, obj: Any, values: dict[str, Any], expected_version: int) -> Any:
    """Apply `values` unless someone saved the record since `expected_version` was read."""
    check_version(session, obj, expected_version)
    for name, value in values.items():
        setattr(obj, name, value)
    save(session, obj)
    return obj


def check_version(session: Session, obj: Any, expected_version: int) -> None:
    """Refuse, naming who and when, if the record changed since the person read it."""
    if obj.version != expected_version:
        raise _concurrent_edit(session, obj)


def save(session: Session, obj: Any) -> None:
    """Flush the record; a save that lost a race with another one is refused the same way."""
    try:
        session.flush()
    except StaleDataError:  # saved by someone else between our read and our write
        session.rollback()
        raise _concurrent_edit(session, session.get(type(obj), obj.id)) from None


def user_name(session: Session, user_id: int | None) -> str:
    """Who did something, as people read it: the user's display name, or "system"."""
    who = session.get(User, user_id) if user_id else None
    return who.display_name if who else "system"


def _concurrent_edit(session: Session, obj: Any) -> ConcurrentEdit:
    return ConcurrentEdit(user_name(session, obj.updated_by_id), obj.updated_at, formatting.moment(obj.updated_at))
