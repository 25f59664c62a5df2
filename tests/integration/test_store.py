"""The store: SQLite tuning, write transactions that never hit "database is locked",
migrations that match the models, and UTC-only timestamps."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from core import db
from core.actor import SYSTEM
from core.models import AuditEntry, Base, Counter, Customer, LoginThrottle
from core.numbering import reserve
from tests.factories import customer_values, make_area, make_customer
from tests.threads import run_in_threads as run_threads

THREADS = 8
ITERATIONS = 15


def run_in_threads(work) -> list:
    return run_threads(work, THREADS)


# --- SQLite tuning -----------------------------------------------------------------------


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_store):
    with sqlite_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_a_sqlite_write_transaction_takes_the_write_lock_before_its_first_write(sqlite_store):
    path = sqlite_store.url.removeprefix("sqlite:///")
    with db.writing(SYSTEM) as session:
        session.execute(select(func.count()).select_from(Customer)).scalar_one()  # a read only
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_sqlite_read_transaction_does_not_block_a_writer(sqlite_store):
    path = sqlite_store.url.removeprefix("sqlite:///")
    with db.reading() as session:
        session.execute(select(func.count()).select_from(Customer)).scalar_one()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO counters (name, value) VALUES ('probe', 1)")
            other.execute("COMMIT")
        finally:
            other.close()


def test_foreign_keys_are_enforced(store):
    with db.writing(SYSTEM) as session:
        session.add(Customer(**customer_values(area_id=999), code="CU-999999"))
        with pytest.raises(IntegrityError):
            session.flush()


# --- Concurrent read-then-write ----------------------------------------------------------


def test_concurrent_read_then_write_transactions_all_succeed_without_lost_updates(store):
    with db.writing(SYSTEM) as session:
        session.add(Counter(name="race", value=0))
        session.commit()

    def bump(_index: int) -> None:
        for _ in range(ITERATIONS):
            with db.writing(SYSTEM) as session:
                read = select(Counter).where(Counter.name == "race")
                if store.dialect == "postgresql":
                    read = read.with_for_update()  # PostgreSQL's way to read-to-write; SQLite needs none
                counter = session.execute(read).scalar_one()
                counter.value = counter.value + 1
                session.commit()

    run_in_threads(bump)
    with db.reading() as session:
        assert session.get(Counter, "race").value == THREADS * ITERATIONS


def test_concurrent_reservations_through_numbering_lose_no_update(store):
    def take(_index: int) -> None:
        for _ in range(ITERATIONS):
            with db.writing(SYSTEM) as session:
                reserve(session, "race")
                session.commit()

    run_in_threads(take)
    with db.reading() as session:
        assert session.get(Counter, "race").value == THREADS * ITERATIONS


# --- Migrations --------------------------------------------------------------------------


def test_the_migrations_build_exactly_the_tables_the_models_describe(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


# --- UTC timestamps ----------------------------------------------------------------------


def test_a_naive_datetime_is_refused_and_nothing_is_written(store):
    row = {"at": datetime(2025, 3, 1, 10, 30), "actor_name": "system", "action": "create"}
    with db.writing(SYSTEM) as session, pytest.raises(StatementError, match="naive datetime"):
        session.execute(insert(AuditEntry), [row])
    with db.reading() as session:
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


def test_an_aware_datetime_comes_back_as_the_same_moment_in_utc(store):
    shanghai = datetime(2025, 3, 1, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with db.writing(SYSTEM) as session:
        session.add(LoginThrottle(username="someone", failures=1, last_failure_at=shanghai))
        session.commit()
    with db.reading() as session:
        stored = session.get(LoginThrottle, "someone").last_failure_at
    assert stored == shanghai
    assert stored.tzinfo is UTC
    assert (stored.hour, stored.minute) == (2, 30)


def test_stamps_on_records_are_read_back_as_aware_utc(store):
    area = make_area()
    row = make_customer(area)
    with db.reading() as session:
        customer = session.get(Customer, row["id"])
        entry = session.execute(select(AuditEntry).where(AuditEntry.entity == "customers")).scalars().first()
    for value in (customer.created_at, customer.updated_at, entry.at, row["updated_at"]):
        assert value.tzinfo is UTC
    assert abs((datetime.now(UTC) - customer.created_at).total_seconds()) < 60
