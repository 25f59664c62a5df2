"""Writing millions of rows fast: the DBAPI cursor's executemany on SQLite, COPY on
PostgreSQL, values already in the database's own spelling (timestamps as SQLAlchemy
stores them, money as fen), inside the caller's transaction on one connection."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from core.numbering import reserve

DAY = 86400


class Bulk:
    """Rows into tables through one connection; `stamp` spells an instant (epoch seconds)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.raw = connection.connection.driver_connection
        self.written: dict[str, int] = {}
        if self.dialect == "sqlite":  # as SQLAlchemy's DateTime and Time store them on SQLite
            self._clock = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(DAY)]
            self._time = "{:02d}:{:02d}:00.000000"
        else:
            self._clock = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(DAY)]
            self._time = "{:02d}:{:02d}:00"
        self._days: dict[int, str] = {}
        self._clock_array = np.array(self._clock, dtype=object)

    def _day(self, number: int) -> str:
        spelled = self._days.get(number)
        if spelled is None:
            spelled = self._days[number] = datetime.fromtimestamp(number * DAY, UTC).date().isoformat()
        return spelled

    def stamp(self, seconds: int) -> str:
        return self._day(seconds // DAY) + self._clock[seconds % DAY]

    def stamps(self, seconds: np.ndarray) -> list[str | None]:
        """A column of instants; negative values are NULL."""
        if len(seconds) == 0:
            return []
        known = seconds >= 0
        day = seconds // DAY
        low = int(day[known].min()) if known.any() else 0
        spelled = np.array([self._day(d) for d in range(low, int(day.max()) + 1)] or [""], dtype=object)
        out = spelled[np.where(known, day - low, 0)] + self._clock_array[seconds % DAY]
        return np.where(known, out, None).tolist()

    def clock(self, minutes: int) -> str:
        """A wall-clock time (Time column) from minutes after midnight."""
        return self._time.format(minutes // 60, minutes % 60)

    @staticmethod
    def date(day: date | None) -> str | None:
        return None if day is None else day.isoformat()

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            cursor = self.raw.cursor()
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            count = cursor.rowcount
            cursor.close()
        else:
            count = 0
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
                    count += 1
        self.written[table] = self.written.get(table, 0) + count
        return count

    def next_id(self, table: str) -> int:
        return int(self.connection.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one()) + 1

    def reserve(self, series: str, count: int) -> int:
        """The first of `count` numbers of a series, through the app's own counter (core.numbering)."""
        with Session(bind=self.connection) as session:
            return reserve(session, series, count) if count else 0

    def after_explicit_ids(self, tables: Iterable[str]) -> None:
        """PostgreSQL's sequences must move past ids given explicitly."""
        if self.dialect != "postgresql":
            return
        for table in tables:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Millions of new rows are millions of tuples: the cyclic garbage collector would walk all
    live objects again and again (the rows hold no cycles), so it pauses during a load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def loading(engine: Engine) -> Iterator[Bulk]:
    """One transaction for a bulk load. On SQLite the load skips foreign-key checks (the rows
    are consistent by construction), syncs lazily and, when no other connection has the file
    open, keeps its rollback journal in memory instead of the write-ahead log, which would
    write every page twice; all of it is restored afterwards."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        journal = None
        if sqlite:
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
                raw.execute(f"PRAGMA {pragma}")
            journal = raw.execute("PRAGMA journal_mode").fetchone()[0]
            try:
                raw.execute("PRAGMA journal_mode=MEMORY")
            except sqlite3.OperationalError:  # another connection has the file open: keep the log
                journal = None
        try:
            with connection.begin():
                yield Bulk(connection)
        finally:
            if sqlite:
                if journal:
                    raw.execute(f"PRAGMA journal_mode={journal}")
                for pragma in ("foreign_keys=ON", "synchronous=NORMAL", "cache_size=-2000", "temp_store=DEFAULT"):
                    raw.execute(f"PRAGMA {pragma}")
