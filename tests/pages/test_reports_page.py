"""The reports page through AppTest: the choices from the address, the sections as tables with the
hand-computed figures of `make_march`, another breakdown, the print view, and bad links."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.factories import make_user
from tests.integration.report_examples import make_march
from tests.pages.conftest import log_in, open_app, texts, widget

PAGE = "pages/analytics/reports.py"


def open_report(app, role: str = "manager", **params: str) -> AppTest:
    make_march()
    at = app(role)
    for name, value in params.items():
        at.query_params[name] = value
    return at.switch_page(PAGE).run()


def table(at: AppTest, index: int) -> list[list[str]]:
    return at.dataframe[index].value.values.tolist()


def test_a_month_by_area_as_tables(app):
    at = open_report(app, period="month", on="2025-03-15", group="area")
    assert not at.exception and not at.error
    assert "Operational report" in texts(at)
    assert [m.value for m in at.markdown if m.value.startswith("####")] == [
        "#### Orders",
        "#### Customers",
        "#### Revenue",
        "#### Costs",
        "#### Margin",
    ]
    assert table(at, 0)[-1] == ["Total", "6", "5", "3", "1", "1", "60.0%"]
    assert table(at, 1) == [["Pudong", "1", "2", "1"], ["Xuhui", "1", "1", "0"], ["Total", "2", "3", "1"]]
    assert table(at, 2)[-1] == ["Total", "3", "¥306.00", "¥102.00"]
    assert table(at, 4)[-1] == ["Total", "¥306.00", "¥145.00", "¥161.00", "52.6%"]
    assert list(at.dataframe[4].value.columns) == ["Area", "Revenue", "Costs", "Margin", "Margin rate"]


def test_another_breakdown_is_kept_in_the_address(app):
    at = open_report(app, period="month", on="2025-03-15", group="area")
    widget(at.selectbox, "By").select("service")
    at.run()
    assert at.query_params["group"] == "service"
    assert [row[0] for row in table(at, 2)] == ["Carpet", "Window", "Total"]
    assert table(at, 2)[0] == ["Carpet", "2", "¥234.80", "¥117.40"]
    widget(at.selectbox, "Period").select("year")
    at.run()
    assert at.query_params["period"] == "year"
    assert table(at, 0)[-1][:2] == ["Total", "7"]  # and o5, placed in February


def test_the_print_view_shows_plain_tables_and_no_downloads(app):
    at = open_report(app, period="month", on="2025-03-15", group="technician", print="1")
    assert not at.exception
    assert len(at.table) == 5 and len(at.dataframe) == 0
    assert not at.get("download_button")
    assert "Use your browser's print command" in texts(at)
    styles = [m.value for m in at.markdown if "<style>" in m.value and "@media print" in m.value]
    assert len(styles) == 1 and 'data-testid="stSidebar"' in styles[0]
    widget(at.toggle, "Print view").set_value(False)
    at.run()
    assert "print" not in at.query_params
    assert len(at.dataframe) == 5 and len(at.get("download_button")) == 6  # Excel, and CSV per section


def test_a_bad_link_falls_back_and_an_empty_period_says_so(app):
    at = open_report(app, period="fortnight", on="yesterday", group="colour")
    assert not at.exception and not at.error
    assert widget(at.selectbox, "Period").value == "month"
    assert widget(at.selectbox, "By").value == "area"
    widget(at.date_input, "Any day in it").set_value(date(2020, 6, 1))
    at.run()
    assert "No orders in this period." in texts(at)
    assert table(at, 0) == [["Total", "0", "0", "0", "0", "0", "–"]]


def test_in_chinese(app):
    make_march()
    make_user("laowang", "executive", language="zh")
    at = log_in(open_app(), "laowang")
    at.query_params.update({"period": "month", "on": "2025-03-15", "group": "channel"})
    at = at.switch_page(PAGE).run()
    assert not at.exception
    assert "运营报表" in texts(at)
    assert [row[0] for row in table(at, 0)] == ["App", "电话", "网站", "合计"]
