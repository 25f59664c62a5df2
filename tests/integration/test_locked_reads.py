"""Reads that a write depends on must see the row as it is under the lock: an order the session
already holds (SQLAlchemy otherwise keeps the values it read before the lock: the lost update
`make loadtest` found in core.stock.load_item), a batch of tokens being re-encrypted, and a stock
adjustment two managers decide at the same moment."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import text

from core import crypto, crypto_store, db
from core.actor import SYSTEM
from core.errors import OpsdeskError
from core.i18n import translate
from core.models import Customer, StockAdjustment
from core.order_rules import load_order
from core.services import counts, payments
from core.services.customers import customers
from tests.factories import customer_values, make_customer
from tests.integration.stock_support import make_item, movements, new_order, on_hand


def test_a_locked_load_of_an_order_the_session_already_holds_sees_a_payment_committed_meanwhile(
    store, clerk, customer, area, carpet
):
    order = new_order(clerk, customer["id"], area, carpet)
    outcome: list[object] = []

    def pay() -> None:
        try:
            outcome.append(payments.record_payment(actor=clerk, order_id=order["id"], amount="50", method="cash"))
        except Exception as failed:  # shown by the assertions below
            outcome.append(failed)

    with db.writing(SYSTEM) as session:
        seen = load_order(session, order["id"])  # read before the lock; the session keeps it while it is held
        assert seen.paid == Decimal(0)
        payer = threading.Thread(target=pay)
        payer.start()
        if store.dialect == "postgresql":  # nothing holds the payment back: this session has no lock yet
            payer.join(60)
            assert not payer.is_alive() and len(outcome) == 1 and isinstance(outcome[0], dict), outcome
        locked = load_order(session, order["id"], lock=True)
        assert locked is seen
        # SQLite: this writer began with BEGIN IMMEDIATE, so the payment waits for it to end.
        assert locked.paid == (Decimal(50) if store.dialect == "postgresql" else Decimal(0))
        session.commit()
    payer.join(60)
    assert not payer.is_alive() and len(outcome) == 1 and isinstance(outcome[0], dict), outcome
    assert outcome[0]["paid"] == Decimal(50)


def _waiting_for_a_lock_or_done(worker: threading.Thread) -> None:
    """Until `worker` has finished or waits for a row lock of this test's PostgreSQL database."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while worker.is_alive():
        with db.get_engine().connect() as connection:  # a new transaction each time: its view is a snapshot
            if connection.execute(waiting).scalar():
                return
        worker.join(0.05)


def test_a_phone_changed_while_its_batch_is_being_reencrypted_is_kept(store, clerk, area, monkeypatch):
    made = make_customer(area)
    with db.reading() as session:
        old_phone = session.get(Customer, made["id"]).phone
    original = crypto_store._rotated
    outcome: list[object] = []

    def edit() -> None:
        try:
            changed = customer_values(area, phone="13700000000")
            outcome.append(
                customers.update(actor=clerk, record_id=made["id"], values=changed, expected_version=made["version"])
            )
        except Exception as failed:  # shown by the assertions below
            outcome.append(failed)

    editor = threading.Thread(target=edit)

    def rotated_while_a_clerk_edits(keys, token, only_stale):  # the batch holding the phone has been read
        if token is not None and not editor.is_alive() and not outcome and crypto.decrypt(token) == old_phone:
            editor.start()
            if store.dialect == "postgresql":  # SQLite's edit cannot even begin before the batch commits
                _waiting_for_a_lock_or_done(editor)
        return original(keys, token, only_stale)

    monkeypatch.setattr(crypto_store, "_rotated", rotated_while_a_clerk_edits)
    crypto_store.reencrypt()
    editor.join(60)
    assert not editor.is_alive() and len(outcome) == 1 and isinstance(outcome[0], dict), outcome
    with db.reading() as session:
        assert session.get(Customer, made["id"]).phone == "13700000000"
    assert crypto_store.stale() == 0


def test_an_adjustment_decided_by_two_managers_at_once_is_posted_once_and_the_second_is_told(
    store, clerk, manager, monkeypatch
):
    item = make_item(stock_on_hand="10")
    asked = counts.request_adjustment(actor=clerk, item_id=item["id"], quantity="-2", reason="bottles broke")
    outcome: list[object] = []

    def approve() -> None:
        try:
            outcome.append(counts.decide_adjustment(actor=manager, adjustment_id=asked["id"], approve=True))
        except Exception as failed:  # shown by the assertions below
            outcome.append(failed)

    with db.writing(SYSTEM) as session:  # another manager's refusal, written but not yet committed
        adjustment = session.get(StockAdjustment, asked["id"])
        adjustment.status = "rejected"
        session.flush()
        approver = threading.Thread(target=approve)
        approver.start()
        if store.dialect == "postgresql":  # SQLite's approval cannot even begin before the commit
            _waiting_for_a_lock_or_done(approver)
        session.commit()
    approver.join(60)
    assert not approver.is_alive() and len(outcome) == 1 and isinstance(outcome[0], OpsdeskError), outcome
    assert translate(outcome[0].message, "en") == "This adjustment was already decided."
    assert on_hand(item["id"]) == Decimal(10) and not [m for m in movements(item["id"]) if m.kind == "adjustment"]
