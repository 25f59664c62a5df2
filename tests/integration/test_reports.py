"""The operational reports against figures worked out by hand on a small company (see
`report_examples.make_march`), on SQLite and PostgreSQL; the Excel and CSV files they download."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from core.analytics.reports import Column, Section, period_bounds
from core.errors import ValidationFailed
from core.i18n import Bilingual
from core.models import AuditEntry
from core.reporting import section_csv, workbook
from core.services import reports
from tests.factories import make_user
from tests.integration.report_examples import make_march, put_order
from tests.integration.stock_support import count

MARCH = date(2025, 3, 15)
D = Decimal


@pytest.fixture
def boss(store):
    return make_user("boss", "manager")


@pytest.fixture
def march(store):
    return make_march()


def rows(report, key):
    return [tuple(row) for row in report.section(key).rows]


def test_periods_are_day_iso_week_month_and_year():
    assert period_bounds("day", date(2025, 3, 5)) == (date(2025, 3, 5), date(2025, 3, 5))
    assert period_bounds("week", date(2025, 3, 5)) == (date(2025, 3, 3), date(2025, 3, 9))  # Monday to Sunday
    assert period_bounds("month", date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("month", date(2025, 12, 31)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert period_bounds("year", date(2025, 3, 5)) == (date(2025, 1, 1), date(2025, 12, 31))


def test_a_month_by_area(boss, march):
    report = reports.operational_report(actor=boss, period="month", on=MARCH, grouping="area")
    assert (report.start, report.end) == (date(2025, 3, 1), date(2025, 3, 31))
    # Due in March: o1 (Xuhui, done), o3 (Xuhui, cancelled), o2 and o10 (Pudong, done), o4 (Pudong, open);
    # placed in March: those and o11 (Pudong), due in April.
    assert rows(report, "orders") == [
        ("Pudong", 4, 3, 2, 0, 1, 0.6667),
        ("Xuhui", 2, 2, 1, 1, 0, 0.5),
        ("Total", 6, 5, 3, 1, 1, 0.6),
    ]
    # New: c1 (Xuhui), c3 (Pudong); active: c1; c2 and c3; lost: c4 (its last order was in Pudong).
    assert rows(report, "customers") == [("Pudong", 1, 2, 1), ("Xuhui", 1, 1, 0), ("Total", 2, 3, 1)]
    # Completed in March: o1 ¥106 (tax included) and o5 ¥50 in Xuhui, o2 ¥160 less ¥10 refunded in Pudong;
    # o10 finished on April 1 at 00:30 company time (still March 31 in UTC) is not March's.
    assert rows(report, "revenue") == [
        ("Pudong", 1, D("150.00"), D("150.00")),
        ("Xuhui", 2, D("156.00"), D("78.00")),
        ("Total", 3, D("306.00"), D("102.00")),
    ]
    # o1: 2 h × ¥30, materials 1 × 30 issued − 0.5 × 30 back = 15; o5: 1 h × ¥30, 1 × 20;
    # o2: no start recorded, so its planned 30 minutes × ¥40.
    assert rows(report, "costs") == [
        ("Pudong", 1, D("0.50"), D("0.00"), D("20.00"), D("20.00")),
        ("Xuhui", 2, D("3.00"), D("35.00"), D("90.00"), D("125.00")),
        ("Total", 3, D("3.50"), D("35.00"), D("110.00"), D("145.00")),
    ]
    assert rows(report, "margin") == [
        ("Pudong", D("150.00"), D("20.00"), D("130.00"), 0.8667),
        ("Xuhui", D("156.00"), D("125.00"), D("31.00"), 0.1987),
        ("Total", D("306.00"), D("145.00"), D("161.00"), 0.5261),
    ]


def test_a_month_by_service_shares_an_order_by_its_lines(boss, march):
    report = reports.operational_report(actor=boss, period="month", on=MARCH, grouping="service")
    # o1 is ¥80 of carpet and ¥20 of windows: 80 % and 20 % of its ¥106, its ¥15 of materials and its 2 hours.
    assert rows(report, "orders") == [
        ("Carpet", 5, 4, 3, 0, 1, 0.75),
        ("Window", 2, 2, 1, 1, 0, 0.5),
        ("Total", 6, 5, 3, 1, 1, 0.6),
    ]
    assert rows(report, "revenue") == [
        ("Carpet", 2, D("234.80"), D("117.40")),
        ("Window", 2, D("71.20"), D("35.60")),
        ("Total", 3, D("306.00"), D("102.00")),
    ]
    assert rows(report, "costs") == [
        ("Carpet", 2, D("2.10"), D("12.00"), D("68.00"), D("80.00")),
        ("Window", 2, D("1.40"), D("23.00"), D("42.00"), D("65.00")),
        ("Total", 3, D("3.50"), D("35.00"), D("110.00"), D("145.00")),
    ]
    assert [row[:4] for row in rows(report, "margin")] == [
        ("Carpet", D("234.80"), D("80.00"), D("154.80")),
        ("Window", D("71.20"), D("65.00"), D("6.20")),
        ("Total", D("306.00"), D("145.00"), D("161.00")),
    ]
    # c1 ordered carpet (o1) and windows (o1; o3 was cancelled): new in both, counted once in the total.
    assert rows(report, "customers") == [("Carpet", 2, 3, 1), ("Window", 1, 1, 0), ("Total", 2, 3, 1)]


def test_by_technician_and_by_channel(boss, march):
    report = reports.operational_report(actor=boss, period="month", on=MARCH, grouping="technician")
    assert [row[:5] for row in rows(report, "orders")] == [
        ("Liu Qiang", 2, 2, 1, 0),
        ("Unassigned", 2, 1, 0, 1),
        ("Wang Wu", 2, 2, 2, 0),
        ("Total", 6, 5, 3, 1),
    ]
    assert [row[:3] for row in rows(report, "revenue")] == [
        ("Liu Qiang", 2, D("156.00")),
        ("Wang Wu", 1, D("150.00")),
        ("Total", 3, D("306.00")),
    ]
    by_channel = reports.operational_report(actor=boss, period="month", on=MARCH, grouping="channel", language="zh")
    assert [row[:2] for row in rows(by_channel, "orders")] == [("App", 3), ("电话", 2), ("网站", 1), ("合计", 6)]
    assert [row[:3] for row in rows(by_channel, "revenue")] == [
        ("电话", 2, D("156.00")),
        ("网站", 1, D("150.00")),
        ("合计", 3, D("306.00")),
    ]
    assert rows(by_channel, "customers")[-1] == ("合计", 2, 3, 1)


def test_a_day_a_week_and_an_empty_year(boss, march):
    day = reports.operational_report(actor=boss, period="day", on=date(2025, 3, 5), grouping="area")
    assert rows(day, "revenue") == [("Xuhui", 1, D("106.00"), D("106.00")), ("Total", 1, D("106.00"), D("106.00"))]
    assert rows(day, "margin")[-1] == ("Total", D("106.00"), D("75.00"), D("31.00"), 0.2925)
    week = reports.operational_report(actor=boss, period="week", on=date(2025, 3, 28), grouping="area")
    # o4 due (still open) and placed, o11 placed for April.
    assert rows(week, "orders") == [("Pudong", 2, 1, 0, 0, 1, 0.0), ("Total", 2, 1, 0, 0, 1, 0.0)]
    assert rows(week, "revenue") == [("Total", 0, D("0.00"), None)]
    # o10, completed on Tuesday April 1 at 00:30: ¥40; 2 × ¥30 of materials; its planned 8 minutes × ¥40.
    week = reports.operational_report(actor=boss, period="week", on=date(2025, 4, 2), grouping="area")
    assert (week.start, week.end) == (date(2025, 3, 31), date(2025, 4, 6))
    assert rows(week, "costs")[-1] == ("Total", 1, D("0.13"), D("60.00"), D("5.33"), D("65.33"))
    assert rows(week, "margin")[0] == ("Pudong", D("40.00"), D("65.33"), D("-25.33"), -0.6333)
    empty = reports.operational_report(actor=boss, period="year", on=date(2020, 6, 1), grouping="service")
    assert [len(section.rows) for section in empty.sections] == [1, 1, 1, 1, 1]
    assert rows(empty, "orders") == [("Total", 0, 0, 0, 0, 0, None)]
    assert rows(empty, "margin") == [("Total", D("0.00"), D("0.00"), D("0.00"), None)]


def test_a_saved_order_is_in_the_next_report(boss, march):
    before = reports.operational_report(actor=boss, period="day", on=date(2025, 3, 20), grouping="area")
    assert rows(before, "orders")[-1][:2] == ("Total", 1)
    put_order(march["customers"][4], march["pudong"], date(2025, 3, 20), "new", [])
    after = reports.operational_report(actor=boss, period="day", on=date(2025, 3, 20), grouping="area")
    assert rows(after, "orders")[-1][:2] == ("Total", 2)


def test_choices_are_checked(boss):
    with pytest.raises(ValidationFailed) as failure:
        reports.operational_report(actor=boss, period="fortnight", on="yesterday", grouping="colour")
    assert set(failure.value.errors) == {"period", "on", "grouping"}
    with pytest.raises(ValidationFailed) as failure:
        reports.report_csv(actor=boss, period="day", on=MARCH, grouping="area", section="secrets")
    assert set(failure.value.errors) == {"section"}


def sheet_xml(data: bytes) -> dict[str, str]:
    """Each sheet's XML by its name, and the shared strings under '' (xlsx is a zip of XML)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = re.findall(r'<sheet name="([^"]+)" sheetId="(\d+)"', book.read("xl/workbook.xml").decode())
        found = {name: book.read(f"xl/worksheets/sheet{number}.xml").decode() for name, number in names}
        found[""] = book.read("xl/sharedStrings.xml").decode()
        return found


