"""The executives' KPI page through AppTest: the cards with their change and sparkline, the
custom period refused with its message under its field, and a manager's target marking a card."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from core import db
from core.clock import at as moment_at
from core.clock import today
from core.models import KpiTarget
from tests.factories import make_area, make_customer, make_user
from tests.integration.order_support import count
from tests.integration.test_kpis import order
from tests.pages.conftest import log_in, message_under, open_app, texts, widget

PAGE = "pages/analytics/kpis.py"


@pytest.fixture
def sales(sqlite_store) -> None:
    """One order done today for ¥500 (revenue this month to date)."""
    area = make_area()
    customer = make_customer(area)["id"]
    order(customer, area, today(), today(), "completed", "500", completed_at=moment_at(today(), time(11)))


def opened(username: str, *roles: str) -> AppTest:
    make_user(username, *roles)
    at = log_in(open_app(), username)
    return at.switch_page(PAGE).run()


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0]


def test_executive_reads_every_kpi_without_targets_form(sales):
    at = opened("boss", "executive")
    assert not at.exception
    assert len(at.metric) == 14
    revenue = metric(at, "Revenue")
    assert revenue.value == "¥500.00"
    assert revenue.proto.chart_data  # the sparkline
    assert "Targets" not in [e.label for e in at.expander]
    assert "No target" in texts(at)


def test_custom_period_backwards_is_refused_under_its_field(sales):
    at = opened("boss", "executive")
    widget(at.selectbox, "Period").set_value("custom").run()
    widget(at.date_input, "From").set_value(date(2026, 5, 21))
    widget(at.date_input, "To").set_value(date(2026, 5, 20)).run()
    assert not at.exception
    assert message_under(at, "kpis.start") == "The first day must not be after the last day."
    assert len(at.metric) == 0
    assert widget(at.date_input, "From").value == date(2026, 5, 21)  # kept as typed


def test_manager_sets_a_target_and_the_card_is_marked(sales):
    at = opened("wangfang", "manager")
    widget(at.text_input, "Target").input("lots")
    widget(at.button, "Save the target").click().run()
    assert message_under(at, "kpis.target.target") == "Enter a number."
    assert widget(at.text_input, "Target").value == "lots"
    assert count(KpiTarget) == 0
    widget(at.text_input, "Target").input("1000")
    widget(at.button, "Save the target").click().run()
    assert not at.exception
    assert "Target saved." in texts(at)
    assert ":red-badge[:material/warning: Off target]" in texts(at)  # revenue ¥500 below ¥1,000
    assert "Target: ¥1,000.00" in texts(at)
    with db.reading() as session:
        saved = session.query(KpiTarget).one()
    assert (saved.kpi, saved.target, saved.higher_is_better) == ("revenue", Decimal("1000.0000"), True)
