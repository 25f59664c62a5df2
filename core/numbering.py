"""Readable, unique, gap-free numbers (customer codes now, order numbers later).

The counter row is bumped inside the caller's write transaction: a rollback
returns the number, and the row lock (PostgreSQL) or the write lock (SQLite's
BEGIN IMMEDIATE) makes concurrent callers wait their turn, so there are no gaps
and no duplicates.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.models import Counter


def reserve(session: Session, series: str, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of `series`; returns the first."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Counter)
        .values(name=series, value=count)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + count})
        .returning(Counter.value)
    )
    last = session.execute(statement).scalar_one()
    return last - count + 1


def format_number(prefix: str, value: int, *, year: int | None = None, width: int = 6) -> str:
    middle = f"{year}-" if year is not None else ""
    return f"{prefix}-{middle}{value:0{width}d}"