def test_the_excel_file_has_a_sheet_per_section_with_numbers_as_numbers(boss, march):
    audited = count(AuditEntry)
    data = reports.report_excel(actor=boss, period="month", on=MARCH, grouping="area")
    sheets = sheet_xml(data)
    assert list(sheets)[:-1] == ["Orders", "Customers", "Revenue", "Costs", "Margin"]
    revenue = sheets["Revenue"]
    # Row 3 is the header (a title line and a blank row above it); the figures are numeric cells.
    assert re.search(r'<c r="C4" s="\d+"><v>150</v></c>', revenue)
    assert re.search(r'<c r="C6" s="\d+"><v>306</v></c>', revenue)
    assert re.search(r'<c r="D6" s="\d+"><v>102</v></c>', revenue)
    assert re.search(r'<c r="E6" s="\d+"><v>0.5261</v></c>', sheets["Margin"])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        styles = book.read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.00"' in styles and 'formatCode="0.0%"' in styles
    assert "<f>" not in "".join(sheets.values())  # nothing is a formula
    assert count(AuditEntry) == audited + 1
    zh = sheet_xml(reports.report_excel(actor=boss, period="month", on=MARCH, grouping="area", language="zh"))
    assert list(zh)[:-1] == ["订单", "客户", "收入", "成本", "毛利"]
    assert "浦东新区" in zh[""] and "合计" in zh[""]


