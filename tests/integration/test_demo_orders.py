"""The demo company's order history: repeatable, priced and dispatched as the app would,
numbered so the app carries on, and with the seasons, repeat customers and late payers
that reports and forecasts need. Small companies (200 customers, 2,000 orders)."""

from __future__ import annotations

import shutil
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import select, text

from core import db
from core.actor import SYSTEM
from core.auth import actor_for
from core.clock import local, today
from core.demo.catalogue import LARGE_BASKETS
from core.demo.generate import seed
from core.demo.seasons import CNY
from core.models import Base, Contract, Customer, Order, OrderEvent, Payment, Service, Shift, Staff, User
from core.order_status import NEXT
from core.pricing import price_line, totals
from core.services import contracts, finance, orders
from tests.factories import order_values

CUSTOMERS, ORDERS = 200, 2_000


@pytest.fixture
def company(store):
    return seed(customers=CUSTOMERS, orders=ORDERS, seed_value=11)


def use_a_fresh_store(store, request, name: str) -> None:
    if store.dialect == "sqlite":
        path = request.getfixturevalue("tmp_path") / f"{name}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db.use_engine(db.make_engine(f"sqlite:///{path}"))
        return
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with store.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def demo_login(username: str):
    with db.reading() as session:
        return actor_for(session.execute(select(User).where(User.username == username)).scalar_one())


def all_orders() -> list[Order]:
    with db.reading() as session:
        return list(session.execute(select(Order).order_by(Order.id)).scalars())


def fingerprint() -> list[tuple]:
    with db.reading() as session:
        staff = dict(session.execute(select(Staff.id, Staff.name)).all())
        customers = dict(session.execute(select(Customer.id, Customer.code)).all())
        found = session.execute(select(Order).order_by(Order.number)).scalars()
        return [
            (o.number, customers[o.customer_id], o.requested_date, o.window_start, o.status, staff.get(o.technician_id),
             o.total, o.paid, o.rating, tuple((line.service_code, line.quantity) for line in o.lines))
            for o in found
        ]  # fmt: skip


# --- Repeatable ---------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_orders_and_another_seed_other_ones(store, request):
    made = seed(customers=CUSTOMERS, orders=ORDERS, seed_value=5)
    first = fingerprint()
    use_a_fresh_store(store, request, "again")
    seed(customers=CUSTOMERS, orders=ORDERS, seed_value=5)
    again = fingerprint()
    use_a_fresh_store(store, request, "other")
    seed(customers=CUSTOMERS, orders=ORDERS, seed_value=6)
    other = fingerprint()
    assert made["orders"] == len(first) == ORDERS
    assert again == first
    assert other != first


# --- Priced and dispatched as the app would ------------------------------------------------


def test_every_line_and_total_is_what_core_pricing_makes_of_it(company):
    with db.reading() as session:
        catalogue = {s.id: s for s in session.execute(select(Service)).scalars()}
        for order in session.execute(select(Order)).scalars():
            for line in order.lines:
                priced = price_line(catalogue[line.service_id], line.quantity)
                assert (line.amount, line.minutes, line.unit_price) == (
                    priced.amount,
                    priced.minutes,
                    priced.unit_price,
                )
            figures = totals([line.amount for line in order.lines], 0, order.discount_pct, order.tax_rate)
            assert (order.subtotal, order.discount_amount, order.tax_amount, order.total) == (
                figures.subtotal,
                figures.discount_amount,
                figures.tax_amount,
                figures.total,
            )
            assert order.tax_rate == Decimal("0.06") and 1 <= len(order.lines) <= 3


def test_the_benchmarks_larger_baskets_hold_about_three_lines_each_priced_the_same_way(store):
    seed(customers=CUSTOMERS, orders=ORDERS, seed_value=11, lines_per_order=LARGE_BASKETS)
    with db.reading() as session:
        catalogue = {s.id: s for s in session.execute(select(Service)).scalars()}
        found = session.execute(select(Order)).scalars().all()
        counts = [len(order.lines) for order in found]
        for order in found:
            assert len({line.service_id for line in order.lines}) == len(order.lines)  # no service twice
            assert [line.amount for line in order.lines] == [
                price_line(catalogue[line.service_id], line.quantity).amount for line in order.lines
            ]
            assert (
                order.total
                == totals([line.amount for line in order.lines], 0, order.discount_pct, order.tax_rate).total
            )
    assert len(found) == ORDERS and max(counts) <= 6
    assert 2.7 <= sum(counts) / len(counts) <= 3.3  # the demo's own baskets average about 1.55


