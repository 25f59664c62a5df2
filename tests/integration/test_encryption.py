"""Customers' contacts encrypted at rest (core/crypto.py): stored as tokens, read back plain, found by
their blind index, never in the SQLite file, its WAL or a backup; key rotation; a wrong key refused."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from core import config, crypto, crypto_store, db
from core.analytics import snapshot
from core.backups import take_backup
from core.models import Customer, Order
from core.services.customers import customers
from core.services.orders import search_orders
from core.services.records import PossibleDuplicate
from tests.factories import customer_values, make_area, make_customer
from tests.integration.order_support import place

PHONE = "13812345678"
EMAIL = "zhangwei@example.com"
ADDRESS = "上海市徐汇区漕溪北路100号"


def raw(sql: str) -> list[tuple]:
    """Rows as stored, bypassing the encrypted column type."""
    with db.get_engine().connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def test_contacts_are_stored_as_tokens_with_their_blind_index_and_read_back_plain(store, area):
    made = make_customer(area, phone="138 1234 5678", phone_alt="021-6123 4567", email=" ZhangWei@Example.com")
    (phone, alt, email, address, phone_hash, alt_hash, email_hash) = raw(
        "SELECT phone, phone_alt, email, address, phone_hash, phone_alt_hash, email_hash FROM customers"
    )[0]
    for token in (phone, alt, email, address):
        assert token.startswith("gAAAAA") and PHONE not in token
    assert crypto.decrypt(phone) == PHONE and crypto.decrypt(address) == ADDRESS
    assert phone_hash == crypto.blind_index("phone", "+86 138-1234-5678")
    assert alt_hash == crypto.blind_index("phone", "02161234567")
    assert email_hash == crypto.blind_index("email", EMAIL.upper())
    with db.reading() as session:
        stored = session.get(Customer, made["id"])
        assert (stored.phone, stored.phone_alt, stored.email, stored.address) == (
            PHONE,
            "021-61234567",
            EMAIL,
            ADDRESS,
        )


def test_a_changed_phone_moves_its_blind_index_and_a_removed_one_clears_it(store, clerk, area):
    made = make_customer(area, phone_alt="13900000001")
    customers.update(
        actor=clerk,
        record_id=made["id"],
        values=customer_values(area, phone="13700000000", phone_alt=None, email=EMAIL),
        expected_version=made["version"],
    )
    phone_hash, alt_hash = raw("SELECT phone_hash, phone_alt_hash FROM customers")[0]
    assert (phone_hash, alt_hash) == (crypto.blind_index("phone", "13700000000"), None)


def test_an_orders_address_is_encrypted_and_the_order_is_found_by_the_whole_phone(store, clerk, area, carpet):
    made = make_customer(area)
    order = place(clerk, made["id"], area, carpet)
    (address,) = raw(f"SELECT address FROM orders WHERE id = {order['id']}")[0]
    assert address.startswith("gAAAAA") and crypto.decrypt(address) == ADDRESS
    with db.reading() as session:
        assert session.get(Order, order["id"]).address == ADDRESS
    for query in ("138 1234 5678", "+86 138-1234-5678"):
        assert [r["id"] for r in search_orders(actor=clerk, query=query).rows] == [order["id"]]
    assert search_orders(actor=clerk, query="1381234").rows == []
    assert [r["id"] for r in search_orders(actor=clerk, query="张伟").rows] == [order["id"]]  # name search as before


def test_the_duplicate_check_finds_the_same_phone_or_email_written_differently(store, clerk, area):
    first = make_customer(area)
    with pytest.raises(PossibleDuplicate) as asked:
        customers.create(actor=clerk, values=customer_values(area, phone="+86 138-1234-5678", email="new@example.com"))
    assert [m["code"] for m in asked.value.matches] == [first["code"]]
    with pytest.raises(PossibleDuplicate) as asked:
        customers.create(actor=clerk, values=customer_values(area, phone="13900000009", email=" ZHANGWEI@example.COM"))
    assert [m["code"] for m in asked.value.matches] == [first["code"]]
    with pytest.raises(PossibleDuplicate):  # a new customer's phone already on file as someone's other phone
        customers.create(actor=clerk, values=customer_values(area, phone="13900000010", phone_alt=PHONE, email=None))


def test_an_imported_customer_gets_its_blind_index_and_a_stored_phone_is_flagged(store, clerk, area):
    make_customer(area)
    data = (
        "Name,Type,Phone,Email,Address,Service area,Source channel\n"
        f"李娜,person,139 0000 0042,lina@example.com,{ADDRESS},SH-XH,phone\n"
        f"王芳,person,{PHONE},wf@example.com,{ADDRESS},SH-XH,phone\n"
    ).encode()
    check = customers.check_import(actor=clerk, data=data)
    assert [(w.row, w.field) for w in check.warnings] == [(3, "phone")]
    customers.run_import(actor=clerk, data=data)
    assert all(
        token.startswith("gAAAAA") for row in raw("SELECT phone, email, address FROM customers") for token in row
    )
    hashes = {h for (h,) in raw("SELECT phone_hash FROM customers")}
    assert crypto.blind_index("phone", "13900000042") in hashes
    assert [r["name"] for r in customers.search(actor=clerk, query="13900000042").rows] == ["李娜"]


def test_the_analytics_snapshot_holds_the_contacts_decrypted_in_memory_only(store, area):
    make_customer(area)
    snapshot.close()
    try:
        with snapshot.reader() as con:
            assert con.execute("SELECT phone, email, address FROM customers").fetchall() == [(PHONE, EMAIL, ADDRESS)]
            assert con.execute("SELECT current_setting('temp_directory')").fetchall() == [("",)]
    finally:
        snapshot.close()


# --- Nothing in plain text on disk (SQLite) ---------------------------------------------------

SECRETS = [PHONE, "138 1234 5678", "138-1234-5678", EMAIL, ADDRESS]


def plaintext_in(path: Path) -> list[str]:
    data = path.read_bytes()
    return [secret for secret in SECRETS if secret.encode() in data]


def test_no_plaintext_of_a_phone_email_or_address_in_the_sqlite_file_its_wal_or_a_backup(sqlite_store, tmp_path):
    area = make_area()
    path = Path(sqlite_store.engine.url.database)
    holder = sqlite3.connect(path)  # an open reader keeps the WAL from being checkpointed away
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM customers").fetchall()
    make_customer(area, email=EMAIL.upper())
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    assert "张伟".encode() in wal.read_bytes()  # the search would see plaintext: the name is not encrypted
    assert plaintext_in(wal) == [] and plaintext_in(path) == []
    holder.rollback()
    holder.close()
    checkpoint = sqlite3.connect(path)
    assert checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # 0: not blocked
    checkpoint.close()
    assert "张伟".encode() in path.read_bytes()
    assert plaintext_in(path) == []
    backups = tmp_path / "backups"
    backups.mkdir()
    info = take_backup(replace(config.get_settings(), backup_dir=backups))
    assert info.path.is_file() and "张伟".encode() in info.path.read_bytes()
    for stored in backups.rglob("*"):
        if stored.is_file():
            assert plaintext_in(stored) == [], stored
            assert all(key not in stored.read_bytes() for key in crypto.keys().fernet)  # nor the key


# --- Rotation and the start-up check ------------------------------------------------------------


@pytest.fixture
def own_keys(tmp_path: Path):
    """The session's keys copied into a key file of this test's own, restored afterwards."""
    path = tmp_path / "encryption.keys"
    before = crypto.keys()
    crypto.write_key_file(path, crypto.render_key_file(before.fernet, before.blind), exclusive=True)
    config.override_settings(key_file=path)
    crypto.reset()
    yield path
    config.override_settings(key_file=None, encryption_keys="", blind_index_key="")
    crypto.reset()


def tokens() -> list[str]:
    found = []
    for table, columns in {**crypto_store.encrypted_columns(), "encryption_canary": ["token"]}.items():
        for row in raw(f"SELECT {', '.join(columns)} FROM {table}"):
            found += [value for value in row if value is not None]
    return found


def test_rotation_re_encrypts_every_row_and_retires_the_old_key(store, clerk, area, carpet, own_keys):
    made = make_customer(area, phone_alt="13900000001")
    place(clerk, made["id"], area, carpet)
    crypto_store.check_key()  # the canary
    old = crypto.keys().fernet
    before = tokens()
    assert len(before) == 6  # the customer's four contacts, the order's address, the canary
    done = crypto_store.rotate()
    assert (done["customers"], done["orders"], done["encryption_canary"]) == (4, 1, 1)
    new = crypto.keys().fernet
    assert len(new) == 1 and new[0] not in old
    assert crypto.read_key_file(own_keys)[0] == list(new)
    after = tokens()
    assert len(after) == len(before) and not set(after) & set(before)
    for token in after:
        Fernet(new[0]).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old[0]).decrypt(token.encode())
    with db.reading() as session:
        assert session.get(Customer, made["id"]).phone == PHONE
    crypto_store.check_key()


def test_reencrypt_moves_every_row_to_the_new_key_put_first_in_the_setting(store, area, own_keys):
    make_customer(area)
    crypto_store.check_key()
    old, blind = crypto.keys().fernet[0], crypto.keys().blind
    new = Fernet.generate_key()
    config.override_settings(encryption_keys=f"{new.decode()},{old.decode()}", blind_index_key=blind.decode())
    crypto.reset()
    assert crypto_store.stale() == 4  # phone, email, address and the canary
    crypto_store.reencrypt()
    assert crypto_store.stale() == 0
    config.override_settings(encryption_keys=new.decode())  # the old key removed
    crypto.reset()
    crypto_store.check_key()
    with db.reading() as session:
        assert session.query(Customer).one().email == EMAIL


def database_state() -> list[tuple]:
    return raw("SELECT id, token FROM encryption_canary") + raw("SELECT id, phone, address, version FROM customers")


def test_a_wrong_key_is_refused_at_start_naming_the_key_file_and_nothing_changes(store, area, own_keys, capsys):
    from core import bootstrap

    make_customer(area)
    crypto_store.check_key()
    before = database_state()
    crypto.write_key_file(own_keys, crypto.render_key_file([Fernet.generate_key()], b"another"), exclusive=False)
    crypto.reset()
    with pytest.raises(crypto.KeyProblem, match=str(own_keys)):
        crypto_store.check_key()
    assert bootstrap.main() == 1
    assert "cannot decrypt" in capsys.readouterr().err
    assert crypto_store.main(["check"]) == 1  # python -m core.crypto check
    assert str(own_keys) in capsys.readouterr().err
    assert database_state() == before


def test_a_missing_key_file_is_refused_and_no_new_key_is_made(store, area, own_keys):
    make_customer(area)
    crypto_store.check_key()
    before = database_state()
    own_keys.unlink()
    crypto.reset()
    with pytest.raises(crypto.KeyProblem, match="does not exist"):
        crypto_store.check_key()
    assert not own_keys.exists()
    assert database_state() == before


def test_a_generated_key_file_is_private_to_its_owner(tmp_path):
    path = tmp_path / "keys" / "encryption.keys"
    settings = replace(config.get_settings(), key_file=path, encryption_keys="", blind_index_key="")
    made = crypto.keys(settings)
    assert path.stat().st_mode & 0o777 == 0o600
    assert crypto.keys(settings).fernet == made.fernet  # generated once
    crypto.reset()
    other = crypto.render_key_file([Fernet.generate_key()], crypto.new_blind_key())
    assert crypto.write_key_file(path, other, exclusive=True) is False  # a second maker loses the race
    assert crypto.read_key_file(path)[0] == list(made.fernet)
    assert [p.name for p in path.parent.iterdir()] == ["encryption.keys"]  # no temporary file left


@pytest.mark.parametrize("orders", [0, 60])
def test_the_demo_generator_writes_encrypted_contacts_with_their_blind_index(store, orders):
    from core.demo.generate import seed

    seed(customers=12, orders=orders, seed_value=5)
    rows = raw("SELECT phone, email, address, phone_hash, email_hash FROM customers")
    assert len(rows) == 12
    for phone, email, address, phone_hash, email_hash in rows:
        assert phone.startswith("gAAAAA") and address.startswith("gAAAAA")
        assert phone_hash == crypto.blind_index("phone", crypto.decrypt(phone))
        assert email_hash == (crypto.blind_index("email", crypto.decrypt(email)) if email else None)
    assert all(address.startswith("gAAAAA") for (address,) in raw("SELECT address FROM orders"))
    assert len(raw("SELECT address FROM orders")) == orders
