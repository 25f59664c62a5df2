"""Taking an order in: intake checks, a customer entered with the order, numbers and totals,
idempotency and concurrent clerks, and finding orders again."""

from __future__ import annotations

import re
from datetime import time, timedelta
from decimal import Decimal

import pytest

from core import db
from core.actor import SYSTEM
from core.clock import today
from core.errors import OpsdeskError, ValidationFailed
from core.models import Counter, Customer, Order, OrderEvent
from core.services import orders
from core.services.catalogue import catalogue
from core.services.customers import customers
from core.services.records import PossibleDuplicate
from tests.factories import customer_values, make_user, order_values
from tests.integration.order_support import count, events, key, place, refused
from tests.threads import run_in_threads

# --- Bad input: refused, keyed by field, nothing written ---------------------------------


def test_zero_and_negative_quantities_are_refused_on_their_own_lines_and_nothing_is_written(
    clerk, area, customer, carpet
):
    errors = refused(
        orders.create_order,
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[
            {"service_id": carpet, "quantity": "0"},
            {"service_id": carpet, "quantity": "2"},
            {"service_id": carpet, "quantity": "-3"},
        ],
        idempotency_key=key(),
    )
    assert set(errors) == {"lines.0.quantity", "lines.2.quantity"}
    assert "more than zero" in errors["lines.0.quantity"]
    assert count(Order) == 0 and count(OrderEvent) == 0


def test_a_quantity_that_is_not_a_number_is_refused(clerk, area, customer, carpet):
    errors = refused(
        orders.create_order,
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": "ten"}],
        idempotency_key=key(),
    )
    assert set(errors) == {"lines.0.quantity"}


def test_a_quantity_that_rounds_to_zero_is_refused(clerk, area, customer, carpet):
    errors = refused(place, actor=clerk, customer_id=customer["id"], area=area, service_id=carpet, quantity="0.004")
    assert set(errors) == {"lines.0.quantity"}


def test_a_refused_order_takes_no_number(clerk, area, customer, carpet):
    with pytest.raises(ValidationFailed):
        place(clerk, customer["id"], area, carpet, quantity="0")
    assert place(clerk, customer["id"], area, carpet)["number"].endswith("-000001")


def test_a_date_in_the_past_is_refused(clerk, area, customer, carpet):
    errors = refused(
        place,
        actor=clerk,
        customer_id=customer["id"],
        area=area,
        service_id=carpet,
        requested_date=today() - timedelta(days=1),
    )
    assert set(errors) == {"requested_date"}
    assert count(Order) == 0


def test_today_is_not_in_the_past(clerk, area, customer, carpet):
    assert place(clerk, customer["id"], area, carpet, requested_date=today())["requested_date"] == today()


@pytest.mark.parametrize("end", [time(8), time(9)])
def test_a_window_that_ends_before_or_when_it_starts_is_refused(clerk, area, customer, carpet, end):
    errors = refused(
        place,
        actor=clerk,
        customer_id=customer["id"],
        area=area,
        service_id=carpet,
        window_start=time(9),
        window_end=end,
    )
    assert set(errors) == {"window_end"}
    assert count(Order) == 0


def test_an_order_without_lines_is_refused(clerk, area, customer):
    errors = refused(
        orders.create_order, actor=clerk, values=order_values(customer["id"], area), lines=[], idempotency_key=key()
    )
    assert set(errors) == {"lines"}
    assert count(Order) == 0


def test_an_inactive_or_unknown_service_is_refused(clerk, manager, area, customer, carpet):
    row = catalogue.get(actor=manager, record_id=carpet)
    catalogue.update(actor=manager, record_id=carpet, values={**row, "active": False}, expected_version=row["version"])
    errors = refused(
        orders.create_order,
        actor=clerk,
        values=order_values(customer["id"], area),
        lines=[{"service_id": carpet, "quantity": "1"}, {"service_id": 9999, "quantity": "1"}],
        idempotency_key=key(),
    )
    assert set(errors) == {"lines.0.service_id", "lines.1.service_id"}
    assert count(Order) == 0


