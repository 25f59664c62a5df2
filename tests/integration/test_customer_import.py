"""Importing customers from CSV: a dry run first, then all rows in one transaction, or none."""

from __future__ import annotations

import csv
import io
import time

import pytest
from sqlalchemy import event

from core import config, db
from core.errors import OpsdeskError
from core.i18n import translate
from core.models import Counter
from core.services.customers import customers
from tests.factories import make_customer
from tests.integration.customer_support import count_customers

HEADER = ["Name", "Phone", "Email", "Address", "Service area"]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def good(n: int) -> list[str]:
    return [f"客户{n}", f"139{n:08d}", f"c{n}@example.com", f"上海市徐汇区漕溪北路{n}号", "SH-XH"]


def counter() -> int | None:
    with db.reading() as session:
        row = session.get(Counter, "customers")
        return row.value if row else None


@pytest.fixture
def mixed() -> bytes:
    """Rows 2 and 4 are good; row 3 has a bad phone; row 5 lacks a name and has a bad email."""
    bad_phone = [*good(3)[:1], "12345", *good(3)[2:]]
    no_name = ["", f"139{5:08d}", "not-an-email", "上海市", "SH-XH"]
    return csv_bytes([good(2), bad_phone, good(4), no_name])


# --- The dry run -------------------------------------------------------------------------


def test_checking_a_file_lists_each_bad_row_by_number_and_field_and_writes_nothing(clerk, area, mixed):
    check = customers.check_import(actor=clerk, data=mixed)
    assert sorted((p.row, p.field) for p in check.errors) == [(3, "phone"), (5, "email"), (5, "name")]
    assert [number for number, _values in check.valid] == [2, 4]
    assert (check.total_rows, check.bad_rows, check.file_error) == (4, 2, None)
    assert count_customers() == 0
    assert counter() is None


def test_checking_a_file_cleans_the_values_it_will_write(clerk, area):
    check = customers.check_import(
        actor=clerk, data=csv_bytes([["张伟", "138 1234 5678", "ZW@Example.com", "上海", "徐汇区"]])
    )
    [(_row, values)] = check.valid
    assert (values["phone"], values["email"], values["area_id"]) == ("13812345678", "zw@example.com", area)
    assert (values["kind"], values["source"]) == ("person", "phone")  # defaults for absent columns


def test_a_phone_already_stored_is_warned_about_with_the_existing_code(clerk, area):
    make_customer(area, phone="13900000003", email=None)
    check = customers.check_import(actor=clerk, data=csv_bytes([good(2), good(3)]))
    assert [(w.row, w.field) for w in check.warnings] == [(3, "phone")]
    assert translate(check.warnings[0].message, "en") == "Possible duplicate of CU-000001."
    assert check.errors == []


def test_a_phone_repeated_within_the_file_is_warned_about_with_the_first_row(clerk, area):
    repeat = ["客户9", good(2)[1], "c9@example.com", "上海", "SH-XH"]
    check = customers.check_import(actor=clerk, data=csv_bytes([good(2), good(3), repeat]))
    assert [(w.row, w.field) for w in check.warnings] == [(4, "phone")]
    assert translate(check.warnings[0].message, "en") == "Same as row 2 of this file."


# --- Writing -----------------------------------------------------------------------------


def test_importing_a_clean_file_writes_every_row_with_consecutive_codes(clerk, area):
    make_customer(area, phone="13800000000", email=None)
    result = customers.run_import(actor=clerk, data=csv_bytes([good(n) for n in range(1, 4)]))
    assert (result.created, result.skipped_rows, result.first_code, result.last_code) == (
        3,
        0,
        "CU-000002",
        "CU-000004",
    )
    page = customers.search(actor=clerk, query="客户")
    assert sorted((r["code"], r["name"]) for r in page.rows) == [
        ("CU-000002", "客户1"),
        ("CU-000003", "客户2"),
        ("CU-000004", "客户3"),
    ]
    assert {r["updated_by_id"] for r in page.rows} == {clerk.user_id}


def test_a_file_with_errors_is_refused_whole_unless_bad_rows_are_skipped(clerk, area, mixed):
    with pytest.raises(OpsdeskError, match="2 row"):
        customers.run_import(actor=clerk, data=mixed)
    assert count_customers() == 0
    assert counter() is None


def test_skipping_invalid_rows_writes_only_the_good_ones(clerk, area, mixed):
    result = customers.run_import(actor=clerk, data=mixed, skip_invalid=True)
    assert (result.created, result.skipped_rows, result.first_code, result.last_code) == (
        2,
        2,
        "CU-000001",
        "CU-000002",
    )
    assert sorted(r["name"] for r in customers.search(actor=clerk).rows) == ["客户2", "客户4"]


def test_a_file_saved_by_excel_in_gb18030_is_read_right(clerk, area):
    result = customers.run_import(actor=clerk, data=csv_bytes([good(1)], encoding="gb18030"))
    assert result.created == 1
    assert customers.search(actor=clerk).rows[0]["address"] == "上海市徐汇区漕溪北路1号"


# --- Files refused as a whole ------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            csv_bytes([good(1)], header=["Name", "Mobile", "Email", "Address", "Service area"]), id="unknown-column"
        ),
        pytest.param(csv_bytes([good(1)[:4]], header=HEADER[:4]), id="missing-required-column"),
        pytest.param(
            csv_bytes([good(1)], header=["Name", "Phone", "Phone", "Address", "Service area"]), id="repeated-column"
        ),
        pytest.param(csv_bytes([good(1)], encoding="utf-16"), id="utf-16"),
        pytest.param(b"\x80\x80\x80\x80,\xff\xfe\xfd", id="not-text"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_file_of_the_wrong_shape_or_encoding_is_refused_and_nothing_is_written(clerk, area, data):
    check = customers.check_import(actor=clerk, data=data)
    assert check.file_error is not None
    assert check.valid == []
    with pytest.raises(OpsdeskError):
        customers.run_import(actor=clerk, data=data, skip_invalid=True)
    assert count_customers() == 0


def test_a_file_above_the_row_limit_is_refused_and_one_at_the_limit_is_accepted(clerk, area):
    previous = config.get_settings().import_max_rows
    config.override_settings(import_max_rows=50)
    try:
        too_many = customers.check_import(actor=clerk, data=csv_bytes([good(n) for n in range(51)]))
        assert translate(too_many.file_error, "en") == "The file has more than 50 rows. Split it into smaller files."
        assert too_many.valid == []
        with pytest.raises(OpsdeskError):
            customers.run_import(actor=clerk, data=csv_bytes([good(n) for n in range(51)]))
        assert count_customers() == 0
        assert customers.run_import(actor=clerk, data=csv_bytes([good(n) for n in range(50)])).created == 50
    finally:
        config.override_settings(import_max_rows=previous)


# --- Size --------------------------------------------------------------------------------


def test_twenty_thousand_rows_import_in_one_go_and_in_batches(clerk, area, store):
    """At the row limit (100,000) a row-by-row import would hold SQLite's write lock for minutes."""
    data = csv_bytes([good(n) for n in range(20_000)])
    statements = []
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    try:
        result = customers.run_import(actor=clerk, data=data)
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    elapsed = time.perf_counter() - started
    assert (result.created, result.first_code, result.last_code) == (20_000, "CU-000001", "CU-020000")
    assert count_customers() == 20_000
    assert counter() == 20_000
    assert len(statements) <= 2_000, f"{len(statements)} statements for 20,000 rows ({elapsed:.1f} s)"
