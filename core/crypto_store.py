"""The encrypted columns in the store: the start-up key check (canary), re-encryption and key rotation.

Commands (`python -m core.crypto ...`):
  check      refuse (exit 1, naming the setting or key file) when the keys cannot decrypt this database
  rotate     key file: add a new key first, re-encrypt every row with it, re-check, retire the old keys
  reencrypt  keys from OPSDESK_ENCRYPTION_KEYS: after putting a new key first, re-encrypt every row
             with it (then remove the old key from the setting)
"""

from __future__ import annotations

import sys
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import Engine, inspect

from core import crypto, db
from core.crypto import KeyProblem

CANARY_TEXT = "opsdesk-encryption-canary"  # what the canary token decrypts to (migration 0008 writes it too)
CANARY_TABLE = "encryption_canary"
BATCH = 2_000


def encrypted_columns() -> dict[str, list[str]]:
    """Every table with columns of the encrypted type, and those columns (from the models)."""
    from core.models import Base

    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        columns = [c.name for c in table.columns if isinstance(c.type, crypto.EncryptedText)]
        if columns:
            found[table.name] = columns
    return found


def _raw(table: str, columns: list[str]) -> sa.TableClause:
    """The table with its encrypted columns as plain text: tokens in and out, nothing decrypted."""
    return sa.table(table, sa.column("id", sa.Integer), *[sa.column(c, sa.Text) for c in columns])


def _wrong_key(keys: crypto.Keys) -> KeyProblem:
    return KeyProblem(
        f"The encryption key from {keys.source} cannot decrypt this database's customer data: it is not "
        "the key the data was encrypted with. Nothing was changed. Put the right key back (this install's "
        f"key file, where {crypto.FILE_SETTING} points, or the right {crypto.KEYS_SETTING}) and start again."
    )


def _sample_tokens(connection: Any) -> list[str]:
    """A few stored tokens, to check a key against when there is no canary yet."""
    tokens: list[str] = []
    for table, columns in encrypted_columns().items():
        raw = _raw(table, columns)
        column = raw.c[columns[0]]
        tokens += [v for (v,) in connection.execute(sa.select(column).where(column.is_not(None)).limit(3))]
    return tokens


def check_key(engine: Engine | None = None) -> None:
    """Raise KeyProblem, writing nothing, when the keys in force cannot decrypt this database's data.

    A database not yet migrated to encryption passes (the migration encrypts with these keys); one
    without a canary (just created, or emptied) gets one written with the newest key."""
    engine = engine or db.get_engine()
    if not inspect(engine).has_table(CANARY_TABLE):
        return
    canary = sa.table(CANARY_TABLE, sa.column("id", sa.Integer), sa.column("token", sa.Text))
    with engine.connect() as connection:
        stored = connection.execute(sa.select(canary.c.token).order_by(canary.c.id)).scalars().all()
        tokens = stored or _sample_tokens(connection)
    keys = crypto.keys(create=not tokens)  # data without its key: say so, do not make a new key
    for token in tokens:
        try:
            keys.multi.decrypt(token.encode())
        except InvalidToken:
            raise _wrong_key(keys) from None
    if not stored:
        with engine.begin() as connection:
            connection.execute(canary.insert().values(token=keys.multi.encrypt(CANARY_TEXT.encode()).decode()))


