"""Recurring contracts: their orders generated ahead, once each, and each visit changed on its own."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import db
from core.clock import today
from core.errors import ConcurrentEdit, PermissionDenied, ValidationFailed
from core.models import AuditEntry, Order
from core.services import contracts, orders
from core.services.catalogue import catalogue
from tests.factories import make_customer, make_service, order_values
from tests.threads import run_in_threads


def tomorrow() -> date:
    """Worked out at each use: a run may cross the company's midnight."""
    return today() + timedelta(days=1)


@pytest.fixture
def office(store) -> int:
    return make_service("OFFICE", price="50.00", minutes="60", skills=("office",), unit="visit")


@pytest.fixture
def customer(area) -> dict:
    return make_customer(area, name="上海某公司", kind="company", contact_person="王经理")


def contract_values(customer: dict, area: int, **changes) -> dict:
    values = {
        "customer_id": customer["id"],
        "frequency": "weekly",
        "starts_on": tomorrow(),
        "ends_on": None,
        "window_start": time(18),
        "window_end": time(20),
        "address": "上海市徐汇区虹桥路1号",
        "area_id": area,
        "channel": "phone",
        "notes": "每周办公室保洁",
    }
    values.update(changes)
    return values


def make_contract(clerk, customer, area, office, quantity="1", **changes) -> dict:
    return contracts.create_contract(
        actor=clerk,
        values=contract_values(customer, area, **changes),
        lines=[{"service_id": office, "quantity": Decimal(quantity)}],
    )


def generated(contract_id: int) -> list[dict]:
    with db.reading() as session:
        rows = session.execute(
            select(Order).where(Order.contract_id == contract_id).order_by(Order.occurrence_date)
        ).scalars()
        return [
            {
                "id": o.id,
                "day": o.requested_date,
                "occurrence": o.occurrence_date,
                "total": o.total,
                "status": o.status,
                "version": o.version,
            }
            for o in rows
        ]


def count_orders() -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(Order)).scalar_one()


def weekly_from_tomorrow(until: date) -> list[date]:
    days, day = [], tomorrow()
    while day <= until:
        days.append(day)
        day += timedelta(weeks=1)
    return days


# --- Generating --------------------------------------------------------------------------


def test_a_contract_generates_one_order_per_visit_up_to_the_horizon(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office, quantity="2")
    assert contract["code"] == "CT-000001" and contract["active"] is True
    horizon = today() + timedelta(days=56)
    assert contracts.generate_orders(actor=clerk) == len(weekly_from_tomorrow(horizon))
    rows = generated(contract["id"])
    assert [row["day"] for row in rows] == weekly_from_tomorrow(horizon)
    assert all(row["day"] == row["occurrence"] and row["status"] == "new" for row in rows)
    assert {row["total"] for row in rows} == {Decimal("106.00")}  # 2 visits x 50, plus 6% tax


