"""Shared fixtures: settings for tests, and a migrated store on SQLite and on PostgreSQL.

`store` runs a test once per database. PostgreSQL is the server on this machine
(OPSDESK_TEST_POSTGRES_URL to point elsewhere); when it cannot be reached the
PostgreSQL runs are skipped with the reason shown, except under CI=true, where
they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

import core.services  # noqa: F401  (registers every service)
from core import config, db, migrate

POSTGRES_URL = os.environ.get("OPSDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


@dataclass
class Store:
    dialect: str
    url: str
    engine: Engine


@pytest.fixture(scope="session", autouse=True)
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[config.Settings]:
    data = tmp_path_factory.mktemp("data")
    settings = config.override_settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'default.db'}",
        bcrypt_rounds=4,
        language="en",
        demo=False,
        cookie_key="test-only-cookie-key-0123456789abcdef",
        timezone="Asia/Shanghai",
        locale="zh_CN",
        currency="CNY",
        scheduler=False,
    )
    yield settings
    config.reset_settings()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (much faster than migrating again)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the PostgreSQL server, migrated once, dropped at the end."""
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with server.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        server.dispose()
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true requires the PostgreSQL run)")
        pytest.skip(reason)
    name = f"opsdesk_test_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = db.make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _sqlite_store(template: Path, directory: Path) -> Store:
    path = directory / "opsdesk.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    return Store("sqlite", url, db.make_engine(url))


def _postgres_store(url: str) -> Store:
    engine = db.make_engine(url)
    tables = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    return Store("postgresql", url, engine)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A freshly migrated, empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        chosen = _sqlite_store(sqlite_template, tmp_path)
    else:
        chosen = _postgres_store(request.getfixturevalue("postgres_url"))
    db.use_engine(chosen.engine)
    yield chosen
    db.use_engine(None)


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    """The same, on SQLite only: for tests of behaviour that does not depend on the database."""
    chosen = _sqlite_store(sqlite_template, tmp_path)
    db.use_engine(chosen.engine)
    yield chosen
    db.use_engine(None)
