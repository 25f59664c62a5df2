"""The figures of the admin's health page: the database (engine, version, size, largest tables), the
backups (newest, verified or not, failure, overdue), the last errors of this server process, the
signed-in sessions and how fresh the analytics snapshot is.

Everything is read, nothing is changed, and nothing slow is started: the snapshot is looked at only
if this process has already loaded it (a cold load takes seconds on a large store). Each section is
read on its own; one that cannot be read says why (and logs it) while the others still show.

Database size: SQLite's is the database file plus its -wal and -shm files; PostgreSQL's is
`pg_database_size`. Table rows: exact counts on SQLite; on PostgreSQL the planner's estimate
(`reltuples`, kept by ANALYZE and autovacuum; None before the first) beside each table's size on disk.
Sessions: logins neither revoked nor expired, of active users; their last-seen time is written at
most every `core.auth.SEEN_EVERY`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select, text

from core import backups, db, error_log
from core.analytics import snapshot
from core.analytics.sources import SOURCES, STAMPED, aware, store_literal
from core.clock import utcnow
from core.i18n import Message, msg
from core.models import AuthSession, User, UserRole

log = logging.getLogger("opsdesk.health")
LARGEST = 10  # tables listed under the database
T = TypeVar("T")


@dataclass(frozen=True)
class TableSize:
    name: str
    rows: int | None  # None: PostgreSQL has not analysed the table yet
    size_bytes: int | None = None  # PostgreSQL only (table, indexes and TOAST)


@dataclass(frozen=True)
class DatabaseFigures:
    engine: str  # "SQLite" or "PostgreSQL"
    version: str
    name: str  # the file (SQLite) or the database's name (PostgreSQL)
    size_bytes: int
    files: dict[str, int] = field(default_factory=dict)  # SQLite: path -> bytes of the file, -wal and -shm
    tables: list[TableSize] = field(default_factory=list)  # the largest first
    exact_rows: bool = True


@dataclass(frozen=True)
class SignedIn:
    username: str
    display_name: str
    roles: tuple[str, ...]
    sessions: int
    last_seen: datetime | None


@dataclass(frozen=True)
class SessionFigures:
    active: int  # sessions
    people: list[SignedIn]  # most recently seen first
    by_role: dict[str, int]  # role -> people signed in holding it


@dataclass(frozen=True)
class SnapshotTable:
    table: str
    rows: int  # in the snapshot
    held_newest: datetime | None  # the newest change the snapshot holds (stamped tables)
    store_newest: datetime | None  # the store's newest change
    pending: int  # rows changed in the store after what the snapshot holds


@dataclass(frozen=True)
class SnapshotFigures:
    loaded: bool  # False: not loaded in this server process yet (nobody opened an analytics page)
    refreshed_at: datetime | None = None  # when it last caught up with the store
    tables: list[SnapshotTable] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(table.pending for table in self.tables)

    @property
    def lag(self) -> timedelta:
        """How far behind the store's newest change the snapshot is (zero when it holds everything)."""
        gaps = [
            t.store_newest - (t.held_newest or t.store_newest)
            for t in self.tables
            if t.pending and t.store_newest is not None
        ]
        return max(gaps, default=timedelta(0))


@dataclass(frozen=True)
class Health:
    checked_at: datetime
    database: DatabaseFigures | None
    backups: backups.BackupStatus | None
    errors: list[error_log.ErrorEntry]
    sessions: SessionFigures | None
    snapshot: SnapshotFigures | None
    problems: dict[str, Message] = field(default_factory=dict)  # section -> why it could not be read


# --- the database ---------------------------------------------------------------------------------


def _sqlite_files(database: str) -> dict[str, int]:
    path = Path(database)
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return {str(file): file.stat().st_size for file in files if file.exists()}


def _sqlite_tables(session: Any) -> list[TableSize]:
    names = session.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    ).scalars()
    names = [name for name in names if name != "alembic_version"]
    if not names:
        return []
    counts = " UNION ALL ".join(f"SELECT '{name}', COUNT(*) FROM \"{name}\"" for name in names)
    found = [TableSize(name, int(rows)) for name, rows in session.execute(text(counts))]
    return sorted(found, key=lambda table: (-(table.rows or 0), table.name))[:LARGEST]


def _postgres_tables(session: Any) -> list[TableSize]:
    rows = session.execute(
        text(
            "SELECT c.relname, CAST(c.reltuples AS BIGINT), pg_total_relation_size(c.oid) AS size "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname <> 'alembic_version' "
            "ORDER BY size DESC, c.relname LIMIT :largest"
        ),
        {"largest": LARGEST},
    )
    return [TableSize(name, None if rows < 0 else int(rows), int(size)) for name, rows, size in rows]