def test_text_that_looks_like_a_formula_is_neutralised():
    section = Section(
        "x",
        Bilingual("Danger", "危险"),
        (
            Column("group", Bilingual("Group", "组"), "text"),
            Column("amount", Bilingual("Amount", "金额"), "money"),
            Column("day", Bilingual("Day", "日期"), "date"),
        ),
        (("=1+1", D("-5.50"), date(2025, 3, 1)), ("@SUM(A1)", D("1234.5"), None), ("\tx", None, None)),
    )
    sheets = sheet_xml(workbook([section], "en"))
    assert "'=1+1" in sheets[""] and "'@SUM(A1)" in sheets[""] and "<f>" not in sheets["Danger"]
    assert re.search(r'<c r="B2" s="\d+"><v>-5.5</v></c>', sheets["Danger"])  # a negative number stays a number
    assert re.search(r'<c r="C2" s="\d+"><v>45717</v></c>', sheets["Danger"])  # 2025-03-01 as an Excel date
    lines = list(csv.reader(io.StringIO(section_csv(section, "en").decode("utf-8-sig"))))
    assert lines == [
        ["Group", "Amount", "Day"],
        ["'=1+1", "-5.50", "2025-03-01"],
        ["'@SUM(A1)", "1234.50", ""],
        ["'\tx", "", ""],
    ]


def test_a_section_as_csv(boss, march):
    data = reports.report_csv(actor=boss, period="month", on=MARCH, grouping="area", section="margin")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines == [
        ["Area", "Revenue", "Costs", "Margin", "Margin rate"],
        ["Pudong", "150.00", "20.00", "130.00", "0.8667"],
        ["Xuhui", "156.00", "125.00", "31.00", "0.1987"],
        ["Total", "306.00", "145.00", "161.00", "0.5261"],
    ]
