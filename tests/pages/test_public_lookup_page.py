"""The customer's order lookup: open without a login, the same answer for a wrong number as
for a wrong phone, nothing but the plain status, and blocked after repeated misses."""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.clock import at as moment_at
from core.clock import today
from core.services import dispatch, orders
from tests.factories import make_area, make_customer, make_service, make_technician, make_user, order_values
from tests.pages.conftest import open_app, texts, widget

NOT_FOUND = "We found no order with that number and phone. Check both, or call us."


@pytest.fixture
def order(sqlite_store) -> dict[str, Any]:
    area = make_area()
    customer = make_customer(area, name="张伟", phone="138 1234 5678", address="上海市徐汇区漕溪北路100号")
    service = make_service()
    return orders.create_order(
        actor=SYSTEM,
        values=order_values(customer["id"], area),
        lines=[{"service_id": service, "quantity": 10}],
        idempotency_key="track",
    )


@pytest.fixture(autouse=True)
def visitor_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """The visitor's address, as a browser's connection would give it (AppTest has none of its own)."""
    client = SimpleNamespace(headers=[], cookies={}, remote_ip="203.0.113.7")
    monkeypatch.setattr("streamlit.runtime.context._get_client_context", lambda: client)


def track_page() -> AppTest:
    """A visitor who has not logged in opens the lookup page."""
    return open_app().switch_page("pages/public/track.py").run()


def check(at: AppTest, number: str, phone: str) -> AppTest:
    widget(at.text_input, "Order number").input(number)
    widget(at.text_input, "Phone number on the order").input(phone)
    widget(at.button, "Check").click()
    return at.run()


def test_the_page_opens_without_logging_in(order):
    at = track_page()
    assert [t.value for t in at.title] == ["Check your order"]
    assert not at.sidebar.button  # no logout, no menu: nobody is logged in
    assert not at.exception


def test_the_right_number_and_phone_show_the_plain_status(order):
    at = check(track_page(), order["number"], "13812345678")
    assert [s.value for s in at.success] == [
        f"**{order['number']}** · We have received your order and will confirm it shortly."
    ]
    assert "张伟" not in texts(at) and "漕溪北路" not in texts(at) and "¥" not in texts(at)


def test_the_number_is_found_whatever_its_case_and_the_phone_whatever_its_spaces(order):
    at = check(track_page(), order["number"].lower(), "138 1234 5678")
    assert [s.value for s in at.success] == [
        f"**{order['number']}** · We have received your order and will confirm it shortly."
    ]


def test_a_booked_order_shows_the_time_and_the_technicians_public_name_only(order):
    boss = make_user("boss", "manager")
    wang = make_technician("Wang Lei", order["area_id"])
    confirmed = orders.confirm_order(actor=boss, order_id=order["id"], expected_version=order["version"])
    dispatch.assign(
        actor=boss,
        order_id=order["id"],
        staff_id=wang,
        start=moment_at(order["requested_date"], time(10)),
        expected_version=confirmed["version"],
    )
    at = check(track_page(), order["number"], "13812345678")
    assert [s.value for s in at.success] == [f"**{order['number']}** · Your visit is booked."]
    assert "Your technician: W师傅." in texts(at)
    assert "Wang Lei" not in texts(at)
    assert any(m.value.startswith("Booked for ") for m in at.markdown)


def test_a_wrong_number_and_a_wrong_phone_get_the_same_answer(order):
    wrong_number = check(track_page(), f"SO-{today().year}-999999", "13812345678")
    wrong_phone = check(track_page(), order["number"], "13900000000")
    assert [w.value for w in wrong_number.warning] == [NOT_FOUND]
    assert [w.value for w in wrong_phone.warning] == [NOT_FOUND]
    assert texts(wrong_number).replace(f"SO-{today().year}-999999", "") == texts(wrong_phone).replace(
        order["number"], ""
    )
    assert not wrong_number.success and not wrong_phone.success


def test_five_misses_block_even_the_right_answer(order):
    at = track_page()
    for attempt in range(5):
        check(at, order["number"], f"1390000000{attempt}")
        assert [w.value for w in at.warning] == [NOT_FOUND]
    check(at, order["number"], "13812345678")
    assert [e.value for e in at.error] == ["Too many tries. Please wait 15 minutes, or call us."]
    assert not at.success


def test_guessing_across_numbers_from_one_address_is_blocked_too(order):
    at = track_page()
    for attempt in range(5):
        check(at, f"SO-{today().year}-00010{attempt}", "13812345678")
    fresh = check(track_page(), order["number"], "13812345678")  # a new browser session, same address
    assert [e.value for e in fresh.error] == ["Too many tries. Please wait 15 minutes, or call us."]
