"""The operational reports (day, week, month, year; by area, service, technician or channel) on
screen and as Excel or CSV. The figures and what they mean: `core.analytics.reports`."""

from __future__ import annotations

from datetime import date
from typing import Any

from core import formatting
from core.actor import Actor
from core.analytics.reports import GROUPINGS, PERIODS, Report, build_report
from core.audit import record_event
from core.errors import ValidationFailed
from core.i18n import Bilingual, msg
from core.permissions import service
from core.reporting import section_csv, workbook

TITLE = Bilingual("Operational report", "运营报表")


def _checked(period: Any, on: Any, grouping: Any) -> None:
    errors = {}
    if period not in PERIODS:
        errors["period"] = msg("Choose one of: {options}.", options=", ".join(PERIODS))
    if not isinstance(on, date):
        errors["on"] = msg("Enter a date as YYYY-MM-DD.")
    if grouping not in GROUPINGS:
        errors["grouping"] = msg("Choose one of: {options}.", options=", ".join(GROUPINGS))
    if errors:
        raise ValidationFailed(errors)


def _heading(report: Report, language: str) -> str:
    """The report's title line: what it covers and how it is broken down."""
    span = formatting.day(report.start)
    if report.end != report.start:
        span = f"{span} – {formatting.day(report.end)}"
    return f"{TITLE.get(language)}: {span} · {GROUPINGS[report.grouping].get(language)}"


@service("dashboards", "view")
def operational_report(*, actor: Actor, period: str, on: date, grouping: str, language: str = "en") -> Report:
    """Orders, customers, revenue, costs and margin for the period containing `on`, per group."""
    _checked(period, on, grouping)
    return build_report(period, on, grouping, language)


@service("dashboards", "view")
def report_excel(*, actor: Actor, period: str, on: date, grouping: str, language: str = "en") -> bytes:
    """The whole report as an Excel workbook, one sheet per section; the download is audited."""
    _checked(period, on, grouping)
    report = build_report(period, on, grouping, language)
    data = workbook(report.sections, language, heading=_heading(report, language))
    record_event(actor, "export", entity="reports", detail=f"xlsx {period} {report.start}..{report.end} {grouping}")
    return data


@service("dashboards", "view")
def report_csv(*, actor: Actor, period: str, on: date, grouping: str, section: str, language: str = "en") -> bytes:
    """One section of the report as CSV; the download is audited."""
    _checked(period, on, grouping)
    report = build_report(period, on, grouping, language)
    keys = [s.key for s in report.sections]
    if section not in keys:
        raise ValidationFailed({"section": msg("Choose one of: {options}.", options=", ".join(keys))})
    data = section_csv(report.section(section), language)
    record_event(
        actor, "export", entity="reports", detail=f"csv {section} {period} {report.start}..{report.end} {grouping}"
    )
    return data