def booked_jobs() -> list[Order]:
    return [o for o in all_orders() if o.technician_id is not None and o.status != "cancelled"]


def test_no_technician_is_ever_double_booked(company):
    jobs = defaultdict(list)
    for order in booked_jobs():
        jobs[order.technician_id].append((order.scheduled_start, order.scheduled_end))
    assert sum(len(j) for j in jobs.values()) > ORDERS * 0.8
    for mine in jobs.values():
        mine.sort()
        assert all(earlier[1] <= later[0] for earlier, later in pairwise(mine))


def test_every_job_has_a_technician_who_covers_the_area_has_the_skills_and_is_on_shift(company):
    with db.reading() as session:
        people = {p.id: p for p in session.execute(select(Staff)).scalars()}
        skills = {s.id: set(s.skills) for s in session.execute(select(Service)).scalars()}
        shifts = defaultdict(list)
        for shift in session.execute(select(Shift)).scalars():
            shifts[shift.staff_id].append((shift.starts_at, shift.ends_at))
    jobs = booked_jobs()
    assert {o.status for o in jobs} == {"scheduled", "completed", "paid"}
    for order in jobs:
        person = people[order.technician_id]
        assert person.position == "technician"
        assert person.status == "active" or order.requested_date < today()  # who left or is on leave: their past
        assert order.area_id in person.areas
        assert set().union(*(skills[line.service_id] for line in order.lines)) <= set(person.skills)
        assert any(start <= order.scheduled_start and order.scheduled_end <= end for start, end in shifts[person.id])
        assert local(order.scheduled_start).date() == order.requested_date
        assert order.window_start <= local(order.scheduled_start).time() <= order.window_end
        assert order.assignment_reason["en"].startswith(f"{person.name}: covers ")


def test_the_demo_technician_login_is_the_first_technician(company):
    with db.reading() as session:
        first = session.execute(select(Staff).order_by(Staff.id)).scalars().first()
        others = session.execute(select(Staff.user_id).where(Staff.id != first.id)).scalars().all()
    assert (first.name, first.public_name, first.employee_no) == ("刘强", "刘师傅", "EMP-000001")
    assert first.user_id is not None and set(others) == {None}


# --- The status flow and the money ------------------------------------------------------------


def test_past_orders_are_closed_and_todays_and_later_ones_still_open(company):
    found = all_orders()
    past = Counter(o.status for o in found if o.requested_date < today())
    ahead = Counter(o.status for o in found if o.requested_date >= today())
    assert set(past) == {"completed", "paid", "cancelled"}
    assert 0.02 < past["cancelled"] / sum(past.values()) < 0.09
    assert past["paid"] > 0.8 * sum(past.values())
    assert ahead and set(ahead) <= {"new", "confirmed", "scheduled"} and ahead["scheduled"] > 0
    assert all(o.cancel_reason for o in found if o.status == "cancelled")
    assert all(o.created_at.date() <= today() for o in found)


def test_each_order_history_follows_the_status_flow_in_time(company):
    with db.reading() as session:
        history = defaultdict(list)
        for event in session.execute(select(OrderEvent).order_by(OrderEvent.id)).scalars():
            history[event.order_id].append(event)
    for order in all_orders():
        steps = history[order.id]
        assert steps[0].to_status == "new" and steps[0].from_status is None and steps[0].at == order.created_at
        for before, after in pairwise(steps):
            assert after.at >= before.at and after.from_status == before.to_status
            assert after.to_status in NEXT[after.from_status] or after.note == "discount approved"
        assert steps[-1].to_status == order.status


def test_payments_add_up_and_only_fully_paid_orders_are_paid(company):
    with db.reading() as session:
        received = defaultdict(list)
        for payment in session.execute(select(Payment)).scalars():
            received[payment.order_id].append(payment)
        kinds = dict(session.execute(select(Customer.id, Customer.kind)).all())
    methods = Counter()
    for order in all_orders():
        mine = received[order.id]
        assert sum((p.amount for p in mine), Decimal(0)) == order.paid
        assert (order.status == "paid") == (order.paid == order.total and order.status != "cancelled")
        assert order.status != "cancelled" or not mine
        for payment in mine:
            methods[kinds[order.customer_id], payment.method] += 1
    assert {method for _kind, method in methods} == {"wechat", "alipay", "card", "cash", "bank_transfer"}
    company_payments = sum(n for (kind, _m), n in methods.items() if kind == "company")
    assert methods["company", "bank_transfer"] > 0.7 * company_payments


