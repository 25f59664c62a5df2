"""One order's page as clerks and managers use it: the discount decision, confirm and dispatch,
cancel, payments and refunds, history, changes, and assigning by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import core.clock
from core.actor import SYSTEM, Actor
from core.clock import today
from core.services import dispatch, jobs, orders, payments
from tests.factories import make_technician, make_user, order_values
from tests.pages.conftest import texts, widget
from tests.pages.order_support import save, stored, title
from ui.text import escape_markdown


def open_order(at: AppTest, order_id: int) -> AppTest:
    at.query_params["id"] = str(order_id)
    return at.switch_page("pages/orders/detail.py").run()


def make_order(shop: dict[str, Any], day=None, quantity: int = 10, **changes: Any) -> dict[str, Any]:
    return orders.create_order(
        actor=SYSTEM,
        values=order_values(shop["customer"]["id"], shop["area"], day=day, **changes),
        lines=[{"service_id": shop["service"], "quantity": quantity}],
        idempotency_key=f"test-{len(stored())}",
    )


def completed_order(shop: dict[str, Any], boss: Actor) -> dict[str, Any]:
    """Confirmed, dispatched, started and completed: ¥84.80 due."""
    order = make_order(shop)
    order = orders.confirm_order(actor=boss, order_id=order["id"], expected_version=order["version"])
    order = jobs.start_job(actor=boss, order_id=order["id"], expected_version=order["version"])
    return jobs.complete_job(actor=boss, order_id=order["id"], expected_version=order["version"])


def table_with(at: AppTest, column: str) -> dict[str, list[Any]]:
    frame = next(d.value for d in at.dataframe if column in d.value.columns)
    return {name: list(frame[name]) for name in frame.columns}


@pytest.fixture
def boss(shop) -> Actor:
    return make_user("boss", "manager")


class TestOrderPage:
    def test_a_manager_approves_a_waiting_discount(self, app, shop):
        clerk = make_user("clerk1", "clerk")
        order = orders.create_order(
            actor=clerk,
            values=order_values(shop["customer"]["id"], shop["area"], discount_pct=Decimal(15)),
            lines=[{"service_id": shop["service"], "quantity": 10}],
            idempotency_key="d",
        )
        at = open_order(app("manager"), order["id"])
        assert "The discount waits for a manager's approval." in texts(at)
        widget(at.button, "Approve the discount").click()
        at.run()
        assert "Discount approved." in texts(at)
        assert "The discount waits for a manager's approval." not in texts(at)
        stored_order = orders.get_order(actor=SYSTEM, order_id=order["id"])
        assert stored_order["discount_state"] == "approved"
        assert stored_order["discount_decided_by_id"] is not None

    def test_a_clerk_cannot_confirm_an_order_whose_discount_waits(self, app, shop):
        clerk = make_user("clerk1", "clerk")
        order = orders.create_order(
            actor=clerk,
            values=order_values(shop["customer"]["id"], shop["area"], discount_pct=Decimal(15)),
            lines=[{"service_id": shop["service"], "quantity": 10}],
            idempotency_key="d",
        )
        at = open_order(app("clerk"), order["id"])
        labels = [b.label for b in at.button]
        assert "Approve the discount" not in labels and "Confirm and dispatch" not in labels
        assert "The discount waits for a manager's approval." in texts(at)
        assert orders.get_order(actor=SYSTEM, order_id=order["id"])["status"] == "new"

    def test_confirm_and_dispatch_assigns_the_technician_and_says_why(self, app, shop):
        order = make_order(shop)
        at = open_order(app("clerk"), order["id"])
        widget(at.button, "Confirm and dispatch").click()
        at.run()
        assert title(at) == f"{order['number']} · Scheduled"
        assert "Confirmed and assigned." in texts(at)
        assert "**Technician**  \nWang Lei · " in texts(at)
        assert escape_markdown(
            "Wang Lei: covers Xuhui, has the skills, is on shift and free at 09:00, and had 0 min booked that day, "
            "the least of the 1 technicians who could take the job."
        ) in [c.value for c in at.caption]

    def test_confirm_without_a_technician_says_why_nobody_was_assigned(self, app, shop):
        order = make_order(shop, day=today() + timedelta(days=3))  # nobody is on shift that day
        at = open_order(app("clerk"), order["id"])
        widget(at.button, "Confirm and dispatch").click()
        at.run()
        assert title(at) == f"{order['number']} · Confirmed"
        assert "Confirmed. Nobody could be assigned: " + escape_markdown(
            "Every technician who could do it is off shift or booked in this window. Assign one by hand."
        ) in [s.value for s in at.success]

    def test_cancelling_needs_a_reason(self, app, shop):
        order = make_order(shop)
        at = open_order(app("clerk"), order["id"])
        widget(at.button, "Cancel the order").click()
        at.run()
        assert "Say why the order is cancelled." in [e.value for e in at.error]
        assert orders.get_order(actor=SYSTEM, order_id=order["id"])["status"] == "new"
        widget(at.text_input, "Why is it cancelled? *").input("The customer moved away")
        widget(at.button, "Cancel the order").click()
        at.run()
        assert title(at) == f"{order['number']} · Cancelled"
        assert "**Cancelled because**  \nThe customer moved away" in texts(at)

    def test_a_partial_payment_then_the_rest_makes_the_order_paid(self, app, shop, boss):
        order = completed_order(shop, boss)
        at = open_order(app("clerk"), order["id"])
        assert title(at) == f"{order['number']} · Completed"
        assert widget(at.number_input, "Amount").value == 84.80  # the balance is proposed
        widget(at.number_input, "Amount").set_value(50.0)
        widget(at.selectbox, "Method").set_value("wechat")
        widget(at.text_input, "Reference (transaction number)").input("WX-1")
        widget(at.button, "Take a payment").click()
        at.run()
        assert "Payment recorded." in texts(at)
        assert "Balance due: **¥34\\.80**" in texts(at)
        assert title(at) == f"{order['number']} · Completed"
        assert widget(at.number_input, "Amount").value == pytest.approx(34.80)
        widget(at.button, "Take a payment").click()
        at.run()
        assert title(at) == f"{order['number']} · Paid"
        assert "Balance due: **¥0\\.00**" in texts(at)
        assert table_with(at, "Method")["Amount"] == ["¥50.00", "¥34.80"]
        assert "Take a payment" not in [b.label for b in at.button]

    def test_a_payment_above_the_balance_is_refused(self, app, shop, boss):
        order = completed_order(shop, boss)
        at = open_order(app("clerk"), order["id"])
        widget(at.number_input, "Amount").set_value(100.0)
        widget(at.button, "Take a payment").click()
        at.run()
        assert "That is more than the balance due, ¥84\\.80." in [e.value for e in at.error]
        assert payments.payments_of(actor=SYSTEM, order_id=order["id"]) == []

    def test_a_clerk_sees_no_refund_form(self, app, shop, boss):
        order = completed_order(shop, boss)
        payments.record_payment(actor=boss, order_id=order["id"], amount="84.80", method="cash")
        at = open_order(app("clerk"), order["id"])
        assert "Give a refund" not in [b.label for b in at.button]
        assert "Give a refund" not in [e.label for e in at.expander]

    def test_a_manager_refunds_with_a_reason_only(self, app, shop, boss):
        order = completed_order(shop, boss)
        payments.record_payment(actor=boss, order_id=order["id"], amount="84.80", method="cash")
        at = open_order(app("manager"), order["id"])
        widget(at.number_input, "Amount").set_value(20.0)
        widget(at.button, "Give a refund").click()
        at.run()
        assert "Say why the money is given back." in [e.value for e in at.error]
        assert len(payments.payments_of(actor=SYSTEM, order_id=order["id"])) == 1
        widget(at.number_input, "Amount").set_value(20.0)
        widget(at.text_input, "Why is money given back? *").input("One stain remained")
        widget(at.button, "Give a refund").click()
        at.run()
        assert "Refund recorded." in texts(at)
        refunds = [p for p in payments.payments_of(actor=SYSTEM, order_id=order["id"]) if p["kind"] == "refund"]
        assert [(r["amount"], r["reason"]) for r in refunds] == [(Decimal("20.00"), "One stain remained")]
        assert "Received: **¥64\\.80**" in texts(at)

    def test_the_history_lists_each_status_change_with_who(self, app, shop, boss):
        order = completed_order(shop, boss)
        at = open_order(app("clerk"), order["id"])
        history = table_with(at, "Who")
        assert history["To"] == ["New", "Confirmed", "Scheduled", "In progress", "Completed"]
        assert history["From"] == ["", "New", "Confirmed", "Scheduled", "In progress"]
        assert history["Who"] == ["System", "Boss", "Boss", "Boss", "Boss"]

    def test_the_edit_tab_of_a_new_order_saves_a_change(self, app, shop):
        order = make_order(shop)
        at = open_order(app("clerk"), order["id"])
        form = f"orders.edit.{order['id']}"
        at.text_input(key=f"{form}.address").set_value("上海市徐汇区天钥桥路8号")
        at.number_input(key=f"{form}.line.0.quantity").set_value(20)
        save(at, key=f"{form}.save")
        assert "Saved." in texts(at)
        assert "**Service address**  \n上海市徐汇区天钥桥路8号" in texts(at)
        changed = orders.get_order(actor=SYSTEM, order_id=order["id"])
        assert (changed["address"], changed["total"], changed["version"]) == (
            "上海市徐汇区天钥桥路8号",
            Decimal("169.60"),
            order["version"] + 1,
        )

    def test_a_new_order_for_a_day_that_has_passed_still_opens(self, app, shop, monkeypatch):
        order = make_order(shop, day=today())
        later = datetime.now(UTC) + timedelta(days=1)
        monkeypatch.setattr(core.clock, "utcnow", lambda: later)
        at = open_order(app("clerk"), order["id"])
        assert not at.exception
        assert title(at) == f"{order['number']} · New"

    def test_a_scheduled_order_can_be_assigned_by_hand_to_another_technician(self, app, shop, boss):
        other = make_technician("Zhao Min", shop["area"], skills=("carpet",))
        order = make_order(shop)
        order = orders.confirm_order(actor=boss, order_id=order["id"], expected_version=order["version"])
        at = open_order(app("clerk"), order["id"])
        widget(at.selectbox, "Technician").set_value(other)
        widget(at.time_input, "Start").set_value(time(10))
        widget(at.button, "Assign").click()
        at.run()
        assert "Assigned." in texts(at)
        assert orders.get_order(actor=SYSTEM, order_id=order["id"])["technician_id"] == other
        assert dispatch.board(actor=boss, day=today() + timedelta(days=1))["waiting"] == []
