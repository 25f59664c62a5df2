"""The store: one engine per process and units of work over it.

SQLite is tuned so that concurrent clerks never see "database is locked": WAL
(readers never block the writer), a busy timeout, and write transactions that
take the write lock up front with BEGIN IMMEDIATE. A deferred transaction that
reads first and writes later can fail to upgrade its lock without waiting, which
is exactly the error users would see.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from core.config import get_settings

BUSY_TIMEOUT_MS = 30_000

_lock = threading.Lock()
_engine: Engine | None = None


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so that it can be BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writing = connection.get_execution_options().get("opsdesk_write", True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def get_engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = make_engine(get_settings().database_url)
        return _engine


def use_engine(engine: Engine | None) -> None:
    """Point the process at another engine (tests, command-line tools)."""
    global _engine
    with _lock:
        if _engine is not None and _engine is not engine:
            _engine.dispose()
        _engine = engine


@contextmanager
def writing(actor: object | None) -> Iterator[Session]:
    """A write transaction on behalf of `actor`; it rolls back unless the caller commits."""
    session = Session(bind=get_engine(), expire_on_commit=False, info={"actor": actor})
    try:
        yield session
    finally:
        session.close()  # rolls back whatever was not committed


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only transaction: on SQLite it never takes the write lock."""
    bind = get_engine().execution_options(opsdesk_write=False)
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()  # ends the transaction; loaded objects stay readable


# Every session of the process stamps and audits business tables; installed with the store.
from core import audit_trail  # noqa: E402,F401