def test_every_problem_is_reported_at_once(clerk, area, customer, carpet):
    values = order_values(
        customer["id"], area, channel="fax", address=" ", requested_date=today() - timedelta(days=3), discount_pct="101"
    )
    errors = refused(
        orders.create_order,
        actor=clerk,
        values=values,
        lines=[{"service_id": carpet, "quantity": "-1"}],
        idempotency_key=key(),
    )
    assert set(errors) == {"channel", "address", "requested_date", "discount_pct", "lines.0.quantity"}


def test_a_missing_customer_is_reported_with_the_order_s_own_problems(clerk, area, carpet):
    errors = refused(
        orders.create_order,
        actor=clerk,
        values=order_values(None, area),
        lines=[{"service_id": carpet, "quantity": "0"}],
        idempotency_key=key(),
    )
    assert set(errors) == {"customer_id", "lines.0.quantity"}


def test_a_bad_inline_customer_is_reported_with_the_order_s_own_problems(clerk, area, carpet):
    errors = refused(
        orders.create_order,
        actor=clerk,
        values=order_values(None, area, address=""),
        lines=[{"service_id": carpet, "quantity": "2"}],
        new_customer=customer_values(area, phone="12345"),
        idempotency_key=key(),
    )
    assert set(errors) == {"address", "customer.phone"}
    assert count(Customer) == 0


def test_an_unknown_customer_is_refused(clerk, area, carpet):
    errors = refused(place, actor=clerk, customer_id=9999, area=area, service_id=carpet)
    assert set(errors) == {"customer_id"}
    assert count(Order) == 0


def test_an_archived_customer_is_refused(clerk, manager, area, customer, carpet):
    customers.archive(actor=manager, record_id=customer["id"], expected_version=customer["version"])
    errors = refused(place, actor=clerk, customer_id=customer["id"], area=area, service_id=carpet)
    assert set(errors) == {"customer_id"}
    assert count(Order) == 0


# --- A new customer entered with the order -----------------------------------------------


def new_customer_order(clerk, area, carpet, confirm_duplicate=False, **changes) -> dict:
    return orders.create_order(
        actor=clerk,
        values=order_values(None, area),
        lines=[{"service_id": carpet, "quantity": "10"}],
        idempotency_key=key(),
        new_customer=customer_values(area, **changes),
        confirm_duplicate=confirm_duplicate,
    )


def test_a_new_customer_is_created_with_the_order(clerk, area, carpet):
    created = new_customer_order(clerk, area, carpet, name="李娜", phone="139 1111 2222")
    assert (created["customer_name"], created["customer_phone"]) == ("李娜", "139****2222")  # answers mask it
    assert created["customer_code"] == "CU-000001"
    assert count(Customer) == 1


def test_a_new_customer_s_errors_are_keyed_under_customer_and_nothing_is_written(clerk, area, carpet):
    errors = refused(new_customer_order, clerk=clerk, area=area, carpet=carpet, name="", phone="12345")
    assert set(errors) == {"customer.name", "customer.phone"}
    assert count(Customer) == 0 and count(Order) == 0


def test_a_new_customer_like_an_existing_one_asks_first_and_is_created_when_confirmed(clerk, area, carpet, customer):
    with pytest.raises(PossibleDuplicate) as asked:
        new_customer_order(clerk, area, carpet, name="张伟伟")
    assert [match["id"] for match in asked.value.matches] == [customer["id"]]
    assert count(Customer) == 1 and count(Order) == 0
    created = new_customer_order(clerk, area, carpet, confirm_duplicate=True, name="张伟伟")
    assert created["customer_id"] != customer["id"]
    assert count(Customer) == 2 and count(Order) == 1