def test_receivables_have_late_payers_in_more_than_one_age_bucket(company):
    owed = finance.receivables(actor=SYSTEM)
    assert sum(1 for amount in owed["buckets"].values() if amount > 0) >= 3
    assert owed["overdue"] > 0


def test_ratings_are_mostly_good_and_only_on_finished_jobs(company):
    found = all_orders()
    ratings = Counter(o.rating for o in found if o.rating)
    assert all(o.status in {"completed", "paid"} for o in found if o.rating)
    assert set(ratings) <= {1, 2, 3, 4, 5} and (ratings[4] + ratings[5]) > 0.75 * sum(ratings.values())
    assert any(o.rating_comment for o in found) and any(o.materials_used for o in found)


# --- Numbers carry on -------------------------------------------------------------------------


def test_numbers_are_gap_free_per_year_and_a_new_order_takes_the_next_one(company):
    per_year = defaultdict(list)
    for order in all_orders():
        per_year[order.number[3:7]].append(int(order.number[8:]))
    for numbers in per_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    this_year = str(today().year)
    with db.reading() as session:
        customer = session.execute(select(Customer).order_by(Customer.id)).scalars().first()
        service = session.execute(select(Service.id).where(Service.code == "SOFA-FABRIC")).scalar_one()
    made = orders.create_order(
        actor=demo_login("clerk"),
        values=order_values(customer.id, customer.area_id),
        lines=[{"service_id": service, "quantity": "3"}],
        idempotency_key=str(uuid.uuid4()),
    )
    assert made["number"] == f"SO-{this_year}-{len(per_year[this_year]) + 1:06d}"


def test_the_contract_generator_finds_the_demo_visits_already_made(company):
    with db.reading() as session:
        plans = session.execute(select(Contract)).scalars().all()
        visits = [o for o in all_orders() if o.contract_id is not None]
    assert plans and visits
    assert all(o.occurrence_date == o.requested_date for o in visits)
    assert all(o.idempotency_key == f"contract-{o.contract_id}-{o.occurrence_date.isoformat()}" for o in visits)
    assert contracts.generate_orders(actor=SYSTEM, until=max(o.requested_date for o in visits)) == 0


# --- Seasons, growth and customers ---------------------------------------------------------------


def daily(found: list[Order], months: set[int]) -> float:
    days = {o.requested_date for o in found}
    first, last = min(days), max(days)
    span = [first + timedelta(n) for n in range((last - first).days + 1)]
    chosen = [d for d in span if d.month in months and d < today()]
    return sum(1 for o in found if o.requested_date.month in months and o.requested_date < today()) / len(chosen)


def test_spring_is_busier_than_july_and_households_book_at_weekends(company):
    found = all_orders()
    assert daily(found, {3, 4}) > 1.2 * daily(found, {7})
    with db.reading() as session:
        kinds = dict(session.execute(select(Customer.id, Customer.kind)).all())

    def household_share(weekend: bool) -> float:
        mine = [o for o in found if (o.requested_date.weekday() >= 5) == weekend]
        return sum(1 for o in mine if kinds[o.customer_id] == "person") / len(mine)

    assert household_share(weekend=True) > household_share(weekend=False) + 0.15


def test_the_weeks_before_spring_festival_are_busier_than_the_festival_itself(company):
    found = all_orders()
    festival = max(d for d in CNY.values() if d + timedelta(7) < today())
    before = sum(1 for o in found if festival - timedelta(21) <= o.requested_date < festival - timedelta(2))
    during = sum(1 for o in found if festival <= o.requested_date < festival + timedelta(7))
    assert before / 19 > 3 * (during / 7)


def test_the_business_grows_and_customers_come_back(company):
    found = [o for o in all_orders() if o.requested_date < today()]
    start = min(o.requested_date for o in found)
    first_year = sum(1 for o in found if o.requested_date < start + timedelta(365))
    last_year = sum(1 for o in found if o.requested_date >= today() - timedelta(365))
    assert last_year > 1.1 * first_year
    per_customer = Counter(o.customer_id for o in found)
    busiest = sum(n for _c, n in per_customer.most_common(CUSTOMERS // 20))
    assert busiest > 0.2 * len(found)  # the top 5% of customers place over a fifth of the orders
    assert sorted(per_customer.values())[len(per_customer) // 2] <= 8
