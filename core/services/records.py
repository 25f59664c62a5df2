"""The standard services of a declared entity, generated from its description.

Each is guarded by the permission matrix under the entity's module, so a new
entity gets list, search, forms, history, import and export with no new code
beyond its description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from core import db
from core.actor import Actor
from core.audit import record_event
from core.clock import utcnow
from core.config import get_settings
from core.entities import csv_io, records, refs
from core.entities.spec import Entity
from core.entities.validation import clean
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import msg
from core.masking import is_mask_of, masked_contacts
from core.models import AuditEntry
from core.permissions import service


class PossibleDuplicate(OpsdeskError):
    """The record shares a phone or email with others; saving needs the user's confirmation."""

    def __init__(self, matches: list[dict[str, Any]], masked: tuple[str, ...] = ()) -> None:
        super().__init__(
            msg("Possible duplicate: {count} existing record(s) share a phone or email.", count=len(matches))
        )
        self.matches = [masked_contacts(match, masked) for match in matches]  # `masked`: the entity's masked_fields


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped_rows: int
    first_code: str | None
    last_code: str | None


@dataclass(frozen=True)
class EntityServices:
    entity: Entity
    search: Callable[..., records.Page]
    get: Callable[..., dict[str, Any]]
    options: Callable[..., dict[str, list[refs.RefOption]]]
    duplicates: Callable[..., list[dict[str, Any]]]
    create: Callable[..., dict[str, Any]]
    update: Callable[..., dict[str, Any]]
    archive: Callable[..., dict[str, Any]]
    restore: Callable[..., dict[str, Any]]
    history: Callable[..., list[dict[str, Any]]]
    export_csv: Callable[..., bytes]
    check_import: Callable[..., csv_io.ImportCheck]
    run_import: Callable[..., ImportResult]


# Called inside a create or update transaction, after the record is written and before the commit,
# with the record's field values before the change ({} for a new record): side effects of a save
# (someone leaving ends their login) are part of it, or nothing is written.
OnSave = Callable[[Any, Actor, Any, dict[str, Any]], None]


