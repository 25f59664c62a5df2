"""The pages around orders: the technician's day, the dispatch board, receivables and
settlement, the catalogue, the staff list, recurring contracts, and a customer's orders
(the shifts page: test_roster_pages.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import core.order_rules
from core.actor import SYSTEM
from core.clock import at as moment_at
from core.clock import today
from core.masking import mask
from core.services import audit, contracts, dispatch, jobs, orders, payments
from core.services.audit import AuditFilter
from core.services.catalogue import catalogue
from tests.factories import make_area, make_customer, make_service, make_technician, make_user, order_values
from tests.pages.conftest import log_in, message_under, open_app, texts, widget
from ui.text import escape_markdown


@pytest.fixture
def shop(sqlite_store) -> dict[str, Any]:
    area = make_area()
    return {
        "area": area,
        "customer": make_customer(area),
        "service": make_service("CARPET", price="8.00", minutes="1.5"),
        "boss": make_user("boss", "manager"),
    }


def new_order(shop: dict[str, Any], day: date | None = None, area: int | None = None) -> dict[str, Any]:
    values = order_values(shop["customer"]["id"], area or shop["area"], day=day)
    key = f"k-{len(orders.search_orders(actor=SYSTEM, page_size=100).rows)}"
    return orders.create_order(
        actor=SYSTEM, values=values, lines=[{"service_id": shop["service"], "quantity": 10}], idempotency_key=key
    )


def booked(shop: dict[str, Any], staff_id: int, day: date, hour: int) -> dict[str, Any]:
    """An order confirmed and assigned by hand to `staff_id` at `hour` on `day` (whatever the time now)."""
    order = new_order(shop, day=day)
    order = orders.confirm_order(actor=shop["boss"], order_id=order["id"], expected_version=order["version"])
    dispatch.assign(
        actor=shop["boss"],
        order_id=order["id"],
        staff_id=staff_id,
        start=moment_at(day, time(hour)),
        expected_version=order["version"],
    )
    return orders.get_order(actor=SYSTEM, order_id=order["id"])


def completed(shop: dict[str, Any], staff_id: int) -> dict[str, Any]:
    order = booked(shop, staff_id, today() + timedelta(days=1), 9)
    order = jobs.start_job(actor=shop["boss"], order_id=order["id"], expected_version=order["version"])
    return jobs.complete_job(actor=shop["boss"], order_id=order["id"], expected_version=order["version"])


def page(at: AppTest, script: str, **params: str) -> AppTest:
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(script).run()


def column(at: AppTest, name: str, index: int = 0) -> list[Any]:
    frames = [d.value for d in at.dataframe if name in d.value.columns]
    return list(frames[index][name])


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- the technician's day ----------------------------------------------------------------


class TestMyJobsToday:
    @pytest.fixture
    def crew(self, shop) -> dict[str, Any]:
        tech = make_user("tech1", "technician")
        mine = make_technician("Wang Lei", shop["area"], user=tech, shift_day=today())
        other = make_technician("Zhao Min", shop["area"], shift_day=today())
        return {"mine": mine, "other": other}

    def test_a_technician_sees_only_their_own_jobs_of_today(self, app, shop, crew):
        mine_today = booked(shop, crew["mine"], today(), 10)
        booked(shop, crew["mine"], today() + timedelta(days=1), 10)
        booked(shop, crew["other"], today(), 14)
        at = page(log_in(open_app(), "tech1"), "pages/jobs/today.py")
        assert [c.value for c in at.caption if c.value.startswith("SO-")] == [f"{mine_today['number']} · Scheduled"]
        assert "### 10:00–10:30 · 张伟" in texts(at)
        assert "- Carpet × 10 m²" in texts(at)
        buttons = [b.label for b in at.button if b.key and b.key.startswith("jobs.")]
        assert buttons == ["Show the phone to call", "Start"]

    def test_the_phone_is_masked_until_the_technician_taps_to_call(self, app, shop, crew):
        job = booked(shop, crew["mine"], today(), 10)
        phone = shop["customer"]["phone"]
        at = page(log_in(open_app(), "tech1"), "pages/jobs/today.py")
        assert escape_markdown(mask(phone)) in texts(at) and phone not in "".join(texts(at))
        widget(at.button, "Show the phone to call").click()
        at.run()
        assert f"[{phone}](tel:{phone.replace(' ', '')})" in texts(at)
        assert "Show the phone to call" not in [b.label for b in at.button]
        viewed = audit.search_audit(actor=SYSTEM, where=AuditFilter(action="contacts_viewed")).rows
        assert [(r["entity_id"], r["detail"]) for r in viewed] == [
            (str(shop["customer"]["id"]), f"{shop['customer']['code']} · {job['number']}")
        ]

    def test_a_technician_starts_then_completes_a_job_with_the_rating(self, app, shop, crew):
        job = booked(shop, crew["mine"], today(), 10)
        at = page(log_in(open_app(), "tech1"), "pages/jobs/today.py")
        widget(at.button, "Start").click()
        at.run()
        assert f"Started {job['number']}." in texts(at)
        assert f"{job['number']} · In progress" in [c.value for c in at.caption]
        widget(at.text_area, "Materials used").input("2 L carpet shampoo")
        at.feedback(key=f"jobs.rating.{job['id']}").set_value(4)  # the fifth star
        widget(at.text_input, "Customer's comment").input("Spotless")
        widget(at.button, "Complete").click()
        at.run()
        assert f"Completed {job['number']}. Thank you!" in texts(at)
        done = orders.get_order(actor=SYSTEM, order_id=job["id"])
        assert (done["status"], done["rating"], done["materials_used"], done["rating_comment"]) == (
            "completed",
            5,
            "2 L carpet shampoo",
            "Spotless",
        )
        assert f"{job['number']} · Completed" in [c.value for c in at.caption]
        assert "Start" not in [b.label for b in at.button] and "Complete" not in [b.label for b in at.button]

    def test_a_day_without_jobs_says_so(self, app, shop, crew):
        at = page(log_in(open_app(), "tech1"), "pages/jobs/today.py")
        assert [i.value for i in at.info] == ["No jobs today."]

    def test_a_technician_whose_login_is_not_linked_is_told_why(self, app, shop):
        at = page(app("technician"), "pages/jobs/today.py")
        assert [e.value for e in at.error] == ["Your login is not linked to a technician; ask a manager."]
        assert not at.exception


# --- dispatch ----------------------------------------------------------------------------


class TestDispatchBoard:
    def test_the_board_shows_each_technicians_jobs_and_the_waiting_orders(self, app, shop):
        wang = make_technician("Wang Lei", shop["area"], shift_day=today())
        make_technician("Zhao Min", shop["area"], shift_day=today())
        job = booked(shop, wang, today(), 10)
        elsewhere = make_area("SH-PD", "Pudong", "浦东新区")
        waiting = new_order(shop, day=today(), area=elsewhere)  # nobody covers Pudong
        orders.confirm_order(actor=shop["boss"], order_id=waiting["id"], expected_version=waiting["version"])
        at = page(app("clerk"), "pages/orders/dispatch.py")
        assert [e.label for e in at.expander] == ["Wang Lei · 08:00–18:00 · 1 jobs", "Zhao Min · 08:00–18:00 · 0 jobs"]
        assert column(at, "Number") == [job["number"]]
        assert column(at, "From") == ["10:00"]
        assert "Waiting for a technician (1)" in [s.value for s in at.subheader]
        assert any(
            m.value.startswith(f"**{waiting['number']}**") and "No active technician covers this area" in m.value
            for m in at.markdown
        )


# --- finance -----------------------------------------------------------------------------


class TestFinance:
    def test_receivables_show_the_age_buckets_and_the_rows(self, app, shop, monkeypatch):
        wang = make_technician("Wang Lei", shop["area"])
        recent = completed(shop, wang)
        old_day = datetime.now(UTC) - timedelta(days=45)
        monkeypatch.setattr(core.order_rules, "utcnow", lambda: old_day)  # completed 45 days ago
        old = completed(shop, wang)
        monkeypatch.undo()
        paid = completed(shop, wang)
        payments.record_payment(actor=shop["boss"], order_id=paid["id"], amount="84.80", method="cash")
        at = page(app("clerk"), "pages/finance/receivables.py")
        assert metrics(at) == {
            "0-30 days": "¥84.80",
            "31-60 days": "¥84.80",
            "61-90 days": "¥0.00",
            "90+ days": "¥0.00",
            "Overdue (over 7 days)": "¥84.80",
            "Orders with money due": "2",
        }
        assert column(at, "Number") == [old["number"], recent["number"]]
        assert column(at, "Age") == ["31-60", "0-30"]
        assert column(at, "Overdue") == ["⚠", ""]

    def test_receivables_say_when_nothing_is_owed(self, app, shop):
        at = page(app("clerk"), "pages/finance/receivables.py")
        assert [i.value for i in at.info] == ["Nothing is owed."]

    def test_the_settlement_report_has_a_row_per_day_and_method(self, app, shop):
        wang = make_technician("Wang Lei", shop["area"])
        first, second = completed(shop, wang), completed(shop, wang)
        payments.record_payment(actor=shop["boss"], order_id=first["id"], amount="50.00", method="wechat")
        payments.record_payment(actor=shop["boss"], order_id=first["id"], amount="34.80", method="wechat")
        payments.record_payment(actor=shop["boss"], order_id=second["id"], amount="84.80", method="cash")
        payments.refund(actor=shop["boss"], order_id=second["id"], amount="10.00", method="cash", reason="Late")
        at = page(app("clerk"), "pages/finance/settlement.py")
        assert column(at, "Method") == ["Cash", "WeChat Pay"]
        assert column(at, "Payments") == [1, 2]
        assert column(at, "Received") == ["¥84.80", "¥84.80"]
        assert column(at, "Refunded") == ["¥10.00", "¥0.00"]
        assert column(at, "Net") == ["¥74.80", "¥84.80"]


# --- catalogue, staff and shifts ---------------------------------------------------------


class TestCatalogue:
    def test_the_list_shows_the_services(self, app, shop):
        make_service("WINDOW", price="5.00", minutes="10", skills=("window",), unit="piece")
        at = page(app("clerk"), "pages/catalogue/list.py")
        assert sorted(column(at, "Code")) == ["CARPET", "WINDOW"]

    def fill(self, at: AppTest, **values: Any) -> AppTest:
        for name, value in values.items():
            key = f"catalogue.new.{name}"
            field = next(
                w for kind in ("text_input", "selectbox", "multiselect") for w in getattr(at, kind) if w.key == key
            )
            field.set_value(value)
        widget(at.button, "Save").click()
        return at.run()

    def test_a_manager_creates_a_service(self, app, shop):
        at = page(app("manager"), "pages/catalogue/new.py")
        self.fill(
            at,
            code="WINDOW",
            name_en="Window cleaning",
            name_zh="擦窗",
            unit="piece",
            unit_price="5.50",
            minutes_per_unit="10",
            skills=["window"],
        )
        assert at.title[0].value == "Window cleaning"
        [row] = [r for r in catalogue.search(actor=SYSTEM, page_size=100).rows if r["code"] == "WINDOW"]
        assert (row["unit_price"], row["unit"], row["skills"], row["active"]) == (
            Decimal("5.50"),
            "piece",
            ["window"],
            True,
        )

    def test_a_duplicate_code_is_refused_under_the_code(self, app, shop):
        at = page(app("manager"), "pages/catalogue/new.py")
        self.fill(
            at, code="CARPET", name_en="Carpet again", name_zh="地毯", unit="m2", unit_price="9", minutes_per_unit="1"
        )
        assert message_under(at, "catalogue.new.code") == "Another record already uses this value."
        assert at.text_input(key="catalogue.new.name_en").value == "Carpet again"
        assert len(catalogue.search(actor=SYSTEM, page_size=100).rows) == 1

    def test_a_clerk_cannot_open_the_new_service_page(self, app, shop):
        at = app("clerk")
        with pytest.raises(ValueError):  # the page is not in the clerk's navigation
            at.switch_page("pages/catalogue/new.py")


class TestStaff:  # the shifts page: tests/pages/test_roster_pages.py
    def test_the_staff_list_shows_the_technicians(self, app, shop):
        make_technician("Wang Lei", shop["area"])
        make_technician("Zhao Min", shop["area"])
        at = page(app("clerk"), "pages/staff/list.py")
        assert sorted(column(at, "Name")) == ["Wang Lei", "Zhao Min"]


# --- contracts ---------------------------------------------------------------------------


def make_contract(shop: dict[str, Any], frequency: str) -> dict[str, Any]:
    """A contract for the shop's customer from tomorrow, 10 m² of carpet 09:00–12:00, with no end."""
    return contracts.create_contract(
        actor=SYSTEM,
        values={
            "customer_id": shop["customer"]["id"],
            "frequency": frequency,
            "starts_on": today() + timedelta(days=1),
            "ends_on": None,
            "window_start": time(9),
            "window_end": time(12),
            "address": "上海市徐汇区1号",
            "area_id": shop["area"],
            "channel": "phone",
            "notes": None,
        },
        lines=[{"service_id": shop["service"], "quantity": Decimal(10)}],
    )


