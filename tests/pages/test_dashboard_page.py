"""The dashboard page: filters read from and written to the address, bad links, an empty
period, and the rows behind a selected bar. AppTest cannot click inside a Plotly chart, so the
selection is given as the chart's widget state, or as the `drill` of a shared link."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.integration.dashboard_examples import seed_company
from tests.pages.conftest import message_under, texts

PAGE = "pages/analytics/dashboard.py"


@pytest.fixture
def company(sqlite_store):
    return seed_company()


def dashboard(app, **params: str | list[str]) -> AppTest:
    at = app("manager")
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(PAGE).run()


def listed(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_filters_come_from_the_link_and_go_back_into_it(app, company):
    at = dashboard(app, **{"from": "2026-03-01", "to": "2026-03-31", "area": str(company["A"]), "grain": "month"})
    assert not at.exception
    assert at.multiselect(key="dash.area").value == [company["A"]]
    assert str(at.date_input(key="dash.from").value) == "2026-03-01"
    figures = {chart["layout"]["title"]["text"]: chart["data"] for chart in charts(at)}
    revenue = figures["Revenue (bars) and orders (line)"]
    assert revenue[0]["x"] == ["2026-03-01"] and revenue[0]["y"] == [186.0]  # O1 106 + O4 80 in area A
    assert figures["Ratings"][0]["y"] == [0, 0, 0, 0, 1]
    assert len(figures) == 9

    at.multiselect(key="dash.channel").select("app").run()
    assert listed(at, "channel") == ["app"]
    assert listed(at, "area") == [str(company["A"])]
    assert "No orders match these filters. Widen the dates or remove a filter." in [i.value for i in at.info]
    assert not at.get("plotly_chart")


def test_a_start_after_the_end_is_shown_under_the_date(app, company):
    at = dashboard(app, **{"from": "2026-04-01", "to": "2026-03-01"})
    assert not at.exception
    assert message_under(at, "dash.to") == "The start date is after the end date."
    assert not at.get("plotly_chart")


def test_a_stale_link_names_what_it_left_out(app, company):
    at = dashboard(
        app, **{"from": "2026-03-01", "to": "2026-03-31", "area": [str(company["A"]), "999"], "drill": "bogus:1"}
    )
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert "This link names filters that no longer exist; they were left out: area 999." in warnings
    assert any("bogus" in w and "is not one this dashboard makes" in w for w in warnings)
    assert at.multiselect(key="dash.area").value == [company["A"]]
    assert listed(at, "area") == [str(company["A"])]  # the address no longer names it


def test_a_drill_in_the_link_shows_its_rows_paged_and_a_download(app, company):
    at = dashboard(app, **{"from": "2026-03-01", "to": "2026-03-31", "drill": "status:new"})
    assert not at.exception
    assert "The rows behind: Orders that reached New" in texts(at)
    [table] = at.dataframe
    assert list(table.value["Number"]) == ["T-1", "T-2", "T-3", "T-4"]
    assert "Page 1 of 1 · 4 records" in texts(at)
    assert at.get("download_button")
    at.button(key="dash.clear").click().run()
    assert "drill" not in at.query_params
    assert not at.dataframe


def test_each_bar_knows_the_rows_behind_it(app, company):
    """A click on a bar puts that bar's drill in the address (the browser test clicks one; AppTest
    cannot fire Plotly selection events): here, each chart's drills and the rows of one of them."""
    at = dashboard(app, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert at.session_state["dash.chart.area.drills"] == [f"area:{company['A']}", f"area:{company['B']}"]
    assert at.session_state["dash.chart.time.drills"] == ["week:2026-03-02", "week:2026-03-09"]
    assert at.session_state["dash.chart.stock.drills"] == [f"item:{company['X']}"]
    at.query_params["drill"] = at.session_state["dash.chart.area.drills"][1]
    at.run()
    assert "The rows behind: Area: Area B" in texts(at)
    assert list(at.dataframe[0].value["Number"]) == ["T-2"]
    at.query_params["drill"] = f"item:{company['X']}"
    at.run()
    assert list(at.dataframe[0].value["Quantity"]) == [-3, 1]
