"""Crash safety, on SQLite (WAL, as core.db sets it up) and on PostgreSQL.

A real Opsdesk process (tests/crash_worker.py: the app's settings from the environment, its engine,
the services the pages call) saves orders, completes jobs and moves stock as fast as it can. After
30 to 80 orders it is killed with SIGKILL, mid-stream; then the store is started again as the server
starts it (core.bootstrap: migrate, first-start checks) on a new engine and checked:

- every save the worker confirmed (printed after the service call returned) is there, as confirmed:
  the order's number, total and lines, a completed job's status, each stock movement;
- at most one save per kill is there unconfirmed (the one committed just before the kill);
- SQLite: `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` finds nothing; PostgreSQL:
  amcheck finds nothing wrong in any index (with every row indexed) or table heap;
- each order's figures add up from its lines; order numbers run 1..N with the counter at N;
- the ledger balances: each item's on-hand is the sum of its movements, every movement's balance is
  the running sum, never below zero, and a job is completed exactly when its materials went out.

Three kills per database, each restarting the worker on what the previous one left; afterwards one
more order is saved and issued stock, to show the app carries on.

A lost confirmed save fails the first check: the worker prints only once the service has returned,
i.e. after the commit, and the parent reads every line the worker wrote before it died. (Deleting
SQLite's -wal file before the restart, as a careless copy of the database would, loses the last
confirmed orders, and this test says which.)

What it proves is safety against the process dying (kill -9, an out-of-memory kill, a crash), not
against the machine losing power: SQLite runs with synchronous=NORMAL, with which a power cut may
undo the last commits (never corrupt the file).
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter as Tally
from dataclasses import dataclass, fields, replace
from datetime import time as clock_time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from core import bootstrap, db
from core.actor import SYSTEM, Actor
from core.clock import today
from core.config import ROOT, Settings, get_settings, load_settings
from core.models import Counter, Item, Movement, Order
from core.services import orders, stock
from core.services import staff as staff_services
from tests.factories import make_area, make_customer, make_service, make_technician, make_user, order_values
from tests.integration.stock_support import make_item

KILLS = 3
LINE_TIMEOUT_S = 120  # guard against a hung worker, not a measurement
AMCHECK = "SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'"


@dataclass
class Company:
    clerk: Actor
    technician: str
    customer_id: int
    area_id: int


@pytest.fixture
def company(store) -> Company:
    clerk, technician = make_user("clerk1", "clerk"), make_user("liuqiang", "technician")
    area = make_area()
    staff_id = make_technician("刘强", area, user=technician)
    # A second day on shift, in case the run crosses the company's midnight.
    staff_services.add_shift(
        actor=SYSTEM, staff_id=staff_id, day=today() + timedelta(days=2), start=clock_time(8), end=clock_time(18)
    )
    for code, unit, price in (("CARPET", "m2", "8.00"), ("SOFA", "piece", "120.00"), ("STAIN", "hour", "66.66")):
        make_service(code, price=price, minutes="0.5", unit=unit)
    make_item("SHAMPOO-5L", stock_on_hand="300")
    make_item("DETERGENT-L", unit="litre", stock_on_hand="300")
    return Company(clerk, technician.username, make_customer(area)["id"], area)


# --- The worker, and killing it ----------------------------------------------------------


def child_env(url: str) -> dict[str, str]:
    """This process's settings as the environment of a server process on `url`."""
    settings = replace(get_settings(), database_url=url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSDESK_") and k != "DATABASE_URL"}
    names = {"database_url": "DATABASE_URL", "data_dir": "OPSDESK_DATA_DIR"}
    for field in fields(Settings):
        value = getattr(settings, field.name)
        if field.name != "extra" and value not in (None, ""):
            text_value = ("1" if value else "0") if isinstance(value, bool) else str(value)
            env[names.get(field.name, f"OPSDESK_{field.name.upper()}")] = text_value
    assert load_settings(environ=env) == settings, "a setting is not read from OPSDESK_<NAME>; map it here"
    return env


def _reader(stream: Any, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def run_and_kill(store, company: Company, rng: random.Random, log: Path) -> tuple[list[dict], int]:
    """Start a worker, kill it with SIGKILL once it has confirmed 30-80 orders, and return every
    confirmation it printed (also those still in the pipe) and the kill point."""
    db.use_engine(None)  # this process lets go of the store: the worker alone has it open when killed
    target = rng.randint(30, 80)
    args = [company.technician, str(company.customer_id), str(company.area_id), str(rng.randrange(1 << 30))]
    with log.open("w") as errors:
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_worker", company.clerk.username, *args],
            cwd=ROOT,
            env=child_env(store.url),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_reader, args=(worker.stdout, lines), daemon=True)
    reader.start()
    confirmed: list[dict] = []
    try:
        while sum(c["kind"] == "order" for c in confirmed) < target:
            try:
                line = lines.get(timeout=LINE_TIMEOUT_S)
            except queue.Empty:
                pytest.fail(f"the worker printed nothing for {LINE_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
            assert line is not None, f"the worker stopped by itself:\n{log.read_text()[-3000:]}"
            if line.startswith("confirmed ") and line.endswith("\n"):
                confirmed.append(json.loads(line.removeprefix("confirmed ")))
        time.sleep(rng.random() / 50)  # land the kill at varying points of a transaction
        assert worker.poll() is None, f"the worker stopped by itself:\n{log.read_text()[-3000:]}"
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait() == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    reader.join()
    worker.stdout.close()
    while (line := lines.get()) is not None:  # printed before the kill, not read yet: confirmed too
        if line.startswith("confirmed ") and line.endswith("\n"):
            confirmed.append(json.loads(line.removeprefix("confirmed ")))
    return confirmed, target


def restart(store) -> None:
    """What the server runs at start, on a new engine (on SQLite the first open after the kill,
    which recovers from the write-ahead log)."""
    db.use_engine(db.make_engine(store.url))
    assert bootstrap.main() == 0


# --- What must hold after each restart ----------------------------------------------------


def by_kind(confirmed: list[dict], kind: str) -> list[dict]:
    return [c for c in confirmed if c["kind"] == kind]


def check_confirmed_saves(confirmed: list[dict], stored: dict[int, Order], moves: dict[int, Movement], kills: int):
    said = by_kind(confirmed, "order")
    missing = [c["number"] for c in said if c["id"] not in stored]
    assert missing == [], f"confirmed orders lost: {missing}"
    changed = [
        c["number"]
        for c in said
        if (stored[c["id"]].number, stored[c["id"]].total, [(s, Decimal(q), Decimal(a)) for s, q, a in c["lines"]])
        != (c["number"], Decimal(c["total"]), [(li.service_id, li.quantity, li.amount) for li in stored[c["id"]].lines])
    ]
    assert changed == [], f"confirmed orders not as confirmed: {changed}"
    not_completed = [
        c["order_id"] for c in by_kind(confirmed, "completed") if stored[c["order_id"]].status != "completed"
    ]
    assert not_completed == [], f"confirmed completions lost: {not_completed}"
    lost = [
        c["id"]
        for c in by_kind(confirmed, "movement")
        if c["id"] not in moves
        or (moves[c["id"]].item_id, moves[c["id"]].kind, moves[c["id"]].quantity, moves[c["id"]].order_id)
        != (c["item_id"], c["kind_of"], Decimal(c["quantity"]), c["order_id"])
    ]
    assert lost == [], f"confirmed stock movements lost or changed: {lost}"
    assert len(stored) - len(said) <= kills, "more unconfirmed orders than kills"


def check_orders_add_up(stored: dict[int, Order]) -> None:
    wrong = [
        o.number
        for o in stored.values()
        if not o.lines
        or o.subtotal != sum(li.amount for li in o.lines)
        or o.total != o.subtotal - o.discount_amount + o.tax_amount
    ]
    assert wrong == [], f"orders whose figures do not come from their lines: {wrong}"
    numbers = [o.number for o in stored.values()]
    assert len(set(numbers)) == len(numbers)
    per_year: dict[str, list[int]] = {}
    for number in numbers:
        _prefix, year, sequence = number.split("-")
        per_year.setdefault(year, []).append(int(sequence))
    with db.reading() as session:
        counters = {c.name: c.value for c in session.execute(select(Counter)).scalars()}
    for year, sequences in per_year.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), f"order numbers of {year} have gaps"
        assert counters[f"orders-{year}"] == len(sequences)


def check_ledger(stored: dict[int, Order], moves: dict[int, Movement], items: list[Item]) -> None:
    running: dict[int, Decimal] = {i.id: Decimal(0) for i in items}
    broken = []
    for move in sorted(moves.values(), key=lambda m: m.id):
        running[move.item_id] += move.quantity
        if move.balance_after != running[move.item_id] or move.balance_after < 0:
            broken.append(move.id)
    assert broken == [], f"movements whose balance is not the running sum: {broken}"
    assert {i.sku: i.on_hand for i in items} == {i.sku: running[i.id] for i in items}
    assert all(i.on_hand >= 0 for i in items)
    # A job's materials go out in the transaction that completes it: both happened, or neither.
    job_issues = Tally(
        m.order_id for m in moves.values() if m.kind == "issue" and m.reason == stored[m.order_id].number
    )
    completed = {o.id for o in stored.values() if o.status == "completed"}
    assert set(job_issues) == completed
    assert set(job_issues.values()) <= {len(items)}


def check_integrity(store) -> None:
    with db.reading() as session:
        if store.dialect == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            return
        if session.execute(text(AMCHECK)).first() is None:
            return  # test_postgresql_has_amcheck_for_the_crash_test reports the skip
    with db.get_engine().connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        connection.commit()
        indexes = (
            connection.execute(
                text(
                    "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            )
            .scalars()
            .all()
        )
        checked = []
        for index in indexes:  # with every row of the table found in the index (heapallindexed)
            connection.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
            checked.append(index)
        tables = connection.execute(
            text("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE n.nspname = 'public' AND c.relkind = 'r'")
        ).scalars().all()  # fmt: skip
        damaged = {
            t: rows
            for t in tables
            if (rows := connection.execute(text("SELECT * FROM verify_heapam(CAST(:t AS regclass))"), {"t": t}).all())
        }
        connection.execute(text("DROP EXTENSION amcheck"))  # the store left as the app made it
        connection.commit()
    assert {"uq_orders_number", "ix_stock_movements_item_at"} <= set(checked)
    assert damaged == {}


def check_store(store, confirmed: list[dict], kills: int) -> None:
    with db.reading() as session:
        stored = {o.id: o for o in session.execute(select(Order)).scalars()}
        moves = {m.id: m for m in session.execute(select(Movement)).scalars()}
        items = list(session.execute(select(Item)).scalars())
    check_confirmed_saves(confirmed, stored, moves, kills)
    check_orders_add_up(stored)
    check_ledger(stored, moves, items)
    check_integrity(store)


# --- The test ----------------------------------------------------------------------------


def test_a_killed_server_loses_no_confirmed_save_and_the_store_stays_sound(store, company, tmp_path):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    confirmed: list[dict] = []
    for kill in range(1, KILLS + 1):
        saved, target = run_and_kill(store, company, rng, tmp_path / f"worker-{kill}.log")
        confirmed += saved
        if store.dialect == "sqlite":  # the kill left the log behind, so the restart recovers from it
            assert Path(store.url.removeprefix("sqlite:///") + "-wal").exists()
        restart(store)
        try:
            check_store(store, confirmed, kill)
        except AssertionError as failure:  # which kill, at which point: shown with the failure
            raise AssertionError(f"after kill {kill} (at {target} orders, seed {seed}): {failure}") from failure
    assert len(by_kind(confirmed, "order")) >= KILLS * 30 and by_kind(confirmed, "completed")

    # The app carries on: a new order takes the next number, and stock still moves.
    with db.reading() as session:
        count = len(session.execute(select(Order.id)).all())
        shampoo = session.execute(select(Item).where(Item.sku == "SHAMPOO-5L")).scalar_one()
    service_id = by_kind(confirmed, "order")[0]["lines"][0][0]
    after = orders.create_order(
        actor=company.clerk,
        values=order_values(company.customer_id, company.area_id),
        lines=[{"service_id": service_id, "quantity": Decimal(12)}],
        idempotency_key=f"after-restart-{seed}",
    )
    assert int(after["number"].rsplit("-", 1)[1]) == count + 1
    stock.issue(actor=company.clerk, item_id=shampoo.id, quantity=Decimal(1), order_id=after["id"])
    view = orders.get_order(actor=company.clerk, order_id=after["id"])
    assert [(line["service_id"], line["quantity"]) for line in view["lines"]] == [(service_id, Decimal(12))]
    with db.reading() as session:
        assert session.get(Item, shampoo.id).on_hand == shampoo.on_hand - 1


def test_postgresql_has_amcheck_for_the_crash_test(postgres_url):
    """The crash test checks PostgreSQL's indexes and tables with amcheck when the server has it."""
    engine = db.make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            available = connection.execute(text(AMCHECK)).first() is not None
    finally:
        engine.dispose()
    if not available:
        pytest.skip("amcheck is not installable on this PostgreSQL server: the crash test skipped its index check")
