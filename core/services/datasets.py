"""The analysts' data downloads: choose a dataset, filter it, pick columns, preview, download
as CSV, Excel or Parquet. Read from the columnar snapshot; phones and email masked for
everyone, addresses for roles that may not edit customers; every download written in the
audit trail (who, which dataset, filters, columns, format and row count, never the values)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

import polars as pl

from core.actor import Actor
from core.analytics import excel, snapshot
from core.analytics.datasets import (
    DATASETS,
    FILTER_CHOICES,
    FORMATS,
    PREVIEW_ROWS,
    Column,
    Dataset,
    Query,
    date_error,
    over_limit,
    sees_addresses,
    select_sql,
    where,
)
from core.audit import record_event
from core.auth import live_roles
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import msg
from core.permissions import service

BOM = "\ufeff".encode()  # Excel reads a UTF-8 CSV with Chinese right only with it


@dataclass(frozen=True)
class Preview:
    columns: tuple[Column, ...]
    rows: pl.DataFrame  # the first PREVIEW_ROWS rows, one column per chosen column's name
    total: int  # every row that matches
    masked: bool  # addresses are masked for this reader (phones and email are for everyone)


@dataclass(frozen=True)
class Export:
    data: bytes
    rows: int
    kind: str


def _checked(query: Query, kind: str | None = None) -> tuple[Dataset, tuple[Column, ...]]:
    errors = {}
    dataset = DATASETS.get(query.dataset)
    if dataset is None:
        raise ValidationFailed({"dataset": msg("Choose one of the datasets.")})
    unknown = [name for name in query.columns if dataset.column(name) is None]
    if unknown:
        errors["columns"] = msg("These columns are not in the dataset: {names}.", names=", ".join(unknown))
    backwards = date_error(query.date_from, query.date_to)
    if backwards is not None:
        errors["date_to"] = backwards
    if kind is not None and kind not in FORMATS:
        errors["kind"] = msg("Choose CSV, Excel or Parquet.")
    if errors:
        raise ValidationFailed(errors)
    if not query.columns:
        return dataset, dataset.columns
    return dataset, tuple(c for name in dict.fromkeys(query.columns) if (c := dataset.column(name)) is not None)


def _masked(actor: Actor) -> bool:
    return not sees_addresses(actor.roles if actor.is_system else live_roles(actor))


def _count(con: Any, dataset: Dataset, query: Query, language: str) -> int:
    condition, params = where(dataset, query, language)
    return int(con.execute(f"SELECT count(*) FROM {dataset.source} WHERE {condition}", params).fetchall()[0][0])


@service("data", "view")
def filter_choices(*, actor: Actor, dataset: str, language: str = "en") -> dict[str, list[Any]]:
    """The values each filter of the dataset can take, as they are in the data now."""
    found, _ = _checked(Query(dataset))
    choices: dict[str, list[Any]] = {}
    with snapshot.reader() as con:
        for column in found.filters:
            expression = column.expression(language, False)
            sql = (
                f"SELECT DISTINCT {expression} AS v FROM {found.choices_from(column)} "
                f"WHERE {expression} IS NOT NULL ORDER BY v LIMIT {FILTER_CHOICES}"
            )
            choices[column.name] = [row[0] for row in con.execute(sql).fetchall()]
    return choices


@service("data", "view")
def preview(*, actor: Actor, query: Query, language: str = "en") -> Preview:
    """The first rows of what the query chooses, and how many rows it chooses in all."""
    dataset, columns = _checked(query)
    masked = _masked(actor)
    condition, params = where(dataset, query, language)
    # The first rows are found by their ids alone, then only they are read in full (10× faster at 1M).
    first = f"SELECT {dataset.key} FROM {dataset.source} WHERE {condition} ORDER BY {dataset.order} "
    first += f"LIMIT {PREVIEW_ROWS}"
    sql = (
        f"{select_sql(dataset, columns, language, masked, guard=False)} "
        f"WHERE {dataset.key} IN ({first}) ORDER BY {dataset.order}"
    )
    with snapshot.reader() as con:
        total = _count(con, dataset, query, language)
        rows = con.sql(sql, params=params).pl()
    return Preview(columns, rows, total, masked)


@service("data", "view")
def export(*, actor: Actor, query: Query, kind: str, language: str = "en") -> Export:
    """The whole query as one file; refused, with the count and the limit, when too large."""
    dataset, columns = _checked(query, kind)
    masked = _masked(actor)
    condition, params = where(dataset, query, language)
    guard = kind != "parquet"  # Parquet is read by programs, not run by spreadsheets
    inner = f"{select_sql(dataset, columns, language, masked, guard=guard)} WHERE {condition} ORDER BY {dataset.order}"
    with snapshot.reader() as con:
        con.execute("BEGIN TRANSACTION").fetchall()  # the count and the file see the same rows
        try:
            total = _count(con, dataset, query, language)
            refusal = over_limit(kind, total)
            if refusal is not None:
                raise OpsdeskError(refusal)
            data = _write(con, inner, params, columns, kind, language, dataset)
        finally:
            con.execute("ROLLBACK").fetchall()
    applied = {c.name: query.filters.get(c.name) for c in dataset.filters}
    filters = "; ".join(f"{name}={'|'.join(map(str, values))}" for name, values in applied.items() if values)
    record_event(
        actor,
        "export",
        entity=f"dataset:{dataset.name}",
        detail=(
            f"{total} rows; format {kind}; dates {query.date_from or '…'} to {query.date_to or '…'}; "
            f"filters {filters or 'none'}; masked contacts; {'masked' if masked else 'full'} addresses; "
            f"columns {','.join(c.name for c in columns)}"
        ),
    )
    return Export(data, total, kind)


def _write(
    con: Any, inner: str, params: list[Any], columns: tuple[Column, ...], kind: str, language: str, dataset: Dataset
) -> bytes:
    if kind == "xlsx":
        rows = con.execute(inner, params).fetchall()
        sheet = excel.Sheet(
            dataset.label.get(language), [c.label.get(language) for c in columns], [c.kind for c in columns], rows
        )
        return excel.workbook([sheet])
    if kind == "csv":
        labelled = ", ".join(f'"{c.name}" AS "{_quoted(c.label.get(language))}"' for c in columns)
        relation = con.sql(f"SELECT {labelled} FROM ({inner})", params=params)
    else:
        relation = con.sql(inner, params=params)
    handle, path = tempfile.mkstemp(suffix=f".{kind}")
    os.close(handle)
    try:
        if kind == "csv":
            relation.write_csv(path, header=True, timestamp_format="%Y-%m-%d %H:%M:%S", overwrite=True)
        else:
            relation.write_parquet(path, overwrite=True)
        with open(path, "rb") as file:
            data = file.read()
    finally:
        os.unlink(path)
    return BOM + data if kind == "csv" else data


def _quoted(text: str) -> str:
    return text.replace('"', '""')