# --- Numbers and totals ------------------------------------------------------------------


def test_the_system_computes_the_totals_and_ignores_any_typed_in(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet, quantity="20", total=Decimal("1"), subtotal=Decimal("1"))
    assert (created["subtotal"], created["discount_amount"], created["tax_amount"], created["total"]) == (
        Decimal("160.00"),
        Decimal("0.00"),
        Decimal("9.60"),
        Decimal("169.60"),
    )
    assert created["lines"][0]["amount"] == Decimal("160.00")
    assert created["lines"][0]["minutes"] == 30
    assert created["balance"] == Decimal("169.60")


def test_order_numbers_read_so_year_and_six_digits_and_count_up(clerk, area, customer, carpet):
    first = place(clerk, customer["id"], area, carpet)["number"]
    second = place(clerk, customer["id"], area, carpet)["number"]
    assert re.fullmatch(r"SO-\d{4}-\d{6}", first)
    assert (first, second) == (f"SO-{today().year}-000001", f"SO-{today().year}-000002")


def test_a_new_order_is_new_and_its_history_starts_with_who_created_it(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    assert created["status"] == "new"
    [first] = events(created["id"])
    assert (first.from_status, first.to_status, first.actor_id, first.actor_name) == (
        None,
        "new",
        clerk.user_id,
        clerk.display_name,
    )
    assert first.at is not None


def test_an_order_made_by_the_system_records_the_system_in_its_history(area, customer, carpet):
    created = place(SYSTEM, customer["id"], area, carpet)
    assert [(e.actor_id, e.actor_name) for e in events(created["id"])] == [(None, "System")]


# --- Idempotency and concurrency ---------------------------------------------------------


def test_the_same_idempotency_key_twice_returns_the_same_order(clerk, area, customer, carpet):
    first = place(clerk, customer["id"], area, carpet, idempotency_key="form-1")
    again = place(clerk, customer["id"], area, carpet, quantity="99", idempotency_key="form-1")
    assert again["id"] == first["id"] and again["total"] == first["total"]
    assert count(Order) == 1


def test_the_same_key_sent_by_several_threads_at_once_creates_one_order(clerk, area, customer, carpet):
    results = run_in_threads(lambda _i: place(clerk, customer["id"], area, carpet, idempotency_key="double-click"), 4)
    assert len({row["id"] for row in results}) == 1
    assert count(Order) == 1
    assert place(clerk, customer["id"], area, carpet)["number"].endswith("-000002")  # no number was lost


def test_an_empty_idempotency_key_is_refused(clerk, area, customer, carpet):
    with pytest.raises(OpsdeskError):
        place(clerk, customer["id"], area, carpet, idempotency_key="\x00")
    assert count(Order) == 0


def test_twenty_clerks_creating_orders_at_once_all_succeed_with_unique_consecutive_numbers(area, customer, carpet):
    clerks = [make_user(f"clerk{i:02d}", "clerk") for i in range(20)]
    results = run_in_threads(lambda i: place(clerks[i], customer["id"], area, carpet), 20)
    numbers = sorted(row["number"] for row in results)
    assert numbers == [f"SO-{today().year}-{n:06d}" for n in range(1, 21)]
    assert count(Order) == 20
    with db.reading() as session:
        assert session.get(Counter, f"orders-{today().year}").value == 20


# --- Looking orders up -------------------------------------------------------------------


def test_orders_are_found_by_number_customer_name_or_phone(clerk, area, customer, carpet):
    created = place(clerk, customer["id"], area, carpet)
    assert orders.find_order(actor=clerk, number=created["number"].lower()) == created["id"]
    for query in (created["number"], "张伟", "138 1234 5678"):  # a phone whole: it is encrypted (blind index)
        assert [row["id"] for row in orders.search_orders(actor=clerk, query=query).rows] == [created["id"]]
    assert orders.search_orders(actor=clerk, query="nobody").total == 0
