"""Report sections as files: an Excel workbook with one sheet per section, written by the one
Excel writer (`core.analytics.excel`: bold header, money as #,##0.00, rates as 0.0%, dates as
dates, numbers as numbers, the total row in bold), and a section as CSV. Text cells that a
spreadsheet would run as a formula are neutralised in both, as in every CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from core.analytics import excel
from core.analytics.reports import Section
from core.entities.csv_io import safe_cell

# a report column's kind -> the Excel writer's kind (core.analytics.excel.FORMATS)
EXCEL_KINDS = {"text": "text", "int": "int", "number": "decimal", "money": "money", "pct": "percent", "date": "date"}
FORMATTED = {"int", "number", "money", "pct", "date"}  # a number in one of these is written as a number


def workbook(sections: Sequence[Section], language: str, *, heading: str = "") -> bytes:
    """One sheet per section; the last row of each (the total) in bold. `heading`, if given, is
    written above the table (the report's period), so the header row is the table's first row."""
    sheets = [
        excel.Sheet(
            section.title.get(language),
            [column.label.get(language) for column in section.columns],
            [EXCEL_KINDS.get(column.kind, "text") for column in section.columns],
            [
                [_excel_cell(value, column.kind) for column, value in zip(section.columns, row, strict=True)]
                for row in section.rows
            ],
            heading=heading,
            bold_last_row=True,
        )
        for section in sections
    ]
    return excel.workbook(sheets, streaming=False)  # a few rows a sheet, with the strings shared


def _excel_cell(value: Any, kind: str) -> Any:
    """A number only in a formatted column and a date only in a date column; anything else as text."""
    if value is None or isinstance(value, str):
        return value
    if kind == "date" and isinstance(value, date):
        return value
    if kind in FORMATTED and isinstance(value, int | float | Decimal):
        return value
    return str(value)


def section_csv(section: Section, language: str) -> bytes:
    """A section as CSV (UTF-8 with a BOM for Excel): numbers plain, rates as fractions (0.25)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(column.label.get(language)) for column in section.columns])
    for row in section.rows:
        writer.writerow([_csv_cell(value, column.kind) for column, value in zip(section.columns, row, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, int | float | Decimal):
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    if isinstance(value, date):
        return value.isoformat()
    if kind in FORMATTED and isinstance(value, int | float | Decimal):
        return str(value)
    return safe_cell(str(value))
