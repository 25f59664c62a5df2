"""A receipt posted while another movement of the same item is being committed must add to the
balance that movement left, not to the one it read before (`make loadtest` found receipts on
PostgreSQL adding to a stale balance: the on-hand figure drifted away from the ledger)."""

from __future__ import annotations

import threading
from decimal import Decimal

from core import db
from core.actor import SYSTEM
from core.services import stock as stock_services
from core.stock import Link, post
from tests.integration.stock_support import ledger_sum, make_item, movements, new_order, on_hand


def test_a_receipt_waiting_for_a_concurrent_issue_adds_to_the_balance_that_issue_left(
    store, clerk, customer, area, carpet, monkeypatch
):
    order = new_order(clerk, customer["id"], area, carpet)
    shampoo = make_item(stock_on_hand="20")
    checked = threading.Event()
    original = stock_services._checked

    def checked_then_signal(*args, **kwargs):  # the receipt has read the item and checked its input
        found = original(*args, **kwargs)
        checked.set()
        return found

    monkeypatch.setattr(stock_services, "_checked", checked_then_signal)
    outcome: list[object] = []

    def receive() -> None:
        try:
            outcome.append(
                stock_services.receive(actor=clerk, item_id=shampoo["id"], quantity="10", unit_cost="80", reason="x")
            )
        except Exception as failed:  # shown by the assertion below
            outcome.append(failed)

    with db.writing(SYSTEM) as session:  # another clerk's issue of 5, not yet committed
        post(session, SYSTEM, shampoo["id"], "issue", Decimal(-5), link=Link(order_id=order["id"]))
        receiver = threading.Thread(target=receive)
        receiver.start()
        if store.dialect == "postgresql":  # SQLite's receipt cannot even start before the commit
            assert checked.wait(30), "the receipt did not get as far as reading the item"
        session.commit()
    receiver.join(60)
    assert not receiver.is_alive() and len(outcome) == 1 and isinstance(outcome[0], dict), outcome
    assert outcome[0]["balance_after"] == Decimal(25)
    assert on_hand(shampoo["id"]) == Decimal(25) == ledger_sum(shampoo["id"])
    assert [m.balance_after for m in movements(shampoo["id"])] == [Decimal(20), Decimal(15), Decimal(25)]