def test_generated_orders_copy_the_contract_s_address_window_and_customer(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    contracts.generate_orders(actor=clerk, until=tomorrow())
    [row] = generated(contract["id"])
    order = orders.get_order(actor=clerk, order_id=row["id"])
    assert (order["customer_id"], order["address"], order["window_start"], order["window_end"], order["notes"]) == (
        customer["id"],
        "上海市徐汇区虹桥路1号",
        time(18),
        time(20),
        "每周办公室保洁",
    )
    assert order["number"].startswith(f"SO-{today().year}-")


def test_running_the_generator_twice_creates_nothing_new(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    until = today() + timedelta(days=28)
    first = contracts.generate_orders(actor=clerk, until=until)
    assert first == len(weekly_from_tomorrow(until))
    assert contracts.generate_orders(actor=clerk, until=until) == 0
    assert len(generated(contract["id"])) == first


def test_a_longer_horizon_adds_only_the_visits_not_yet_generated(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    contracts.generate_orders(actor=clerk, until=today() + timedelta(days=14))
    before = {row["id"] for row in generated(contract["id"])}
    added = contracts.generate_orders(actor=clerk, until=today() + timedelta(days=28))
    after = generated(contract["id"])
    assert added == len(after) - len(before) > 0
    assert before < {row["id"] for row in after}


def test_two_generators_running_at_once_create_each_visit_once(clerk, manager, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    until = today() + timedelta(days=28)
    runners = [clerk, manager, clerk, manager]
    created = run_in_threads(lambda i: contracts.generate_orders(actor=runners[i], until=until), len(runners))
    expected = len(weekly_from_tomorrow(until))
    assert sum(created) == expected
    assert [row["day"] for row in generated(contract["id"])] == weekly_from_tomorrow(until)
    numbers = sorted(orders.get_order(actor=clerk, order_id=row["id"])["number"] for row in generated(contract["id"]))
    assert numbers == [f"SO-{today().year}-{n:06d}" for n in range(1, expected + 1)]


def test_visits_before_today_are_not_generated(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office, starts_on=today() - timedelta(days=21))
    contracts.generate_orders(actor=clerk, until=today() + timedelta(days=14))
    days = [row["day"] for row in generated(contract["id"])]
    assert days and min(days) >= today()
    assert days == [today() - timedelta(days=21) + timedelta(weeks=n) for n in (3, 4, 5)]


def test_visits_stop_at_the_contract_s_end(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office, ends_on=tomorrow() + timedelta(days=10))
    contracts.generate_orders(actor=clerk)
    assert [row["day"] for row in generated(contract["id"])] == [tomorrow(), tomorrow() + timedelta(weeks=1)]


def test_monthly_and_fortnightly_contracts_generate_on_their_own_rhythm(clerk, area, customer, office):
    fortnightly = make_contract(clerk, customer, area, office, frequency="fortnightly")
    monthly = make_contract(clerk, customer, area, office, frequency="monthly")
    contracts.generate_orders(actor=clerk, until=tomorrow() + timedelta(days=40))
    assert [row["day"] for row in generated(fortnightly["id"])] == [tomorrow() + timedelta(weeks=n) for n in (0, 2, 4)]
    assert len(generated(monthly["id"])) == 2


def test_an_ended_contract_generates_nothing(clerk, manager, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    ended = contracts.end_contract(actor=manager, contract_id=contract["id"], expected_version=contract["version"])
    assert ended["active"] is False
    assert contracts.generate_orders(actor=clerk) == 0
    assert count_orders() == 0
    assert contracts.list_contracts(actor=clerk) == []
    assert [c["id"] for c in contracts.list_contracts(actor=clerk, include_ended=True)] == [contract["id"]]


def test_only_a_manager_ends_a_contract(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    with pytest.raises(PermissionDenied):
        contracts.end_contract(actor=clerk, contract_id=contract["id"], expected_version=contract["version"])


# --- One visit at a time -----------------------------------------------------------------


def test_editing_one_generated_order_leaves_the_contract_and_the_other_visits_alone(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    contracts.generate_orders(actor=clerk, until=today() + timedelta(days=21))
    first, *others = generated(contract["id"])
    order = orders.get_order(actor=clerk, order_id=first["id"])
    orders.update_order(
        actor=clerk,
        order_id=first["id"],
        values=order_values(
            customer["id"], area, day=order["requested_date"], window_start=time(19), window_end=time(21)
        ),
        lines=[{"service_id": office, "quantity": "3"}],
        expected_version=first["version"],
    )
    changed, *untouched = generated(contract["id"])
    assert changed["total"] == Decimal("159.00")
    assert untouched == others
    stored = contracts.get_contract(actor=clerk, contract_id=contract["id"])
    assert (stored["window_start"], stored["lines"]) == (
        time(18),
        [{"service_id": office, "quantity": Decimal("1.00")}],
    )
    assert stored["version"] == contract["version"]


def test_a_cancelled_visit_is_not_generated_again(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    until = today() + timedelta(days=14)
    contracts.generate_orders(actor=clerk, until=until)
    first = generated(contract["id"])[0]
    orders.cancel_order(actor=clerk, order_id=first["id"], reason="公司放假", expected_version=first["version"])
    assert contracts.generate_orders(actor=clerk, until=until) == 0
    assert generated(contract["id"])[0]["status"] == "cancelled"


def test_changing_the_contract_affects_only_visits_generated_afterwards(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    contracts.generate_orders(actor=clerk, until=today() + timedelta(days=7))
    before = generated(contract["id"])
    contracts.update_contract(
        actor=clerk,
        contract_id=contract["id"],
        values=contract_values(customer, area),
        lines=[{"service_id": office, "quantity": 2}],
        expected_version=contract["version"],
    )
    contracts.generate_orders(actor=clerk, until=today() + timedelta(days=14))
    after = generated(contract["id"])
    assert after[: len(before)] == before
    assert {row["total"] for row in after[len(before) :]} == {Decimal("106.00")}


def test_a_stale_contract_edit_is_refused(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    contracts.update_contract(
        actor=clerk,
        contract_id=contract["id"],
        values=contract_values(customer, area),
        lines=[{"service_id": office, "quantity": 2}],
        expected_version=contract["version"],
    )
    with pytest.raises(ConcurrentEdit):
        contracts.update_contract(
            actor=clerk,
            contract_id=contract["id"],
            values=contract_values(customer, area),
            lines=[{"service_id": office, "quantity": 3}],
            expected_version=contract["version"],
        )


# --- Validation --------------------------------------------------------------------------


def refused_fields(clerk, customer, area, office, lines=None, **changes) -> set[str]:
    with pytest.raises(ValidationFailed) as refused:
        contracts.create_contract(
            actor=clerk,
            values=contract_values(customer, area, **changes),
            lines=[{"service_id": office, "quantity": 1}] if lines is None else lines,
        )
    return set(refused.value.errors)


def test_a_contract_that_ends_before_it_starts_is_refused(clerk, area, customer, office):
    assert refused_fields(clerk, customer, area, office, ends_on=tomorrow() - timedelta(days=1)) == {"ends_on"}


def test_a_contract_without_lines_is_refused(clerk, area, customer, office):
    assert refused_fields(clerk, customer, area, office, lines=[]) == {"lines"}


def test_a_contract_with_a_bad_quantity_frequency_window_or_customer_is_refused(clerk, area, customer, office):
    assert refused_fields(
        clerk,
        customer,
        area,
        office,
        lines=[{"service_id": office, "quantity": 0}],
        frequency="daily",
        window_end=time(17),
        customer_id=9999,
    ) == {"lines.0.quantity", "frequency", "window_end", "customer_id"}


def test_a_refused_contract_writes_nothing(clerk, area, customer, office):
    refused_fields(clerk, customer, area, office, lines=[])
    assert contracts.list_contracts(actor=clerk, include_ended=True) == []


def test_ending_a_contract_cancels_its_future_visits_that_have_not_started(clerk, manager, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    made = contracts.generate_orders(actor=clerk, until=today() + timedelta(days=21))
    assert made >= 3
    contracts.end_contract(actor=manager, contract_id=contract["id"], expected_version=contract["version"])
    statuses = {o["status"] for o in generated(contract["id"])}
    assert statuses == {"cancelled"}


def test_changing_the_schedule_cancels_visits_no_longer_on_it(clerk, area, customer, office):
    contract = make_contract(clerk, customer, area, office)
    contracts.generate_orders(actor=clerk, until=today() + timedelta(days=28))
    before = generated(contract["id"])
    changed = contracts.update_contract(
        actor=clerk,
        contract_id=contract["id"],
        values=contract_values(customer, area, frequency="monthly"),
        lines=[{"service_id": office, "quantity": Decimal(1)}],
        expected_version=contract["version"],
    )
    kept = [o for o in generated(changed["id"]) if o["status"] != "cancelled"]
    assert len(kept) == 1 and len(before) > 1


def test_a_contract_that_cannot_generate_is_recorded_and_the_others_still_generate(
    clerk, manager, area, customer, office
):
    broken = make_contract(clerk, customer, area, office)
    fine_service = make_service("WINDOWS", price="5.00", minutes="1", skills=("window",), unit="m2")
    fine = make_contract(clerk, customer, area, fine_service)
    row = catalogue.get(actor=manager, record_id=office)
    catalogue.update(actor=manager, record_id=office, values={**row, "active": False}, expected_version=row["version"])
    assert contracts.generate_orders(actor=clerk, until=today() + timedelta(days=14)) > 0
    assert generated(broken["id"]) == [] and generated(fine["id"])
    with db.reading() as session:
        failures = session.execute(select(AuditEntry).where(AuditEntry.action == "contract_failed")).scalars().all()
    assert [f.entity_id for f in failures] == [str(broken["id"])]