def entity_services(entity: Entity, on_save: OnSave | None = None) -> EntityServices:
    """The services; every row they answer has the entity's `masked_fields` masked (for every role)."""

    def guarded(action: str, function: Callable[..., Any]) -> Callable[..., Any]:
        return service(entity.module, action, name=f"core.services.{entity.name}.{function.__name__}")(function)

    def shown(row: dict[str, Any]) -> dict[str, Any]:
        return masked_contacts(row, entity.masked_fields) if entity.masked_fields else row

    def search(
        *, actor: Actor, query: str = "", page: int = 1, page_size: int = 25, include_archived: bool = False
    ) -> records.Page:
        with db.reading() as session:
            found = records.search(
                session, entity, query=query, page=page, page_size=page_size, include_archived=include_archived
            )
        return replace(found, rows=[shown(row) for row in found.rows])

    def get(*, actor: Actor, record_id: int) -> dict[str, Any]:
        with db.reading() as session:
            return shown(records.as_row(entity, records.get(session, entity, record_id)))

    def options(*, actor: Actor, record_id: int | None = None) -> dict[str, list[refs.RefOption]]:
        """The choices of the reference fields; with `record_id`, also what that record points at."""
        with db.reading() as session:
            return _ref_options(session, entity, records.get(session, entity, record_id) if record_id else None)

    def duplicates(*, actor: Actor, values: dict[str, Any], exclude_id: int | None = None) -> list[dict[str, Any]]:
        with db.reading() as session:
            return [shown(match) for match in records.duplicates(session, entity, values, exclude_id)]

    def create(*, actor: Actor, values: dict[str, Any], confirm_duplicate: bool = False) -> dict[str, Any]:
        with db.writing(actor) as session:
            clean_values = clean(entity, values, records.ref_tables(session, entity))
            _refuse_taken(session, entity, clean_values, None)
            _refuse_unconfirmed_duplicates(session, entity, clean_values, None, confirm_duplicate)
            obj = records.create(session, entity, clean_values)
            _after_save(session, actor, obj, {})
            row = records.as_row(entity, obj)
            session.commit()
        return shown(row)

    def update(
        *, actor: Actor, record_id: int, values: dict[str, Any], expected_version: int, confirm_duplicate: bool = False
    ) -> dict[str, Any]:
        with db.writing(actor) as session:
            obj = records.get(session, entity, record_id)
            kept = {f.name: getattr(obj, f.name) for f in entity.form_fields if f.create_only}
            # A masked field left out of the form, or sent back masked, keeps its stored value.
            kept |= {
                name: getattr(obj, name)
                for name in entity.masked_fields
                if name not in values or is_mask_of(values[name], getattr(obj, name))
            }
            clean_values = clean(entity, {**values, **kept}, _ref_tables(session, entity, obj))
            _refuse_taken(session, entity, clean_values, record_id)
            changed = {k: v for k, v in clean_values.items() if v != getattr(obj, k)}
            _refuse_unconfirmed_duplicates(session, entity, changed, record_id, confirm_duplicate)
            before = {f.name: getattr(obj, f.name) for f in entity.fields}
            records.update(session, entity, obj, clean_values, expected_version)
            _after_save(session, actor, obj, before)
            row = records.as_row(entity, obj)
            session.commit()
        return shown(row)

    def _after_save(session: Any, actor: Actor, obj: Any, before: dict[str, Any]) -> None:
        if on_save is not None:
            on_save(session, actor, obj, before)
            records.save(session, obj)  # what the hook changed on the record, so the row read next is current

    def archive(*, actor: Actor, record_id: int, expected_version: int) -> dict[str, Any]:
        return _set_archived(actor, record_id, expected_version, archived=True)

    def restore(*, actor: Actor, record_id: int, expected_version: int) -> dict[str, Any]:
        return _set_archived(actor, record_id, expected_version, archived=False)

    def _set_archived(actor: Actor, record_id: int, expected_version: int, *, archived: bool) -> dict[str, Any]:
        if not entity.archivable:
            raise OpsdeskError(msg("{what} records cannot be archived.", what=entity.singular))
        with db.writing(actor) as session:
            obj = records.get(session, entity, record_id)
            records.update(session, entity, obj, {"archived_at": utcnow() if archived else None}, expected_version)
            row = records.as_row(entity, obj)
            session.commit()
        return shown(row)

    def history(*, actor: Actor, record_id: int) -> list[dict[str, Any]]:
        table = entity.model.__tablename__  # type: ignore[attr-defined]
        with db.reading() as session:
            entries = session.execute(
                select(AuditEntry)
                .where(AuditEntry.entity == table, AuditEntry.entity_id == str(record_id))
                .order_by(AuditEntry.id.desc())
                .limit(200)
            ).scalars()
            return [
                {"at": e.at, "who": e.actor_name, "action": e.action, "changes": e.changes or {}, "detail": e.detail}
                for e in entries
            ]

    def export_csv(*, actor: Actor, query: str = "", include_archived: bool = False, language: str = "en") -> bytes:
        with db.reading() as session:
            labels = {
                f.ref: {o.id: o.label.get(language) for o in refs.options(session, f.ref)}
                for f in entity.fields
                if f.ref
            }
            statement = records.filtered(entity, query, include_archived).order_by(entity.model.id)  # type: ignore[attr-defined]
            rows = [shown(records.as_row(entity, obj)) for obj in session.execute(statement).scalars()]
        record_event(actor, "export", entity=entity.name, detail=f"{len(rows)} rows; search: {query[:100]}")
        return csv_io.export_csv(entity, rows, language, labels)

    def check_import(*, actor: Actor, data: bytes) -> csv_io.ImportCheck:
        with db.reading() as session:
            return _check(session, data)

    def run_import(*, actor: Actor, data: bytes, skip_invalid: bool = False) -> ImportResult:
        """Check the file, then write its good rows in one transaction: all of them, or none.

        The check runs before the write transaction, so other clerks' saves wait only for the insert."""
        with db.reading() as session:
            check = _check(session, data)
        if check.file_error:
            raise OpsdeskError(check.file_error)
        if check.errors and not skip_invalid:
            raise OpsdeskError(msg("{count} row(s) have errors; nothing was imported.", count=check.bad_rows))
        with db.writing(actor) as session:
            created = records.create_many(session, entity, [values for _row, values in check.valid])
            session.commit()
        codes = [row[entity.code_field] for row in created] if entity.code_field else []
        record_event(actor, "import", entity=entity.name, detail=f"{len(created)} rows, {check.bad_rows} skipped")
        return ImportResult(len(created), check.bad_rows, codes[0] if codes else None, codes[-1] if codes else None)

    def _check(session: Any, data: bytes) -> csv_io.ImportCheck:
        check = csv_io.read_import(
            entity, data, records.ref_tables(session, entity), max_rows=get_settings().import_max_rows
        )
        if not check.file_error:
            check.warnings.extend(records.import_duplicates(session, entity, check.valid))
        return check

    return EntityServices(
        entity=entity,
        search=guarded("view", search),
        get=guarded("view", get),
        options=guarded("view", options),
        duplicates=guarded("view", duplicates),
        create=guarded("create", create),
        update=guarded("edit", update),
        archive=guarded("delete", archive),
        restore=guarded("delete", restore),
        history=guarded("view", history),
        export_csv=guarded("view", export_csv),
        check_import=guarded("create", check_import),
        run_import=guarded("create", run_import),
    )