class TestContracts:
    def test_a_clerk_creates_a_contract_and_generates_its_visits(self, app, shop):
        form = "contracts.new"
        at = page(app("clerk"), "pages/orders/contracts.py")
        at.selectbox(key=f"{form}.customer_id").set_value(shop["customer"]["id"]).run()
        assert at.text_input(key=f"{form}.address").value == shop["customer"]["address"]
        at.selectbox(key=f"{form}.line.0.service_id").set_value(shop["service"])
        at.number_input(key=f"{form}.line.0.quantity").set_value(20)
        widget(at.button, "Save the contract").click()
        at.run()
        assert "Contract CT\\-000001 saved." in texts(at)
        assert column(at, "Code") == ["CT-000001"]
        assert column(at, "How often") == ["Weekly"]

        widget(at.button, "Generate the coming visits now").click()
        at.run()
        made = orders.search_orders(actor=SYSTEM, page_size=100).rows
        assert made
        assert f"{len(made)} new orders generated." in texts(at)
        assert min(o["requested_date"] for o in made) == today() + timedelta(days=1)
        widget(at.button, "Generate the coming visits now").click()
        at.run()
        assert "0 new orders generated." in texts(at)
        assert len(orders.search_orders(actor=SYSTEM, page_size=100).rows) == len(made)
        assert len(contracts.get_contract(actor=SYSTEM, contract_id=1)["orders"]) == len(made)

    def test_a_manager_ends_a_contract_and_its_generated_visits_stay(self, app, shop):
        contract = make_contract(shop, "weekly")
        made = contracts.generate_orders(actor=SYSTEM)
        at = page(app("manager"), "pages/orders/contracts.py")
        at.session_state["contracts.open"] = contract["id"]  # as if the row was clicked
        at.run()
        assert len(at.dataframe[1].value) == made
        widget(at.button, "End the contract").click()
        at.run()
        assert contracts.list_contracts(actor=SYSTEM) == []
        assert len(contracts.get_contract(actor=SYSTEM, contract_id=contract["id"])["orders"]) == made
        assert "Contract ended; visits already generated stay as they are." in texts(at)

    def test_a_clerk_cannot_end_a_contract(self, app, shop):
        contract = make_contract(shop, "monthly")
        at = page(app("clerk"), "pages/orders/contracts.py")
        at.session_state["contracts.open"] = contract["id"]
        at.run()
        assert not [b for b in at.button if b.label == "End the contract"]

    def test_a_contract_without_a_customer_is_refused_under_the_customer(self, app, shop):
        at = page(app("clerk"), "pages/orders/contracts.py")
        at.selectbox(key="contracts.new.line.0.service_id").set_value(shop["service"])
        at.text_input(key="contracts.new.address").set_value("上海市徐汇区1号")
        at.selectbox(key="contracts.new.area_id").set_value(shop["area"])
        widget(at.button, "Save the contract").click()
        at.run()
        assert message_under(at, "contracts.new.customer_id") == "Choose a customer, or enter a new one."
        assert contracts.list_contracts(actor=SYSTEM) == []


# --- the customer's orders ---------------------------------------------------------------


class TestCustomerOrders:
    def test_the_orders_tab_shows_the_count_the_spending_and_the_orders(self, app, shop):
        wang = make_technician("Wang Lei", shop["area"])
        done = completed(shop, wang)
        payments.record_payment(actor=shop["boss"], order_id=done["id"], amount="84.80", method="cash")
        jobs_left = new_order(shop)
        at = page(app("clerk"), "pages/customers/detail.py", id=str(shop["customer"]["id"]))
        shown = metrics(at)
        assert (shown["Orders"], shown["Spent"], shown["Open balance"]) == ("2", "¥84.80", "¥0.00")
        assert sorted(column(at, "Number")) == sorted([done["number"], jobs_left["number"]])
        assert sorted(column(at, "Status")) == ["New", "Paid"]

    def test_a_customer_without_orders_says_so(self, app, shop):
        at = page(app("clerk"), "pages/customers/detail.py", id=str(shop["customer"]["id"]))
        assert "No orders yet." in [i.value for i in at.info]
        assert metrics(at)["Orders"] == "0"
