"""Encrypted customer contacts: customers' phones, email and address, and the copies of an address on
orders and contracts, become Fernet tokens (core/crypto.py); phones and email get a blind index (keyed
hashes) for exact search and the duplicate check; a canary token lets a start refuse a wrong key.

Existing rows are encrypted in place, batch by batch, with the keys in force (a key file is generated
when none is configured).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from core import crypto

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 2_000
CANARY = "opsdesk-encryption-canary"  # core.crypto_store.CANARY_TEXT at the time of this migration
# table -> its encrypted columns (and their former lengths, for a downgrade)
ENCRYPTED = {
    "customers": {"phone": 32, "phone_alt": 32, "email": 254, "address": 300},
    "orders": {"address": 300},
    "contracts": {"address": 300},
}
NULLABLE = {"phone_alt", "email"}
HASHES = {"phone": ("phone_hash", "phone"), "phone_alt": ("phone_alt_hash", "phone"), "email": ("email_hash", "email")}


def _retype(table: str, to_text: bool) -> None:
    """The encrypted columns become TEXT (tokens are longer than the plaintext limits), or back."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_retype(table, to_text)
        return
    for column, length in ENCRYPTED[table].items():
        before, after = sa.VARCHAR(length=length), sa.Text()
        op.alter_column(
            table,
            column,
            existing_type=before if to_text else after,
            type_=after if to_text else before,
            existing_nullable=column in NULLABLE,
        )


def _sqlite_retype(table: str, to_text: bool) -> None:
    """On SQLite only the declared type changes: VARCHAR(n) and TEXT have the same (text) affinity and
    SQLite never enforced the length, so the stored rows stay as they are. Copying the tables instead
    (Alembic's batch mode) would trip the foreign keys of every table pointing at them."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
    for column, length in ENCRYPTED[table].items():
        before, after = (f"VARCHAR({length})", "TEXT") if to_text else ("TEXT", f"VARCHAR({length})")
        sql, count = re.subn(rf"(\n\s*{column} ){re.escape(before)}", rf"\g<1>{after}", sql)
        if count != 1:
            raise RuntimeError(f"{table}.{column}: expected one column declared {before}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _rewrite(table: str, change: Callable[[dict[str, str | None]], dict[str, str | None]]) -> None:
    """Rewrite the encrypted columns of every row, in batches by id."""
    columns = list(ENCRYPTED[table])
    extra = [HASHES[c][0] for c in columns if c in HASHES]
    rows = sa.table(table, sa.column("id", sa.Integer), *[sa.column(c, sa.Text) for c in columns + extra])
    update = (
        rows.update()
        .where(rows.c.id == sa.bindparam("row_id"))
        .values({c: sa.bindparam(f"new_{c}") for c in columns + extra})
    )
    connection = op.get_bind()
    last = 0
    while True:
        query = sa.select(rows.c.id, *[rows.c[c] for c in columns]).where(rows.c.id > last).order_by(rows.c.id)
        found = connection.execute(query.limit(BATCH)).all()
        if not found:
            return
        params = []
        for row in found:
            values = change({c: getattr(row, c) for c in columns})
            params.append({"row_id": row.id, **{f"new_{c}": values.get(c) for c in columns + extra}})
        connection.execute(update, params)
        last = found[-1].id


def _encrypted(values: dict[str, str | None]) -> dict[str, str | None]:
    out = {c: None if v is None else crypto.encrypt(v) for c, v in values.items()}
    for column, (hashed, kind) in HASHES.items():
        if column in values:
            out[hashed] = crypto.blind_index(kind, values[column])
    return out


def _decrypted(values: dict[str, str | None]) -> dict[str, str | None]:
    out = {c: None if v is None else crypto.decrypt(v) for c, v in values.items()}
    return out | {hashed: None for column, (hashed, _kind) in HASHES.items() if column in values}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # the plaintext replaced below is zeroed, not left in free space
        op.get_bind().exec_driver_sql("PRAGMA secure_delete = ON")
    op.create_table(
        "encryption_canary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encryption_canary")),
    )
    _retype("contracts", True)
    with op.batch_alter_table("customers", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_alt_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("email_hash", sa.String(length=64), nullable=True))
        batch_op.drop_index(batch_op.f("ix_customers_email"))
        batch_op.drop_index(batch_op.f("ix_customers_phone"))
        batch_op.create_index(batch_op.f("ix_customers_email_hash"), ["email_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_phone_alt_hash"), ["phone_alt_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_phone_hash"), ["phone_hash"], unique=False)
    _retype("customers", True)
    _retype("orders", True)
    for table in ENCRYPTED:
        _rewrite(table, _encrypted)
    canary = sa.table("encryption_canary", sa.column("token", sa.Text))
    op.get_bind().execute(canary.insert().values(token=crypto.encrypt(CANARY)))


def downgrade() -> None:
    for table in ENCRYPTED:
        _rewrite(table, _decrypted)
    _retype("orders", False)
    _retype("customers", False)
    with op.batch_alter_table("customers", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_customers_phone_alt_hash"))
        batch_op.drop_index(batch_op.f("ix_customers_email_hash"))
        batch_op.create_index(batch_op.f("ix_customers_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_email"), ["email"], unique=False)
        batch_op.drop_column("email_hash")
        batch_op.drop_column("phone_alt_hash")
        batch_op.drop_column("phone_hash")
    _retype("contracts", False)
    op.drop_table("encryption_canary")
