"""What the columnar snapshot mirrors, and the SQL it reads the store with.

Each source is a table of the store with the stamp that moves when one of its rows changes
(`updated_at`, or `at` on the append-only ledgers, both indexed), the columns analytics needs,
how its rows go away (replaced with their parent, or deleted: the audit trail says which), and
the instants whose local day the snapshot stores beside them (`completed_at` -> `completed_day`,
`at` -> `at_day`): the day in the company's time zone is worked out once per row as it is loaded,
not on every reading (the time zone is the process's setting, so a stored day never goes stale).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Boolean, Date, Integer, Time
from sqlalchemy.sql.schema import Column

from core.crypto import EncryptedText, decrypt_many
from core.models import Base
from core.models.base import Fixed, UTCDateTime


@dataclass(frozen=True)
class Source:
    table: str
    stamp: str | None = "updated_at"  # what moves when a row changes (None: reloaded with its parent)
    parent: tuple[str, str] | None = None  # (parent table, the column pointing at it)
    columns: tuple[str, ...] | None = None  # None: all
    deletable: bool = False  # rows may be deleted in the store
    days: tuple[str, ...] = ()  # instants whose local day is stored too (see `day_name`)

    @property
    def versioned(self) -> bool:
        """Rows that change in place carry a version; the append-only ledgers do not."""
        return self.stamp == "updated_at"


SOURCES: tuple[Source, ...] = (
    Source("orders", days=("created_at", "completed_at", "scheduled_start")),
    Source("order_lines", stamp=None, parent=("orders", "order_id")),
    # Events are the status steps; the free-text note and the copied actor name are left in the store.
    Source("order_events", stamp="at", columns=("id", "order_id", "at", "actor_id", "from_status", "to_status")),
    Source("customers", days=("created_at",)),
    Source("service_areas"),
    Source("services"),
    # A service's bill of materials is replaced whole, and saving it stamps the service.
    Source("service_materials", stamp=None, parent=("services", "service_id")),
    Source("payments", days=("received_at",)),
    Source("staff"),
    Source("shifts", deletable=True, days=("starts_at",)),
    Source("attendance", days=("clock_in",)),
    Source("leave_requests"),
    Source("reviews"),
    Source("items"),
    Source("stock_movements", stamp="at", days=("at",)),
    Source("purchase_orders", days=("created_at",)),
    Source("purchase_order_lines", stamp=None, parent=("purchase_orders", "purchase_order_id")),
    Source("users", columns=("id", "username", "display_name", "active", "updated_at", "version")),
)
STAMPED = tuple(s for s in SOURCES if s.stamp is not None)
DELETABLE = tuple(s.table for s in SOURCES if s.deletable)
DELETIONS = Source("audit_log", stamp="at")  # where the store records each deletion (the ORM's audit trail)
Fingerprint = tuple[int, int, int]  # rows, sum of ids, sum of versions in the window


def columns_of(source: Source) -> list[Column[Any]]:
    table = Base.metadata.tables[source.table]
    return [c for c in table.columns if source.columns is None or c.name in source.columns]


def opened(source: Source, rows: pa.Table | pa.RecordBatchReader) -> pa.Table | pa.RecordBatchReader:
    """The rows with the customers' encrypted contacts decrypted (core/crypto.py), batch by batch: the
    snapshot holds them in memory only (its DuckDB never spills to disk, see snapshot.py)."""
    names = [c.name for c in columns_of(source) if isinstance(c.type, EncryptedText)]
    if not names:
        return rows
    schema = rows.schema
    for name in names:
        schema = schema.set(schema.get_field_index(name), pa.field(name, pa.string()))

    def open_batch(batch: pa.RecordBatch | pa.Table) -> pa.RecordBatch | pa.Table:
        arrays = list(batch.columns)
        for name in names:
            index = batch.schema.get_field_index(name)
            arrays[index] = pa.array(decrypt_many(batch.column(index).to_pylist()), pa.string())
        if isinstance(batch, pa.Table):
            return pa.Table.from_arrays(arrays, schema=schema)
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    if isinstance(rows, pa.Table):
        return open_batch(rows)
    return pa.RecordBatchReader.from_batches(schema, (open_batch(batch) for batch in rows))


def day_name(instant: str) -> str:
    """The stored local day of an instant column: `completed_at` -> `completed_day`, `at` -> `at_day`."""
    return f"{instant.removesuffix('_at') if instant != 'at' else instant}_day"


def days_of(source: Source, dialect: str) -> list[tuple[str, str]]:
    """(name, expression) of each stored local day: the instant, typed, cast to a DATE in the
    connection's time zone (the company's)."""
    by_name = {c.name: c for c in columns_of(source)}
    return [(day_name(name), f"CAST({typed(by_name[name], dialect)} AS DATE)") for name in source.days]


def duck_type(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "TIMESTAMPTZ"
    if isinstance(kind, Fixed):
        return f"DECIMAL(18, {kind.scale})"
    if isinstance(kind, Boolean):
        return "BOOLEAN"
    if isinstance(kind, Date):
        return "DATE"
    if isinstance(kind, Time):
        return "TIME"
    if isinstance(kind, Integer):
        return "BIGINT"
    return "VARCHAR"


def typed(column: Column[Any], dialect: str) -> str:
    """The expression that turns a loaded Arrow column into its snapshot type."""
    name, kind = f'"{column.name}"', column.type
    if isinstance(kind, UTCDateTime):
        # SQLite keeps naive UTC text; PostgreSQL hands over an aware instant.
        if dialect == "sqlite":
            return f"CAST({name} AS TIMESTAMP) AT TIME ZONE 'UTC'"
        return f"CAST({name} AS TIMESTAMPTZ)"
    if isinstance(kind, Fixed):
        return f"CAST(CAST({name} AS DECIMAL(18, 0)) / {10**kind.scale} AS DECIMAL(18, {kind.scale}))"
    return f"CAST({name} AS {duck_type(column)})"


def source_select(source: Source, dialect: str) -> str:
    """The store-side SELECT: JSON as text on PostgreSQL so both stores hand over the same thing.

    The SQLite driver guesses each column's Arrow type from the first rows it reads and fails when a
    later batch disagrees (a column NULL at first, text later), so on SQLite a first row of the right
    types and no id leads the rows (`_insert` leaves it out). A WHERE added after applies to the table."""
    parts, lead = [], []
    for column in columns_of(source):
        quoted = f'"{column.name}"'
        json = type(column.type).__name__ == "JSON" and dialect != "sqlite"
        parts.append(f"CAST({quoted} AS TEXT) AS {quoted}" if json else quoted)
        numeric = isinstance(column.type, Integer | Fixed | Boolean)
        lead.append(f"{'NULL' if column.name == 'id' else '0' if numeric else repr('')} AS {quoted}")
    select = f"SELECT {', '.join(parts)} FROM {source.table}"
    return f"SELECT {', '.join(lead)} UNION ALL {select}" if dialect == "sqlite" else select


def store_literal(moment: datetime, dialect: str) -> str:
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"'{text}'" if dialect == "sqlite" else f"TIMESTAMPTZ '{text}+00'"


def duck_literal(moment: datetime) -> str:
    return f"TIMESTAMPTZ '{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}+00'"


def fingerprint_sql(source: Source, since: str) -> str:
    """Rows, sum of ids and sum of versions stamped from `since` on: the same SQL on every engine."""
    versions = "version" if source.versioned else "0"
    return (
        f"SELECT '{source.table}' AS t, COUNT(*) AS n, CAST(COALESCE(SUM(id), 0) AS BIGINT) AS ids, "
        f"CAST(COALESCE(SUM({versions}), 0) AS BIGINT) AS versions "
        f'FROM {source.table} WHERE "{source.stamp}" >= {since}'
    )


def keys_sql(source: Source, since: str) -> str:
    """The window's keys: id, version (0 on the append-only ledgers) and stamp of each row from `since` on."""
    version = "version" if source.versioned else "0"
    stamp = f'"{source.stamp}"'
    return f"SELECT id, {version} AS version, {stamp} AS stamp FROM {source.table} WHERE {stamp} >= {since}"


def deletions_sql(since: str, columns: str) -> str:
    """The audit entries of deletions from the snapshot's deletable tables, from `since` on."""
    tables = ", ".join(f"'{table}'" for table in DELETABLE)
    return f"SELECT {columns} FROM audit_log WHERE action = 'delete' AND entity IN ({tables}) AND at >= {since}"


def aware(moment: datetime | str) -> datetime:
    """An instant as the store hands it over (SQLite: naive UTC text) made an aware datetime."""
    value = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def id_list(values: Sequence[int]) -> str:
    return ", ".join(str(int(v)) for v in values)
