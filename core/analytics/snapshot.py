"""The columnar snapshot every dashboard, KPI and report figure is answered from.

One in-memory DuckDB database per server process mirrors the operational tables analytics
needs (core/analytics/sources.py), loaded through Arrow (ADBC drivers for SQLite and
PostgreSQL: nothing is downloaded at run time), streamed batch by batch.

Catching up is incremental. A table's window is its rows stamped from a few minutes (OVERLAP)
before the newest stamp the snapshot holds; the overlap is what catches a row stamped before a
refresh but committed after it. The snapshot keeps the keys (id, version, stamp) of each window.
A refresh sends the store ONE probe query, answered from the stamp indexes: per table the window's
fingerprint (rows, sum of ids, sum of versions), and that of the recent deletions in the audit
trail. When all match what the snapshot holds, nothing changed and the refresh ends there. For a
table that differs it reads the window's keys, then the full rows of only those that are new or
changed, replaces them by id, and reloads the lines of the changed orders and purchase orders;
deleted rows are dropped by the ids the audit trail recorded.

Sessions read through their own cursor (no DuckDB connection is shared between threads); a
refresh writes in one DuckDB transaction, so a reading sees all of it or none of it.

In the snapshot the tables keep their names and columns, with analytic types: instants as
TIMESTAMPTZ (the connection's time zone is the company's, so `CAST(ts AS DATE)` is the local
day; the days the figures group by are stored beside their instants, e.g. `completed_day`:
see sources.py), dates as DATE, times as TIME, money and quantities as DECIMAL in real units (not fen),
flags as BOOLEAN and JSON as its text.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import duckdb
import pyarrow as pa
from sqlalchemy import Engine

from core import db
from core.analytics.sources import (
    DELETABLE,
    DELETIONS,
    SOURCES,
    STAMPED,
    Fingerprint,
    Source,
    aware,
    columns_of,
    days_of,
    deletions_sql,
    duck_literal,
    duck_type,
    fingerprint_sql,
    id_list,
    keys_sql,
    opened,
    source_select,
    store_literal,
    typed,
)
from core.config import get_settings

OVERLAP = timedelta(minutes=5)  # a row stamped before a refresh may commit after it
CHUNK = 5_000  # ids per `IN (...)` read
BATCH_ROWS = 65_536  # rows per Arrow batch of the first load
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Window = dict[int, tuple[int, datetime]]  # id -> (version, stamp) of the rows in a table's window


def _run(cursor: duckdb.DuckDBPyConnection, sql: str) -> None:
    """A statement whose result nobody reads (DuckDB wants every result finished)."""
    cursor.execute(sql).fetchall()


@dataclass
class State:
    """What the snapshot knows of the store besides the rows: restored as it was when a refresh fails."""

    marks: dict[str, datetime] = field(default_factory=dict)  # newest stamp held, per table
    windows: dict[str, Window] = field(default_factory=dict)
    deletions_seen: set[int] = field(default_factory=set)  # audit entries of deletions already applied

    def copy(self) -> State:
        """Enough of a copy to restore: a window is replaced, never changed in place."""
        return State(dict(self.marks), dict(self.windows), set(self.deletions_seen))

    def since(self, table: str) -> datetime:
        return self.marks.get(table, EPOCH) - OVERLAP

    def expected(self, table: str) -> Fingerprint:
        if table == DELETIONS.table:
            return (len(self.deletions_seen), sum(self.deletions_seen), 0)
        window = self.windows.get(table, {})
        return (len(window), sum(window), sum(version for version, _ in window.values()))

    def keep(self, table: str, keys: Window) -> None:
        """The table's window is now these keys: move its mark to their newest stamp and trim it."""
        if keys:
            self.marks[table] = max(self.marks.get(table, EPOCH), *(stamp for _, stamp in keys.values()))
        since = self.since(table)
        self.windows[table] = {key: value for key, value in keys.items() if value[1] >= since}


