"""CSV export and import for any declared entity.

Import is two-step: `read_import` checks the whole file and lists every row's
problems without writing anything (the dry run); the caller then writes the rows
that passed in one transaction. Files from Excel in China are often GB18030, so
that is tried after UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.entities.spec import Entity, Field
from core.entities.validation import FieldError, clean_value
from core.i18n import Message, msg

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    field: str | None
    message: Message


@dataclass
class ImportCheck:
    valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    file_error: Message | None = None
    encoding: str = ""
    total_rows: int = 0

    @property
    def bad_rows(self) -> int:
        return len({problem.row for problem in self.errors})


def export_csv(
    entity: Entity, rows: Iterable[Mapping[str, Any]], language: str, ref_labels: Mapping[str, Mapping[int, str]]
) -> bytes:
    fields = entity.export_fields
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f.label.get(language) for f in fields])
    for row in rows:
        writer.writerow([_export_cell(f, row.get(f.name), language, ref_labels) for f in fields])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the Chinese right


def _export_cell(field: Field, value: Any, language: str, ref_labels: Mapping[str, Mapping[int, str]]) -> str:
    if value is None:
        return ""
    if field.kind in {"choice", "multichoice"}:
        return safe_cell(field.choice_label(value, language).replace(", ", "; "))
    if field.kind == "ref":
        return safe_cell(ref_labels.get(field.ref or "", {}).get(value, str(value)))
    if field.kind == "multiref":
        labels = ref_labels.get(field.ref or "", {})
        return safe_cell("; ".join(labels.get(item, str(item)) for item in value))
    return safe_cell(str(value))


def safe_cell(text: str) -> str:
    """Text a spreadsheet must show, not run: a leading = + - @ would make it a formula.
    (Spreadsheets hide the quote; `read_import` takes it off again.)"""
    return "'" + text if text.startswith(FORMULA_START) else text


def unquoted(cell: str) -> str:
    """A cell as it was before `safe_cell`, so an exported file imports as it was."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def decode(data: bytes) -> tuple[str, str] | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def header_map(entity: Entity) -> dict[str, Field]:
    names: dict[str, Field] = {}
    for f in entity.import_fields:
        for token in (f.name, f.label.en, f.label.zh):
            names[token.strip().lower()] = f
    return names


def read_import(
    entity: Entity,
    data: bytes,
    refs: Mapping[str, Mapping[str, int]],
    *,
    max_rows: int,
) -> ImportCheck:
    check = ImportCheck()
    if b"\x00" in data[:4096]:
        check.file_error = msg(
            "This is not a text CSV file (it looks binary, or UTF-16). Save it as CSV UTF-8 and try again."
        )
        return check
    decoded = decode(data)
    if decoded is None:
        check.file_error = msg("The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8 and try again.")
        return check
    text, check.encoding = decoded
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        check.file_error = msg("The file is empty.")
        return check
    except csv.Error as error:
        check.file_error = msg("The file is not valid CSV: {error}", error=str(error))
        return check
    columns = _columns(entity, header, check)
    if check.file_error:
        return check
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            check.total_rows += 1
            if check.total_rows > max_rows:
                check.file_error = msg(
                    "The file has more than {limit} rows. Split it into smaller files.", limit=max_rows
                )
                check.valid.clear()
                return check
            _read_row(entity, number, cells, columns, refs, check)
    except csv.Error as error:
        check.file_error = msg("The file is not valid CSV: {error}", error=str(error))
        check.valid.clear()
    return check


def _columns(entity: Entity, header: list[str], check: ImportCheck) -> list[Field | None]:
    known = header_map(entity)
    columns = [known.get(name.strip().lower()) for name in header]
    # Columns Opsdesk fills itself (the code of an exported file) are read past, not refused.
    assigned = {
        token.strip().lower()
        for f in entity.fields
        if f not in entity.import_fields
        for token in (f.name, f.label.en, f.label.zh)
    }
    unknown = [
        name
        for name, f in zip(header, columns, strict=True)
        if f is None and name.strip() and name.strip().lower() not in assigned
    ]
    present = {f.name for f in columns if f}
    missing = [f for f in entity.import_fields if f.required and f.default is None and f.name not in present]
    repeated = len(present) != len([f for f in columns if f])
    if unknown or missing or repeated:
        expected = ", ".join(f.label.en for f in entity.import_fields)
        check.file_error = msg(
            "The columns do not match. Unknown: {unknown}. Missing required: {missing}. Expected columns: {expected}.",
            unknown=", ".join(unknown) or "-",
            missing=", ".join(f.label.en for f in missing) or "-",
            expected=expected,
        )
        if repeated:
            check.file_error = msg("A column appears twice in the header row.")
    return columns


def _read_row(
    entity: Entity,
    number: int,
    cells: list[str],
    columns: list[Field | None],
    refs: Mapping[str, Mapping[str, int]],
    check: ImportCheck,
) -> None:
    raw: dict[str, Any] = {f.name: f.default for f in entity.import_fields if f.default is not None}
    raw.update({f.name: unquoted(cell) for f, cell in zip(columns, cells, strict=False) if f is not None})
    if len(cells) > len(columns):
        check.errors.append(RowProblem(number, None, msg("This row has more cells than the header.")))
        return
    values: dict[str, Any] = {}
    failed = False
    for f in entity.import_fields:
        try:
            values[f.name] = clean_value(f, raw.get(f.name), refs)
        except FieldError as bad:
            check.errors.append(RowProblem(number, f.name, bad.message))
            failed = True
    if not failed:
        check.valid.append((number, values))
