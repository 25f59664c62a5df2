"""The customer's own lookup: number and phone give the plain status and nothing else, and guessing is blocked."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import db
from core.clock import utcnow
from core.models import AuditEntry, LookupAttempt
from core.services import jobs, orders
from core.tracking import MISSES, Status, TooManyLookups, look_up
from tests.factories import make_customer, make_service, make_technician, order_values

PHONE = "138 1234 5678"


@pytest.fixture
def order(clerk, area) -> dict:
    customer = make_customer(area, phone=PHONE)
    carpet = make_service()
    return orders.create_order(
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": Decimal(10)}],
        idempotency_key=str(uuid.uuid4()),
    )


def booked(clerk, area, order: dict) -> dict:
    make_technician("刘强", area)
    return orders.confirm_order(actor=clerk, order_id=order["id"], expected_version=order["version"])


def miss(client: str, index: int = 0) -> None:
    assert look_up(f"SO-2000-{index:06d}", PHONE, client=client) is None


# --- The answer --------------------------------------------------------------------------


def test_the_right_number_and_phone_give_the_plain_status(order):
    status = look_up(order["number"], PHONE, client="c1")
    assert (status.number, status.status) == (order["number"], "new")
    assert "received your order" in status.explained.en and status.explained.zh
    assert (status.scheduled_start, status.scheduled_end, status.technician) == (None, None, None)


def test_the_answer_holds_nothing_but_status_time_and_the_technician_s_public_name():
    assert {f.name for f in fields(Status)} == {
        "number",
        "status",
        "explained",
        "scheduled_start",
        "scheduled_end",
        "technician",
    }


def test_a_booked_order_shows_its_time_and_the_technician_s_public_name(clerk, area, order):
    scheduled = booked(clerk, area, order)
    status = look_up(order["number"], PHONE, client="c1")
    assert status.status == "scheduled"
    assert (status.scheduled_start, status.scheduled_end) == (scheduled["scheduled_start"], scheduled["scheduled_end"])
    assert status.technician == "刘师傅"  # the public name, not 刘强


def test_an_order_in_progress_still_shows_the_technician(clerk, manager, area, order):
    scheduled = booked(clerk, area, order)
    jobs.start_job(actor=manager, order_id=order["id"], expected_version=scheduled["version"])
    status = look_up(order["number"], PHONE, client="c1")
    assert (status.status, status.technician) == ("in_progress", "刘师傅")


def test_a_finished_order_no_longer_shows_the_time_or_the_technician(clerk, manager, area, order):
    scheduled = booked(clerk, area, order)
    started = jobs.start_job(actor=manager, order_id=order["id"], expected_version=scheduled["version"])
    jobs.complete_job(actor=manager, order_id=order["id"], expected_version=started["version"])
    status = look_up(order["number"], PHONE, client="c1")
    assert (status.status, status.scheduled_start, status.technician) == ("completed", None, None)


def test_a_wrong_number_and_a_wrong_phone_get_the_same_answer(order):
    assert look_up("SO-2000-999999", PHONE, client="c1") is None
    assert look_up(order["number"], "139 0000 0000", client="c2") is None
    assert look_up(order["number"], "not a phone", client="c3") is None
    assert look_up("", "", client="c4") is None


@pytest.mark.parametrize(
    "typed",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678", "0086 138 1234 5678"],
)
def test_the_phone_matches_however_it_is_typed(order, typed):
    assert look_up(order["number"], typed, client="c1") is not None


def test_the_number_matches_in_lower_case_and_with_spaces_around(order):
    assert look_up(f"  {order['number'].lower()} ", PHONE, client="c1") is not None


# --- Guessing is blocked -----------------------------------------------------------------


def test_after_five_misses_a_client_is_refused_even_the_right_pair_while_others_still_get_answers(order):
    for index in range(MISSES):
        miss("guesser", index)
    with pytest.raises(TooManyLookups):
        look_up(order["number"], PHONE, client="guesser")
    assert look_up(order["number"], PHONE, client="honest") is not None


def test_four_misses_do_not_block(order):
    for index in range(MISSES - 1):
        miss("guesser", index)
    assert look_up(order["number"], PHONE, client="guesser") is not None


def test_five_misses_on_one_order_number_from_different_clients_block_that_number(order):
    for index in range(MISSES):
        assert look_up(order["number"], "139 0000 0000", client=f"client-{index}") is None
    with pytest.raises(TooManyLookups):
        look_up(order["number"], PHONE, client="the-real-customer")


def test_a_blocked_lookup_is_in_the_audit_trail(order):
    for index in range(MISSES):
        miss("guesser", index)
    with db.reading() as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.entity == "orders")).scalars().all()
    assert "lookup_blocked" in actions


def test_the_block_ends_after_the_window(monkeypatch, order):
    for index in range(MISSES):
        miss("guesser", index)
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr("core.tracking.utcnow", lambda: later)
    assert look_up(order["number"], PHONE, client="guesser") is not None


def test_misses_spread_over_more_than_the_window_do_not_add_up(monkeypatch, order):
    start = utcnow()
    for index in range(MISSES - 1):
        miss("guesser", index)
    monkeypatch.setattr("core.tracking.utcnow", lambda: start + timedelta(minutes=16))
    miss("guesser", MISSES)
    assert look_up(order["number"], PHONE, client="guesser") is not None


def test_the_store_keeps_no_plain_number_or_client_of_a_miss(order):
    miss("203.0.113.7", 424242)
    with db.reading() as session:
        keys = session.execute(select(LookupAttempt.key)).scalars().all()
    assert keys and not any("203.0.113.7" in key or "424242" in key for key in keys)