def reencrypt(engine: Engine | None = None, *, only_stale: bool = False) -> dict[str, int]:
    """Re-encrypt every encrypted value (and the canary) with the newest key, batch by batch, each
    batch its own short transaction; returns the values rewritten per table. `only_stale`: only those
    the newest key alone cannot decrypt (the re-check after a pass, which catches rows written meanwhile)."""
    engine = engine or db.get_engine()
    keys = crypto.keys(create=False)
    tables = {**encrypted_columns(), CANARY_TABLE: ["token"]}
    done: dict[str, int] = {}
    for table, columns in tables.items():
        raw = _raw(table, columns)
        update = (
            raw.update()
            .where(raw.c.id == sa.bindparam("row_id"))
            .values({c: sa.bindparam(f"new_{c}") for c in columns})
        )
        last, count = 0, 0
        while True:
            with engine.begin() as connection:
                query = sa.select(raw.c.id, *[raw.c[c] for c in columns]).where(raw.c.id > last).order_by(raw.c.id)
                # Locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises): an edit committed
                # between this read and the write below would otherwise be overwritten with the old value.
                found = connection.execute(query.limit(BATCH).with_for_update()).all()
                if not found:
                    break
                params = []
                for row in found:
                    values = {c: _rotated(keys, getattr(row, c), only_stale) for c in columns}
                    if any(v is not None for v in values.values()):
                        merged = {c: v if v is not None else getattr(row, c) for c, v in values.items()}
                        params.append({"row_id": row.id, **{f"new_{c}": merged[c] for c in columns}})
                if params:
                    connection.execute(update, params)
                count += sum(1 for p in params for c in columns if p[f"new_{c}"] is not None)
                last = found[-1].id
        done[table] = count
    return done


def _rotated(keys: crypto.Keys, token: str | None, only_stale: bool) -> str | None:
    """The token under the newest key, or None when it needs no rewrite."""
    if token is None:
        return None
    if only_stale:
        try:
            keys.newest.decrypt(token.encode())
            return None
        except InvalidToken:
            pass
    try:
        return keys.multi.rotate(token.encode()).decode()
    except InvalidToken:
        raise KeyProblem(
            f"A stored value cannot be decrypted with any key from {keys.source}; nothing more was changed."
        ) from None


def stale(engine: Engine | None = None) -> int:
    """How many stored values the newest key alone cannot decrypt."""
    engine = engine or db.get_engine()
    newest: MultiFernet = crypto.keys(create=False).newest
    count = 0
    with engine.connect() as connection:
        for table, columns in {**encrypted_columns(), CANARY_TABLE: ["token"]}.items():
            raw = _raw(table, columns)
            for row in connection.execute(sa.select(*[raw.c[c] for c in columns])):
                for token in row:
                    if token is None:
                        continue
                    try:
                        newest.decrypt(token.encode())
                    except InvalidToken:
                        count += 1
    return count


def rotate(engine: Engine | None = None) -> dict[str, int]:
    """Key file only: a new key goes first (running servers pick it up and encrypt with it), every row
    is re-encrypted, re-checked until none needs the old keys, then the old keys are retired."""
    engine = engine or db.get_engine()
    check_key(engine)
    keys = crypto.keys(create=False)
    if keys.from_file is None:
        raise KeyProblem(
            f"The keys come from {crypto.KEYS_SETTING}: rotate them by hand. Put a new key first in the setting "
            "(see README, Encryption at rest), restart, run `python -m core.crypto reencrypt`, then remove the "
            "old key from the setting and restart."
        )
    path = keys.from_file
    new = crypto.new_fernet_key()
    crypto.write_key_file(path, crypto.render_key_file([new, *keys.fernet], keys.blind), exclusive=False)
    crypto.reset()
    done = reencrypt(engine)
    for _attempt in range(5):
        if stale(engine) == 0:
            break
        reencrypt(engine, only_stale=True)
    else:
        raise KeyProblem(f"Some values still need the old key; it stays in {path}. Run the rotation again.")
    crypto.write_key_file(path, crypto.render_key_file([new], keys.blind), exclusive=False)
    crypto.reset()
    return done


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    try:
        if command == "check":
            check_key()
            print(f"The encryption key ({crypto.keys().source}) opens this database.")
        elif command == "rotate":
            done = rotate()
            print(f"New key in force, old key retired; re-encrypted: {done}.")
            print(f"Back up the new key file {crypto.key_file()} now (apart from the database backups).")
        elif command == "reencrypt":
            check_key()
            done = reencrypt()
            left = stale()
            print(f"Re-encrypted with the newest key: {done}; values still needing an older key: {left}.")
            return 1 if left else 0
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except KeyProblem as problem:
        print(f"Encryption key problem: {problem}", file=sys.stderr)
        return 1
    return 0