def database_figures() -> DatabaseFigures:
    engine = db.get_engine()
    with db.reading() as session:
        if engine.dialect.name == "sqlite":
            files = _sqlite_files(engine.url.database or "")
            return DatabaseFigures(
                engine="SQLite",
                version=session.execute(text("SELECT sqlite_version()")).scalar_one(),
                name=engine.url.database or "",
                size_bytes=sum(files.values()),
                files=files,
                tables=_sqlite_tables(session),
            )
        name, size, version = session.execute(
            text("SELECT current_database(), pg_database_size(current_database()), current_setting('server_version')")
        ).one()
        return DatabaseFigures(
            engine="PostgreSQL",
            version=version,
            name=name,
            size_bytes=int(size),
            tables=_postgres_tables(session),
            exact_rows=False,
        )


# --- signed-in sessions ---------------------------------------------------------------------------


def session_figures(now: datetime | None = None) -> SessionFigures:
    now = now or utcnow()
    with db.reading() as session:
        rows = session.execute(
            select(
                User.id,
                User.username,
                User.display_name,
                func.count(AuthSession.id_hash),
                func.max(AuthSession.last_seen_at),
            )
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(AuthSession.revoked_at.is_(None), AuthSession.expires_at > now, User.active.is_(True))
            .group_by(User.id, User.username, User.display_name)
        ).all()
        roles: dict[int, list[str]] = {}
        if rows:
            found = session.execute(
                select(UserRole.user_id, UserRole.role)
                .where(UserRole.user_id.in_([row[0] for row in rows]))
                .order_by(UserRole.role)
            )
            for user_id, role in found:
                roles.setdefault(user_id, []).append(role)
    people = [
        SignedIn(username, name, tuple(roles.get(user_id, [])), int(count), seen)
        for user_id, username, name, count, seen in rows
    ]
    people.sort(key=lambda p: (p.last_seen is None, -(p.last_seen.timestamp() if p.last_seen else 0), p.username))
    by_role: dict[str, int] = {}
    for person in people:
        for role in person.roles:
            by_role[role] = by_role.get(role, 0) + 1
    return SessionFigures(active=sum(p.sessions for p in people), people=people, by_role=dict(sorted(by_role.items())))


# --- the analytics snapshot -----------------------------------------------------------------------


def snapshot_figures() -> SnapshotFigures:
    """How fresh this process's snapshot is, read without catching it up (and without loading it)."""
    held = snapshot.if_loaded()
    if held is None:
        return SnapshotFigures(loaded=False)
    refreshed_at, marks = held.refreshed_at, dict(held.state.marks)
    cursor = held.con.cursor()
    try:
        counts = " UNION ALL ".join(f"SELECT '{s.table}', COUNT(*) FROM {s.table}" for s in SOURCES)
        rows = {table: int(n) for table, n in cursor.execute(counts).fetchall()}
    finally:
        cursor.close()
    dialect = held.engine.dialect.name
    parts = []
    for source in STAMPED:
        stamp, since = f'"{source.stamp}"', store_literal(marks.get(source.table, snapshot.EPOCH), dialect)
        parts.append(
            f"SELECT '{source.table}' AS t, (SELECT MAX({stamp}) FROM {source.table}) AS newest, "
            f"(SELECT COUNT(*) FROM {source.table} WHERE {stamp} > {since}) AS pending"
        )
    with db.reading() as session:
        store = {
            table: (newest, int(pending)) for table, newest, pending in session.execute(text(" UNION ALL ".join(parts)))
        }
    tables = []
    for source in SOURCES:
        newest, pending = store.get(source.table, (None, 0))
        tables.append(
            SnapshotTable(
                table=source.table,
                rows=rows.get(source.table, 0),
                held_newest=marks.get(source.table),
                store_newest=aware(newest) if newest is not None else None,
                pending=pending,
            )
        )
    return SnapshotFigures(loaded=True, refreshed_at=refreshed_at, tables=tables)


# --- all of it ------------------------------------------------------------------------------------


def _section(name: str, read: Callable[[], T], problems: dict[str, Message]) -> T | None:
    """A section's figures, or None with the reason kept in `problems` (and logged: it shows under the errors)."""
    try:
        return read()
    except Exception as error:
        log.exception("the health page could not read its %s section", name)
        problems[name] = msg("This could not be read: {error}", error=type(error).__name__)
        return None


def check(now: datetime | None = None) -> Health:
    now = now or utcnow()
    problems: dict[str, Message] = {}
    database = _section("database", database_figures, problems)
    backed_up = _section("backups", lambda: backups.status(now=now), problems)
    sessions = _section("sessions", lambda: session_figures(now), problems)
    fresh = _section("snapshot", snapshot_figures, problems)
    return Health(now, database, backed_up, error_log.recent(), sessions, fresh, problems)
