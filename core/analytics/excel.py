"""The one Excel writer (the data page's downloads and the reports): sheets of typed columns,
a bold header, numbers kept as numbers and formatted, dates as dates, text guarded against
formulas like the CSV files (`core.entities.csv_io.safe_cell`) and never read as a formula or link.

Rows are written as they come (xlsxwriter's constant-memory mode), so a large sheet does not
hold a second copy of itself in memory while it is built; `streaming=False` keeps xlsxwriter's
ordinary mode (a shared string table) for small workbooks such as the reports.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import xlsxwriter

from core.entities.csv_io import safe_cell

# kind -> Excel number format (None: general)
FORMATS: dict[str, str | None] = {
    "text": None,
    "int": "0",
    "money": "#,##0.00",
    "decimal": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "time": "hh:mm",
    "bool": None,
}
MAX_SHEET_NAME = 31  # Excel's limit
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    """One sheet: its title, its column headers and kinds (keys of FORMATS), and its rows.
    `heading`, if given, is a bold line above the table (with a blank row under it), so the header
    row is the table's first row; `bold_last_row` sets the last row (a total) in bold."""

    title: str
    headers: Sequence[str]
    kinds: Sequence[str]
    rows: Iterable[Sequence[Any]]
    heading: str = ""
    bold_last_row: bool = False


def workbook(sheets: Sequence[Sheet], *, streaming: bool = True) -> bytes:
    """An .xlsx file holding the sheets in order."""
    buffer = io.BytesIO()
    options = {"in_memory": False, "constant_memory": streaming, "remove_timezone": True}
    book = xlsxwriter.Workbook(buffer, {**options, "strings_to_formulas": False, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1})
    bold = book.add_format({"bold": True})
    plain = {kind: book.add_format({"num_format": pattern}) for kind, pattern in FORMATS.items() if pattern}
    strong = {
        kind: book.add_format({"num_format": pattern or "General", "bold": True}) for kind, pattern in FORMATS.items()
    }
    used: set[str] = set()
    for sheet in sheets:
        ws = book.add_worksheet(_sheet_name(sheet.title, used))
        top = 0
        if sheet.heading:
            ws.write_string(0, 0, safe_cell(sheet.heading), bold)
            top = 2
        for col, (title, kind) in enumerate(zip(sheet.headers, sheet.kinds, strict=True)):
            ws.write_string(top, col, safe_cell(title), header)
            ws.set_column(col, col, _width(title, kind))
        ws.freeze_panes(top + 1, 0)
        for r, (row, last) in enumerate(_marking_last(sheet.rows), start=top + 1):
            formats = strong if last and sheet.bold_last_row else plain
            for col, (value, kind) in enumerate(zip(row, sheet.kinds, strict=True)):
                write_cell(ws, r, col, value, formats.get(kind))
    book.close()
    return buffer.getvalue()


def write_cell(ws: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
    """A number as a number, a date as a date, text as text that never runs as a formula."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, float(value), cell_format)
    elif isinstance(value, datetime | date | time):
        ws.write_datetime(row, col, value, cell_format)
    else:
        ws.write_string(row, col, safe_cell(str(value)), cell_format)


def _marking_last(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Sequence[Any], bool]]:
    """Each row with whether it is the last, one row ahead so a stream is not read twice."""
    iterator = iter(rows)
    previous = next(iterator, None)
    while previous is not None:
        following = next(iterator, None)
        yield previous, following is None
        previous = following


def _sheet_name(title: str, used: set[str]) -> str:
    base = (title.translate(FORBIDDEN).strip() or "Sheet")[:MAX_SHEET_NAME]
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _width(title: str, kind: str) -> float:
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in title)  # CJK characters take two columns
    return max(wide + 2, {"datetime": 17, "date": 11, "money": 12, "text": 14}.get(kind, 9))
