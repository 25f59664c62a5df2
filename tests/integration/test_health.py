"""The health page's figures on both databases: the database's engine, size and largest tables, who is
signed in, how fresh the analytics snapshot is (never loaded by looking), and the last errors."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from core import db, error_log, health
from core.actor import SYSTEM
from core.analytics import snapshot
from core.auth import log_in, log_out
from core.clock import utcnow
from core.models import AuthSession, User
from core.services.health import system_health
from tests.factories import PASSWORD, make_area, make_user


@pytest.fixture(autouse=True)
def no_snapshot(store):
    """Each test starts with no snapshot loaded in the process and leaves none behind, and with the
    error record installed (as the server does at start) and empty."""
    snapshot.close()
    error_log.uninstall()
    error_log.install()
    yield
    error_log.uninstall()
    snapshot.close()


def analysed(store) -> None:
    """PostgreSQL's row figures are the planner's; ANALYZE makes them exact for tables this small."""
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


# --- the database ---------------------------------------------------------------------------------


def test_the_database_says_its_engine_version_size_and_largest_tables(store):
    for code in ("SH-A", "SH-B", "SH-C"):
        make_area(code=code, name_en=code, name_zh=code)
    analysed(store)
    figures = health.database_figures()
    rows = {table.name: table.rows for table in figures.tables}
    assert rows["service_areas"] == 3
    assert "alembic_version" not in rows
    assert len(figures.tables) == health.LARGEST
    if store.dialect == "sqlite":
        assert figures.engine == "SQLite"
        assert figures.version.startswith("3.")
        path = store.engine.url.database
        assert figures.files[path] == os.path.getsize(path)
        assert figures.size_bytes == sum(
            os.path.getsize(p) for p in (path, path + "-wal", path + "-shm") if Path(p).exists()
        )
        assert figures.exact_rows
        assert [table.rows for table in figures.tables] == sorted(
            (table.rows for table in figures.tables), reverse=True
        )
    else:
        assert figures.engine == "PostgreSQL"
        with store.engine.connect() as connection:
            name, size = connection.execute(
                text("SELECT current_database(), pg_database_size(current_database())")
            ).one()
        assert figures.name == name
        assert abs(figures.size_bytes - size) < 1024 * 1024  # the same figure, give or take a page written since
        assert figures.version.split(".")[0].isdigit()
        assert not figures.exact_rows
        sizes = [table.size_bytes for table in figures.tables]
        assert all(size and size > 0 for size in sizes) and sizes == sorted(sizes, reverse=True)


# --- signed-in sessions ---------------------------------------------------------------------------


def test_only_open_sessions_of_active_users_count_per_person_and_role(store):
    make_user("annaz", "admin")
    make_user("bowen", "clerk", "analyst")
    make_user("chenyu", "manager")
    make_user("daiwei", "clerk")
    before = utcnow()
    first = log_in("annaz", PASSWORD)
    log_in("annaz", PASSWORD)
    log_in("bowen", PASSWORD)
    ended = log_in("chenyu", PASSWORD)
    log_out(ended.token, ended.actor)  # revoked
    expired = log_in("daiwei", PASSWORD)
    with db.writing(SYSTEM) as session:
        session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == expired.actor.user_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        session.commit()
    figures = health.session_figures()
    assert figures.active == 3
    assert {(p.username, p.sessions, p.roles) for p in figures.people} == {
        ("annaz", 2, ("admin",)),
        ("bowen", 1, ("analyst", "clerk")),
    }
    assert figures.by_role == {"admin": 1, "analyst": 1, "clerk": 1}
    assert all(before <= p.last_seen <= utcnow() for p in figures.people)  # set at the login
    with db.writing(SYSTEM) as session:  # someone disabled without their sessions being revoked still counts as out
        session.execute(update(User).where(User.id == first.actor.user_id).values(active=False))
        session.commit()
    assert [p.username for p in health.session_figures().people] == ["bowen"]


# --- the analytics snapshot -----------------------------------------------------------------------


def test_the_snapshot_is_not_loaded_by_looking_at_it(store):
    make_area()
    figures = health.snapshot_figures()
    assert not figures.loaded and figures.tables == [] and figures.refreshed_at is None
    assert snapshot.if_loaded() is None


def test_the_snapshot_says_when_it_caught_up_and_what_it_has_not_read_yet(store):
    make_area()
    before = utcnow()
    with snapshot.reader():
        pass
    figures = health.snapshot_figures()
    assert figures.loaded and before <= figures.refreshed_at <= utcnow()
    areas = next(t for t in figures.tables if t.table == "service_areas")
    assert (areas.rows, areas.pending) == (1, 0)
    assert areas.held_newest == areas.store_newest
    assert figures.pending == 0 and figures.lag == timedelta(0)

    make_area(code="SH-PD", name_en="Pudong", name_zh="浦东新区")  # saved, not yet read by the snapshot
    behind = health.snapshot_figures()
    areas = next(t for t in behind.tables if t.table == "service_areas")
    assert (areas.rows, areas.pending) == (1, 1)
    assert areas.store_newest > areas.held_newest
    assert behind.pending == 1 and behind.lag == areas.store_newest - areas.held_newest
    assert behind.refreshed_at == figures.refreshed_at  # looking did not catch it up

    with snapshot.reader():
        pass
    caught_up = health.snapshot_figures()
    areas = next(t for t in caught_up.tables if t.table == "service_areas")
    assert (areas.rows, areas.pending, caught_up.lag) == (2, 0, timedelta(0))
    assert caught_up.refreshed_at > figures.refreshed_at


# --- all of it, through the service ---------------------------------------------------------------


def test_the_service_gives_every_section_to_an_admin(store):
    admin = make_user("root", "admin")
    log_in("root", PASSWORD)
    found = system_health(actor=admin)
    assert (
        found.database is not None
        and found.database.engine == {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[store.dialect]
    )
    assert found.sessions is not None and [p.username for p in found.sessions.people] == ["root"]
    assert found.snapshot is not None and not found.snapshot.loaded
    assert "database" not in found.problems and "sessions" not in found.problems


def test_a_section_that_cannot_be_read_says_why_and_the_others_still_show(store, monkeypatch):
    def broken() -> None:
        raise ConnectionError("the store went away")

    monkeypatch.setattr(health, "snapshot_figures", broken)
    found = health.check()
    assert str(found.problems["snapshot"]) == "This could not be read: ConnectionError"
    assert found.snapshot is None and found.database is not None
    logged = [e for e in found.errors if e.logger == "opsdesk.health"]
    assert logged and logged[0].exception == "ConnectionError" and logged[0].detail == "the store went away"
