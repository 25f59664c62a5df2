"""The new-order form as clerks use it: totals as lines are entered, each problem under its field,
saving once however often it is pressed, and a discount above the clerk's limit."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error

import core.clock
from core.actor import SYSTEM
from core.clock import today
from core.services import orders
from tests.pages.conftest import message_under, texts, widget
from tests.pages.order_support import NEW, save, stored, title


def new_order_page(at: AppTest) -> AppTest:
    return at.switch_page("pages/orders/new.py").run()


def fill(
    at: AppTest, shop: dict[str, Any], quantity: float = 10, new_customer: bool = False, **changes: Any
) -> AppTest:
    """A complete order for the shop's customer (or a new one being typed in), tomorrow 09:00–12:00;
    `changes` override fields."""
    if not new_customer:
        at.selectbox(key=f"{NEW}.customer_id").set_value(shop["customer"]["id"]).run()
    at.selectbox(key=f"{NEW}.line.0.service_id").set_value(shop["service"])
    at.number_input(key=f"{NEW}.line.0.quantity").set_value(quantity)
    for name, value in changes.items():
        field = next(
            w
            for kind in ("text_input", "text_area", "selectbox", "time_input", "date_input", "number_input")
            for w in getattr(at, kind)
            if w.key == f"{NEW}.{name}"
        )
        field.set_value(value)
    return at.run()


def message_under_row(at: AppTest, key: str) -> str | None:
    """The error drawn right after the row of columns holding the field with this key
    (a line's service and quantity, the window's two times)."""

    def search(block: Block, parents: list[Block]) -> list[Block] | None:
        for child in block.children.values():
            if getattr(child, "key", None) == key:
                return [*parents, block]
            if isinstance(child, Block):
                found = search(child, [*parents, block])
                if found:
                    return found
        return None

    chain = search(at._tree, [])
    assert chain, f"no field with key {key!r}"
    row, holder = chain[-2], chain[-3]  # the column's row, and what holds the row
    siblings = list(holder.children.values())
    index = next(i for i, child in enumerate(siblings) if child is row)
    after = siblings[index + 1] if index + 1 < len(siblings) else None
    return after.value if isinstance(after, Error) else None


class TestNewOrderForm:
    def test_picking_a_customer_proposes_their_address_and_area(self, app, shop):
        at = new_order_page(app("clerk"))
        assert at.text_input(key=f"{NEW}.address").value == ""
        at.selectbox(key=f"{NEW}.customer_id").set_value(shop["customer"]["id"]).run()
        assert at.text_input(key=f"{NEW}.address").value == "上海市徐汇区漕溪北路100号"
        assert at.selectbox(key=f"{NEW}.area_id").value == shop["area"]

    def test_the_totals_are_computed_as_lines_are_entered(self, app, shop):
        at = fill(new_order_page(app("clerk")), shop, quantity=10)
        assert "Subtotal: **¥80\\.00**" in texts(at)
        assert "Tax 6.00%: **¥4\\.80**" in texts(at)
        assert "Total: **¥84\\.80**" in texts(at)
        assert "About 15 minutes of work." in texts(at)

    def test_add_a_service_adds_a_line_and_the_totals_follow(self, app, shop):
        at = fill(new_order_page(app("clerk")), shop, quantity=10)
        widget(at.button, "Add a service").click()
        at.run()
        assert [s.label for s in at.selectbox if s.key.startswith(f"{NEW}.line.")] == ["Service", "Service"]
        at.selectbox(key=f"{NEW}.line.1.service_id").set_value(shop["sofa"])
        at.number_input(key=f"{NEW}.line.1.quantity").set_value(2)
        at.run()
        assert "Subtotal: **¥320\\.00**" in texts(at)  # 80 + 2 × 120
        assert "Total: **¥339\\.20**" in texts(at)
        save(at)
        [row] = stored()
        assert row["total"] == Decimal("339.20")
        assert len(orders.get_order(actor=SYSTEM, order_id=row["id"])["lines"]) == 2

    def test_a_zero_quantity_gets_its_message_under_the_line_and_nothing_is_saved(self, app, shop):
        at = save(fill(new_order_page(app("clerk")), shop, quantity=0, notes="Ring twice"))
        assert message_under_row(at, f"{NEW}.line.0.quantity") == "The quantity must be more than zero."
        assert stored() == []
        assert at.text_area(key=f"{NEW}.notes").value == "Ring twice"
        assert at.selectbox(key=f"{NEW}.line.0.service_id").value == shop["service"]

    def test_a_window_ending_before_it_starts_gets_its_message_under_the_window(self, app, shop):
        at = fill(new_order_page(app("clerk")), shop, window_start=time(14), window_end=time(10))
        save(at)
        assert message_under_row(at, f"{NEW}.window_end") == "The window must end after it starts."
        assert stored() == []
        assert at.time_input(key=f"{NEW}.window_start").value == time(14)
        assert at.time_input(key=f"{NEW}.window_end").value == time(10)

    def test_a_date_that_passed_while_the_form_was_open_gets_its_message(self, app, shop, monkeypatch):
        at = fill(new_order_page(app("clerk")), shop, requested_date=today())
        tomorrow = datetime.now(UTC) + timedelta(days=1)  # the clerk saves after midnight
        monkeypatch.setattr(core.clock, "utcnow", lambda: tomorrow)
        save(at)
        assert not at.exception
        assert message_under(at, f"{NEW}.requested_date") == "The date has passed; choose today or a later day."
        assert stored() == []

    def test_no_customer_gets_its_message_under_the_customer(self, app, shop):
        at = new_order_page(app("clerk"))
        at.selectbox(key=f"{NEW}.line.0.service_id").set_value(shop["service"])
        at.text_input(key=f"{NEW}.address").set_value("上海市徐汇区1号")
        at.selectbox(key=f"{NEW}.area_id").set_value(shop["area"])
        save(at.run())
        assert message_under(at, f"{NEW}.customer_id") == "Choose a customer, or enter a new one."
        assert stored() == []
        assert at.text_input(key=f"{NEW}.address").value == "上海市徐汇区1号"

    def test_an_inline_new_customer_with_a_bad_phone_gets_the_message_under_the_phone(self, app, shop):
        at = new_order_page(app("clerk"))
        at.segmented_control(key=f"{NEW}.customer_mode").set_value("new").run()
        assert not at.exception
        for name, value in {"name": "李雷", "phone": "12345", "address": "上海市徐汇区2号"}.items():
            at.text_input(key=f"{NEW}.customer.{name}").set_value(value)
        at.selectbox(key=f"{NEW}.customer.area_id").set_value(shop["area"])
        fill(at, shop, new_customer=True, address="上海市徐汇区2号", area_id=shop["area"])
        save(at)
        assert message_under(at, f"{NEW}.customer.phone") == (
            "Enter a mobile number (11 digits starting with 1) or a landline with its area code, such as 021-61234567."
        )
        assert at.text_input(key=f"{NEW}.customer.phone").value == "12345"
        assert stored() == []

    def test_a_valid_order_is_saved_and_its_page_opens_with_its_number(self, app, shop):
        at = save(fill(new_order_page(app("clerk")), shop))
        [row] = stored()
        assert row["number"] == f"SO-{today().year}-000001"
        assert title(at) == f"{row['number']} · New"
        assert [s.value for s in at.success] == [f"Order SO\\-{today().year}\\-000001 saved."]
        assert row["total"] == Decimal("84.80")

    def test_pressing_save_twice_creates_one_order(self, app, shop):
        at = fill(new_order_page(app("clerk")), shop)
        key = at.session_state[f"{NEW}.idempotency_key"]
        first = save(at)
        # The second press of a double click carries the same form, hence the same key.
        fill(new_order_page(first), shop)
        at.session_state[f"{NEW}.idempotency_key"] = key
        second = save(at)
        [row] = stored()
        assert title(second) == f"{row['number']} · New"

    def test_a_failed_save_keeps_the_key_so_the_corrected_save_makes_one_order(self, app, shop):
        at = save(fill(new_order_page(app("clerk")), shop, quantity=0))
        key = at.session_state[f"{NEW}.idempotency_key"]
        at.number_input(key=f"{NEW}.line.0.quantity").set_value(3)
        save(at)
        [row] = stored()
        assert orders.get_order(actor=SYSTEM, order_id=row["id"])["idempotency_key"] == key

    def test_a_clerks_discount_above_the_limit_waits_for_a_manager(self, app, shop):
        at = fill(new_order_page(app("clerk")), shop, discount_pct=15.0)
        assert "This discount is above your limit: the order waits for a manager's approval." in texts(at)
        save(at)
        [row] = stored()
        assert row["discount_state"] == "pending"
        assert "The discount waits for a manager's approval." in [w.value for w in at.warning]