def _ref_tables(session: Any, entity: Entity, obj: Any) -> dict[str, dict[str, int]]:
    """What a saved record may point at: the active records, and those it already points at."""
    return {ref: refs.lookup_table(choices) for ref, choices in _ref_options(session, entity, obj).items()}


def _held(entity: Entity, obj: Any) -> dict[str, set[int]]:
    """The records `obj` points at, per reference list (they stay choosable even once inactive)."""
    held: dict[str, set[int]] = {}
    for field in entity.fields:
        if field.ref:
            current = getattr(obj, field.name)
            ids = current if isinstance(current, list) else [] if current is None else [current]
            held.setdefault(field.ref, set()).update(ids)
    return held


def _ref_options(session: Any, entity: Entity, obj: Any | None) -> dict[str, list[refs.RefOption]]:
    held = _held(entity, obj) if obj is not None else {}
    return {f.ref: refs.options(session, f.ref, held.get(f.ref, set())) for f in entity.fields if f.ref}


def _refuse_taken(session: Any, entity: Entity, values: dict[str, Any], exclude_id: int | None) -> None:
    """A value a unique field already holds elsewhere is refused next to that field."""
    errors = {}
    for field in entity.fields:
        if field.unique and values.get(field.name) is not None:
            column = getattr(entity.model, field.name)
            statement = select(entity.model.id).where(column == values[field.name])  # type: ignore[attr-defined]
            if exclude_id is not None:
                statement = statement.where(entity.model.id != exclude_id)  # type: ignore[attr-defined]
            if session.execute(statement.limit(1)).first() is not None:
                errors[field.name] = msg("Another record already uses this value.")
    if errors:
        raise ValidationFailed(errors)


def _refuse_unconfirmed_duplicates(
    session: Any, entity: Entity, values: dict[str, Any], exclude_id: int | None, confirmed: bool
) -> None:
    if confirmed or not entity.duplicate_fields:
        return
    matches = records.duplicates(session, entity, values, exclude_id)
    if matches:
        raise PossibleDuplicate(matches, entity.masked_fields)
