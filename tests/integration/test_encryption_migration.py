"""Migration 0008 encrypts an existing install's plaintext contacts in place (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from core import crypto, crypto_store, db, migrate
from core.models import Customer, Order
from tests.conftest import POSTGRES_URL

PHONES = ["13812345678", "021-61234567", "13900000003"]
EMAIL = "zhangwei@example.com"
ADDRESS = "上海市徐汇区漕溪北路100号"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database with no tables yet, to migrate step by step."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        db.use_engine(engine)
        yield engine
        db.use_engine(None)
        return
    request.getfixturevalue("postgres_url")  # skips (or fails under CI) when the server is not there
    server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"opsdesk_mig_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = db.make_engine(POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}")
    db.use_engine(engine)
    yield engine
    db.use_engine(None)
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def upgrade(engine: sa.Engine, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def write_plaintext(engine: sa.Engine) -> None:
    """Rows as an install at revision 0007 holds them: contacts in plain text."""
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    meta = sa.MetaData()
    meta.reflect(engine, only=["service_areas", "customers", "orders", "contracts"])
    t = meta.tables
    with engine.begin() as connection:
        connection.execute(
            t["service_areas"].insert(),
            {
                "id": 1,
                "code": "SH-XH",
                "name_en": "Xuhui",
                "name_zh": "徐汇区",
                "city": "上海",
                "active": True,
                **stamps,
            },
        )
        connection.execute(
            t["customers"].insert(),
            [
                {"id": n + 1, "code": f"CU-{n + 1:06d}", "kind": "person", "name": f"客户{n}", "phone": phone,
                 "phone_alt": "13700000000" if n == 0 else None, "email": EMAIL if n == 0 else None,
                 "address": ADDRESS, "area_id": 1, "source": "phone", **stamps}
                for n, phone in enumerate(PHONES)
            ],
        )  # fmt: skip
        window = {"window_start": time(9), "window_end": time(12), "area_id": 1, "address": ADDRESS, **stamps}
        connection.execute(
            t["contracts"].insert(),
            {"id": 1, "code": "CT-000001", "customer_id": 1, "frequency": "weekly", "starts_on": date(2026, 1, 5),
             "channel": "phone", "active": True, **window},
        )  # fmt: skip
        money = {name: 0 for name in ("subtotal", "discount_amount", "tax_rate", "tax_amount", "total", "paid")}
        connection.execute(
            t["orders"].insert(),
            {"id": 1, "number": "SO-2026-000001", "customer_id": 2, "channel": "phone", "status": "new",
             "requested_date": date(2026, 1, 6), "discount_pct": 0, "discount_state": "none", "refunded": 0,
             "idempotency_key": "k1",
             **money, **window},
        )  # fmt: skip


def test_upgrading_an_install_encrypts_its_plaintext_contacts_in_place(empty_engine):
    upgrade(empty_engine, "0007")
    write_plaintext(empty_engine)
    upgrade(empty_engine, "head")
    with empty_engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT phone, phone_alt, email, address, phone_hash, phone_alt_hash, email_hash FROM customers ORDER BY id"
        ).all()
        copies = connection.exec_driver_sql(
            "SELECT address FROM orders UNION ALL SELECT address FROM contracts"
        ).scalars()
        copies = list(copies)
        canary = connection.exec_driver_sql("SELECT token FROM encryption_canary").scalars().all()
    assert len(stored) == 3 and len(copies) == 2 and len(canary) == 1
    for phone, row in zip(PHONES, stored, strict=True):
        tokens = [value for value in row[:4] if value is not None]
        assert all(value.startswith("gAAAAA") for value in tokens)
        assert crypto.decrypt(row[0]) == phone and crypto.decrypt(row[3]) == ADDRESS
        assert row[4] == crypto.blind_index("phone", phone)
    assert stored[0][5] == crypto.blind_index("phone", "13700000000")
    assert stored[0][6] == crypto.blind_index("email", EMAIL) and stored[1][6] is None
    assert [crypto.decrypt(token) for token in copies] == [ADDRESS, ADDRESS]
    assert crypto.decrypt(canary[0]) == crypto_store.CANARY_TEXT
    crypto_store.check_key(empty_engine)
    with db.reading() as session:
        assert session.get(Customer, 2).phone == "021-61234567"
        assert session.get(Order, 1).address == ADDRESS
        found = session.execute(
            sa.select(Customer.code).where(Customer.email_hash == crypto.blind_index("email", EMAIL))
        )
        assert found.scalars().all() == ["CU-000001"]
    if empty_engine.dialect.name == "sqlite":  # and the plaintext replaced is not left on disk
        empty_engine.dispose()
        path = Path(empty_engine.url.database or "")
        checkpoint = sqlite3.connect(path)
        assert checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        checkpoint.close()
        data = path.read_bytes()
        assert "客户0".encode() in data
        assert [secret for secret in [*PHONES, EMAIL, ADDRESS] if secret.encode() in data] == []