@dataclass
class Snapshot:
    """The snapshot of one store. `reader()` is the way in."""

    engine: Engine
    con: duckdb.DuckDBPyConnection = field(init=False)
    state: State = field(default_factory=State)
    loaded: bool = False
    closed: bool = False
    refreshed_at: datetime | None = None  # when it last caught up with the store (the health page shows it)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _adbc: Any = None

    def __post_init__(self) -> None:
        self.dialect = self.engine.dialect.name
        self.con = duckdb.connect(":memory:")
        _run(self.con, f"SET GLOBAL TimeZone = '{get_settings().timezone}'")
        _run(self.con, "SET GLOBAL temp_directory = ''")  # never spill (decrypted contacts) to disk
        for source in SOURCES:
            columns = [f'"{c.name}" {duck_type(c)}' for c in columns_of(source)]
            columns += [f'"{name}" DATE' for name, _ in days_of(source, self.dialect)]
            _run(self.con, f"CREATE TABLE {source.table} ({', '.join(columns)})")  # no index: bulk loads stay lean

    # --- reading from the store ---------------------------------------------------------------

    def _connect(self) -> Any:
        """An ADBC connection to the store (autocommit: each query sees what is committed)."""
        if self.dialect == "sqlite":
            import adbc_driver_sqlite.dbapi as sqlite_adbc

            # Read-only, and kept open: the driver carries its own copy of SQLite, and a read-write
            # connection of it deletes the WAL on closing, under the store's own connections.
            path = quote(self.engine.url.database or "")
            connection = sqlite_adbc.connect(f"file:{path}?mode=ro", autocommit=True)
            with connection.cursor() as cursor:  # wait, as the store's own connections do, for a brief lock
                cursor.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
                cursor.fetchall()
            return connection
        import adbc_driver_postgresql.dbapi as postgres_adbc

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return postgres_adbc.connect(url, autocommit=True)

    def _store(self) -> Any:
        """The connection refreshes read through."""
        if self._adbc is None:
            self._adbc = self._connect()
        return self._adbc

    def _fetch(self, sql: str) -> pa.Table:
        try:
            with self._store().cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetch_arrow_table()
        except Exception:
            self._drop_store()  # a broken connection is opened afresh next time
            raise

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        """A few values (fingerprints, keys): through the store's own driver, a round trip cheaper."""
        with self.engine.execution_options(opsdesk_write=False).connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql)]

    def _few(self, sql: str) -> pa.Table | None:
        """The rows of a small read (a catch-up's changed rows) as Arrow, through the store's own driver;
        None when there are none."""
        with self.engine.execution_options(opsdesk_write=False).connect() as connection:
            result = connection.exec_driver_sql(sql)
            names, found = list(result.keys()), result.fetchall()
        if not found:
            return None
        return pa.table({name: pa.array(values) for name, values in zip(names, zip(*found, strict=True), strict=True)})

    def _drop_store(self) -> None:
        if self._adbc is not None:
            with suppress(Exception):  # closing a broken connection may fail too
                self._adbc.close()
            self._adbc = None

    def _insert(self, cursor: duckdb.DuckDBPyConnection, source: Source, rows: pa.Table | pa.RecordBatchReader) -> int:
        """Append Arrow rows (a table, or a stream of batches) with the snapshot's types."""
        cursor.register("incoming", opened(source, rows))  # customers' contacts decrypted, in memory only
        try:
            days = days_of(source, self.dialect)
            names = ", ".join([f'"{c.name}"' for c in columns_of(source)] + [f'"{name}"' for name, _ in days])
            cast = [f'{typed(c, self.dialect)} AS "{c.name}"' for c in columns_of(source)]
            cast = ", ".join(cast + [f'{expression} AS "{name}"' for name, expression in days])
            sql = f"INSERT INTO {source.table} ({names}) SELECT {cast} FROM incoming WHERE id IS NOT NULL"
            return int(cursor.execute(sql).fetchall()[0][0])
        finally:
            cursor.unregister("incoming")

    # --- the first load -----------------------------------------------------------------------

    def _load(self) -> dict[str, int]:
        """Everything, streamed batch by batch (no transaction: nobody reads before it is done)."""
        read: dict[str, int] = {}
        try:
            for source in SOURCES:
                cursor = self.con.cursor()
                try:
                    with self._store().cursor() as store:
                        if self.dialect == "sqlite":
                            store.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
                        store.execute(source_select(source, self.dialect))
                        read[source.table] = self._insert(cursor, source, store.fetch_record_batch())
                finally:
                    cursor.close()
            cursor = self.con.cursor()
            try:
                for source in STAMPED:  # the windows, as loaded
                    stamp = f'"{source.stamp}"'
                    newest = cursor.execute(f"SELECT max({stamp}) FROM {source.table}").fetchall()[0][0]
                    since = duck_literal((newest or EPOCH) - OVERLAP)
                    keys = cursor.execute(keys_sql(source, since)).fetchall()
                    self.state.keep(source.table, {key: (version, stamp) for key, version, stamp in keys})
                self._deletions(cursor, apply=False)
            finally:
                cursor.close()
        except BaseException:
            self.state = State()  # a failed first load leaves nothing half-filled behind
            for source in SOURCES:
                _run(self.con, f"DELETE FROM {source.table}")
            raise
        self.loaded = True
        return read

    # --- catching up --------------------------------------------------------------------------

    def _probe(self) -> dict[str, Fingerprint]:
        """One query: each table's window fingerprint, and that of the recent deletions."""
        parts = [fingerprint_sql(s, store_literal(self.state.since(s.table), self.dialect)) for s in STAMPED]
        since = store_literal(self.state.since(DELETIONS.table), self.dialect)
        count = "COUNT(*) AS n, CAST(COALESCE(SUM(id), 0) AS BIGINT) AS ids, 0 AS versions"
        parts.append(deletions_sql(since, f"'{DELETIONS.table}' AS t, {count}"))
        found = self._rows(" UNION ALL ".join(parts))
        return {name: (int(n), int(ids), int(versions)) for name, n, ids, versions in found}

    def _deletions(self, cursor: duckdb.DuckDBPyConnection, *, apply: bool) -> int:
        """Drop the rows whose deletion the audit trail recorded since the last look; returns how many."""
        since = store_literal(self.state.since(DELETIONS.table), self.dialect)
        entries = self._rows(deletions_sql(since, "id, entity, entity_id, at"))
        found = [(int(i), entity, int(key), aware(at)) for i, entity, key, at in entries]
        fresh = [(entity, key) for i, entity, key, _ in found if i not in self.state.deletions_seen]
        for table in DELETABLE:
            keys = [key for entity, key in fresh if entity == table]
            if apply and keys:
                _run(cursor, f"DELETE FROM {table} WHERE id IN ({id_list(keys)})")
                window = self.state.windows.get(table, {})
                self.state.windows[table] = {k: v for k, v in window.items() if k not in keys}
        if found:
            self.state.marks[DELETIONS.table] = max(at for *_, at in found)
        self.state.deletions_seen = {i for i, *_, at in found if at >= self.state.since(DELETIONS.table)}
        return len(fresh) if apply else 0

    def _catch_up(self, cursor: duckdb.DuckDBPyConnection, source: Source) -> list[int]:
        """Read the window's keys, then only the rows that are new or changed; returns their ids."""
        since = store_literal(self.state.since(source.table), self.dialect)
        keys: Window = {key: (version, aware(stamp)) for key, version, stamp in self._rows(keys_sql(source, since))}
        held = self.state.windows.get(source.table, {})
        changed = sorted(key for key, (version, _) in keys.items() if key not in held or held[key][0] != version)
        gone = [key for key in held if key not in keys]  # left the store (or the window: then back in `changed`)
        if gone:
            _run(cursor, f"DELETE FROM {source.table} WHERE id IN ({id_list(gone)})")
        # An append-only row outside the window never changes, so a new id there is a new row.
        self._replace(cursor, source, "id", changed, fresh=not source.versioned)
        self.state.keep(source.table, keys)
        return changed

    def _replace(
        self, cursor: duckdb.DuckDBPyConnection, source: Source, link: str, keys: list[int], *, fresh: bool = False
    ) -> int:
        """Replace the snapshot's rows whose `link` is one of `keys` with the store's (`fresh`: none held)."""
        read = 0
        for start in range(0, len(keys), CHUNK):
            chunk = id_list(keys[start : start + CHUNK])
            if not fresh:
                _run(cursor, f'DELETE FROM {source.table} WHERE "{link}" IN ({chunk})')
            rows = self._few(f'{source_select(source, self.dialect)} WHERE "{link}" IN ({chunk})')
            read += 0 if rows is None else self._insert(cursor, source, rows)
        return read

    def refresh(self) -> dict[str, int]:
        """Bring the snapshot up to date with the store; returns the rows read per table (none: unchanged)."""
        with self.lock:
            if self.closed:
                raise RuntimeError("this snapshot was closed")
            started = datetime.now(UTC)
            if not self.loaded:
                read = self._load()
                self.refreshed_at = started
                return read
            prints = self._probe()
            changed = [s for s in STAMPED if prints.get(s.table) != self.state.expected(s.table)]
            deleted = prints.get(DELETIONS.table) != self.state.expected(DELETIONS.table)
            if not changed and not deleted:
                self.refreshed_at = started
                return {}
            before = self.state.copy()
            cursor = self.con.cursor()
            _run(cursor, "BEGIN TRANSACTION")
            try:
                read = self._apply(cursor, changed, deleted)
                _run(cursor, "COMMIT")
                self.refreshed_at = started
            except BaseException:
                _run(cursor, "ROLLBACK")
                self.state = before
                raise
            finally:
                cursor.close()
            return read

    def _apply(self, cursor: duckdb.DuckDBPyConnection, changed: list[Source], deleted: bool) -> dict[str, int]:
        read: dict[str, int] = {}
        if deleted:  # first, so that a row deleted and then added again under its id stays
            read["deleted"] = self._deletions(cursor, apply=True)
        parents: dict[str, list[int]] = {}
        for source in changed:
            parents[source.table] = keys = self._catch_up(cursor, source)
            read[source.table] = len(keys)
        for source in SOURCES:
            if source.parent is not None and parents.get(source.parent[0]):
                read[source.table] = self._replace(cursor, source, source.parent[1], parents[source.parent[0]])
        return {table: count for table, count in read.items() if count}

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of this thread's own over the snapshot, caught up with the store first."""
        self.refresh()
        cursor = self.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        """Free the DuckDB database and the store connection (the process moved to another store)."""
        with self.lock:
            if not self.closed:
                self.closed = True
                self._drop_store()
                self.con.close()


_current: Snapshot | None = None
_guard = threading.Lock()


def current() -> Snapshot:
    """The snapshot of the store this process uses (one, shared by all sessions); a snapshot of
    an engine the process no longer uses is closed."""
    global _current
    engine = db.get_engine()
    with _guard:
        if _current is None or _current.engine is not engine:
            if _current is not None:
                _current.close()
            _current = Snapshot(engine)
        return _current


def if_loaded() -> Snapshot | None:
    """The process's snapshot of its store if one was loaded; never starts a load (the health page)."""
    with _guard:
        found = _current
    engine = db.get_engine()
    return found if found is not None and found.engine is engine and found.loaded and not found.closed else None


def close() -> None:
    """Close the process's snapshot (tests, and tools that move to another store)."""
    global _current
    with _guard:
        if _current is not None:
            _current.close()
            _current = None


atexit.register(close)  # before the interpreter tears the drivers down


@contextmanager
def reader() -> Iterator[duckdb.DuckDBPyConnection]:
    """Read the company's figures: `with reader() as con: con.sql(sql, params=params).pl()`."""
    with current().reader() as cursor:
        yield cursor
