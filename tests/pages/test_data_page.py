"""The analysts' data page through AppTest: choosing a dataset, columns and filters, the preview
with masked contacts, dates the wrong way round, nothing matching, and the row limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.analytics import datasets as catalogue
from core.clock import today
from tests.factories import make_area, make_customer, make_user
from tests.pages.conftest import log_in, message_under, open_app, texts, widget

SCRIPT = "pages/analytics/data.py"


@pytest.fixture
def shop(sqlite_store):
    area = make_area()
    make_customer(area, name="=HYPERLINK()", phone="138 1234 5678", email="zhangwei@example.com")
    make_customer(area, name="李娜", kind="company", phone="139 8765 4321", email="lina@example.com")
    make_user("lucy", "analyst")
    make_user("boss", "manager")


def opened(username: str) -> AppTest:
    at = log_in(open_app(), username).switch_page(SCRIPT).run()
    assert not at.exception, at.exception
    widget(at.selectbox, "Dataset").set_value("customers").run()
    return at


def preview(at: AppTest) -> list[list[str]]:
    frame = at.dataframe[0].value
    return [[str(v) for v in row] for row in frame.itertuples(index=False)]


def test_an_analyst_previews_customers_with_contacts_masked(shop):
    at = opened("lucy")
    widget(at.multiselect, "Columns").set_value(["name", "phone", "email"]).run()
    assert list(at.dataframe[0].value.columns) == ["Name", "Phone", "Email"]
    assert preview(at) == [
        ["=HYPERLINK()", "138****5678", "z***@example.com"],
        ["李娜", "139****4321", "l***@example.com"],
    ]
    assert "2 rows match; the first 2 are shown." in texts(at)
    assert "Phones and email are masked for everyone; only a customer's page shows them in full." in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download Excel", "Download Parquet"]


def test_a_manager_gets_phones_masked_addresses_in_full_and_a_filter_narrows_the_rows(shop):
    at = opened("boss")
    widget(at.multiselect, "Columns").set_value(["name", "phone", "address"]).run()
    widget(at.multiselect, "Kind").set_value(["company"]).run()
    [[name, phone, address]] = preview(at)
    assert (name, phone) == ("李娜", "139****4321") and "****" not in address
    assert "Phones and email are masked for everyone; only a customer's page shows them in full." in texts(at)
    assert "Addresses are masked for your role." not in texts(at)


def test_an_analyst_gets_addresses_masked_too(shop):
    at = opened("lucy")
    widget(at.multiselect, "Columns").set_value(["name", "address"]).run()
    assert all("****" in address for _name, address in preview(at))
    assert "Addresses are masked for your role." in texts(at)
    assert "Phones and email are masked" not in texts(at)


def test_dates_the_wrong_way_round_are_refused_under_the_end_date(shop):
    at = opened("lucy")
    at.date_input(key="data.customers.from").set_value(today()).run()
    at.date_input(key="data.customers.to").set_value(today() - timedelta(days=1)).run()
    assert message_under(at, "data.customers.to") == "The start date is after the end date."
    assert not at.dataframe
    at.date_input(key="data.customers.from").set_value(today() + timedelta(days=5)).run()
    at.date_input(key="data.customers.to").set_value(today() + timedelta(days=6)).run()
    assert "No rows match these dates and filters." in texts(at)


def test_a_download_over_the_limit_is_refused_with_the_count_and_the_limit(shop, monkeypatch):
    monkeypatch.setitem(catalogue.LIMITS, "xlsx", 1)
    at = opened("lucy")
    assert "2 rows match: more than the 1 rows one Excel download may hold." in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download Parquet"]


def test_the_page_speaks_chinese(sqlite_store):
    make_user("xiaoli", "analyst", language="zh")
    at = log_in(open_app(), "xiaoli").switch_page(SCRIPT).run()
    assert not at.exception, at.exception
    assert "数据下载" in texts(at)
