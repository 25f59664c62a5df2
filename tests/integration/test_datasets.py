"""The analysts' data downloads: the chosen rows and columns, contacts masked, addresses by role, spreadsheet
formulas neutralised in CSV and Excel while numbers stay numbers, the audit row, the row limit."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from core import db
from core.actor import SYSTEM
from core.analytics import datasets as catalogue
from core.analytics.datasets import Query, mask_sql, safe_sql
from core.entities.csv_io import safe_cell
from core.errors import OpsdeskError, PermissionDenied
from core.i18n import translate
from core.masking import mask
from core.models import AuditEntry, Customer
from core.services import datasets
from tests.factories import make_customer, make_user
from tests.integration.order_support import field_errors, place, tomorrow

FORMULAS = ("=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx")


@pytest.fixture
def analyst(store):
    return make_user("lucy", "analyst")


def _rename(customer_id: int, name: str) -> None:
    with db.writing(SYSTEM) as session:
        session.get(Customer, customer_id).name = name
        session.commit()


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(data: bytes) -> list[list[tuple[str, str]]]:
    """Each cell of the first sheet as (type, text): 'n' for a number, 's' for text."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        shared = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
    strings = [_unescape(s) for s in re.findall(r"<si><t[^>]*>(.*?)</t></si>", shared, re.S)]
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet, re.S):
        cells = []
        for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row, re.S):
            value = re.search(r"<v>(.*?)</v>", body or "")
            if 't="s"' in attrs:
                cells.append(("s", strings[int(value.group(1))]))
            elif 't="inlineStr"' in attrs:
                cells.append(("s", _unescape(re.search(r"<t[^>]*>(.*?)</t>", body, re.S).group(1))))
            else:
                cells.append(("n", value.group(1) if value else ""))
        rows.append(cells)
    return rows


def _unescape(text: str) -> str:
    text = re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _exports(username: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(
            session.execute(
                select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.actor_name == username)
            ).scalars()
        )


class TestTheSqlTwins:
    """Masking and neutralisation run in DuckDB; they must agree with the Python rules they mirror."""

    VALUES = ("138 1234 5678", "zhangwei@example.com", "@x", "a@", "12", "123", "上海市徐汇区漕溪北路100号", "", "x")

    def test_the_sql_mask_is_the_python_mask(self):
        con = duckdb.connect()
        for value in self.VALUES:
            assert con.execute(f"SELECT {mask_sql('v')} FROM (SELECT ? AS v)", [value]).fetchall()[0][0] == mask(value)

    def test_the_sql_guard_is_safe_cell(self):
        con = duckdb.connect()
        for value in (*FORMULAS, "x=1", "'=", "", "中文"):
            guarded = con.execute(f"SELECT {safe_sql('v')} FROM (SELECT ? AS v)", [value]).fetchall()[0][0]
            assert guarded == safe_cell(value)

    def test_each_filter_lists_its_values_from_its_own_table(self):
        orders = catalogue.DATASETS["orders"]
        assert orders.choices_from(orders.column("status")) == "orders o"
        assert orders.choices_from(orders.column("area")) == "service_areas a"
        assert orders.choices_from(orders.column("technician")) == "staff s"
        movements = catalogue.DATASETS["stock_movements"]
        assert movements.choices_from(movements.column("category")) == "items i"
        po = catalogue.DATASETS["purchase_orders"]
        assert po.choices_from(po.column("status")) == "purchase_orders po"

    def test_labels_are_unique_within_each_dataset(self):
        for dataset in catalogue.DATASETS.values():
            for language in ("en", "zh"):
                labels = [c.label.get(language) for c in dataset.columns]
                assert len(labels) == len(set(labels)), dataset.name


class TestPreview:
    def test_filters_dates_and_columns_choose_the_rows(self, analyst, clerk, customer, area, carpet):
        place(clerk, customer["id"], area, carpet, quantity="10")
        place(clerk, customer["id"], area, carpet, quantity="5", channel="web")
        later = place(clerk, customer["id"], area, carpet, quantity="3", requested_date=tomorrow() + timedelta(days=9))
        query = Query("orders", ("number", "channel", "subtotal"), tomorrow(), tomorrow() + timedelta(days=1))
        shown = datasets.preview(actor=analyst, query=query)
        assert shown.total == 2
        assert shown.rows.columns == ["number", "channel", "subtotal"]
        assert sorted(shown.rows["subtotal"].to_list()) == [Decimal("40.00"), Decimal("80.00")]
        web = Query("orders", ("subtotal",), filters={"channel": ("web",)})
        assert datasets.preview(actor=analyst, query=web).rows["subtotal"].to_list() == [Decimal("40.00")]
        assert later["number"] not in shown.rows["number"].to_list()
        choices = datasets.filter_choices(actor=analyst, dataset="orders")
        assert choices["channel"] == ["phone", "web"]
        assert choices["area"] == ["Xuhui"]
        assert datasets.filter_choices(actor=analyst, dataset="orders", language="zh")["area"] == ["徐汇区"]

    def test_the_preview_holds_the_first_rows_in_order_and_counts_them_all(
        self, analyst, clerk, customer, area, carpet, monkeypatch
    ):
        monkeypatch.setattr(datasets, "PREVIEW_ROWS", 2)
        for days, quantity in ((5, "1"), (1, "2"), (3, "3")):
            place(clerk, customer["id"], area, carpet, quantity=quantity, requested_date=tomorrow() + timedelta(days))
        shown = datasets.preview(actor=analyst, query=Query("orders", ("requested_date", "subtotal")))
        assert shown.total == 3
        assert shown.rows.rows() == [
            (tomorrow() + timedelta(1), Decimal("16.00")),
            (tomorrow() + timedelta(3), Decimal("24.00")),
        ]

    def test_a_filter_value_that_no_longer_exists_finds_nothing(self, analyst, clerk, customer, area, carpet):
        place(clerk, customer["id"], area, carpet)
        gone = Query("orders", filters={"area": ("Atlantis",)})
        assert datasets.preview(actor=analyst, query=gone).total == 0

    def test_bad_input_is_refused_next_to_its_field(self, analyst):
        start = tomorrow()
        backwards = Query("orders", date_from=start, date_to=start - timedelta(days=1))
        assert field_errors(datasets.preview, actor=analyst, query=backwards) == {
            "date_to": "The start date is after the end date."
        }
        assert "columns" in field_errors(datasets.preview, actor=analyst, query=Query("orders", ("nope",)))
        assert "dataset" in field_errors(datasets.preview, actor=analyst, query=Query("secrets"))
        assert "kind" in field_errors(datasets.export, actor=analyst, query=Query("orders"), kind="pdf")

    def test_every_dataset_answers(self, analyst, clerk, customer, area, carpet):
        place(clerk, customer["id"], area, carpet)
        for name, dataset in catalogue.DATASETS.items():
            shown = datasets.preview(actor=analyst, query=Query(name))
            assert shown.rows.columns == [c.name for c in dataset.columns]
        assert datasets.preview(actor=analyst, query=Query("order_lines")).total == 1


class TestMasking:
    COLUMNS = ("code", "phone", "email", "address")

    def test_contacts_are_masked_for_everyone_addresses_for_an_analyst(self, analyst, manager, customer):
        query = Query("customers", self.COLUMNS)
        masked = datasets.preview(actor=analyst, query=query)
        assert masked.masked
        assert masked.rows.row(0) == (customer["code"], "138****5678", "z***@example.com", "上海市****100号")
        full = datasets.preview(actor=manager, query=query)
        assert not full.masked  # the addresses
        address = "上海市徐汇区漕溪北路100号"
        assert full.rows.row(0) == (customer["code"], "138****5678", "z***@example.com", address)

    def test_a_manager_downloads_contacts_masked(self, manager, customer):
        data = datasets.export(actor=manager, query=Query("customers", self.COLUMNS), kind="csv").data
        assert _csv(data)[1][1:3] == ["138****5678", "z***@example.com"]
        assert b"13812345678" not in data and b"zhangwei@" not in data

    @pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
    def test_downloads_are_masked_too(self, analyst, clerk, customer, area, carpet, kind):
        place(clerk, customer["id"], area, carpet)
        data = datasets.export(actor=analyst, query=Query("orders", ("number", "address")), kind=kind).data
        assert "漕溪北路".encode() not in data if kind != "xlsx" else True
        if kind == "csv":
            assert _csv(data)[1][1] == "上海市****100号"
        elif kind == "xlsx":
            assert _xlsx(data)[1][1] == ("s", "上海市****100号")
        else:
            assert pq.read_table(io.BytesIO(data)).column("address").to_pylist() == ["上海市****100号"]


class TestNeutralisation:
    def _customers(self, area) -> list[dict]:
        made = []
        for n, text in enumerate(FORMULAS):
            row = make_customer(area, phone=f"139 0000 000{n}", email=f"c{n}@example.com")
            _rename(row["id"], text)
            made.append(row)
        return made

    def test_csv_quotes_formula_text_and_keeps_numbers(self, manager, clerk, area, carpet):
        made = self._customers(area)
        rows = _csv(datasets.export(actor=manager, query=Query("customers", ("code", "name")), kind="csv").data)
        assert rows[0] == ["Code", "Name"]
        assert [r[1] for r in rows[1:]] == ["'" + text for text in FORMULAS]
        place(clerk, made[0]["id"], area, carpet, quantity="10")
        orders = _csv(datasets.export(actor=manager, query=Query("orders", ("customer", "subtotal")), kind="csv").data)
        assert orders[1] == ["'=SUM(A1)", "80.00"]

    def test_excel_quotes_formula_text_and_writes_numbers_as_numbers(self, manager, clerk, area, carpet):
        made = self._customers(area)
        place(clerk, made[2]["id"], area, carpet, quantity="10")
        query = Query("orders", ("customer", "subtotal", "requested_date"))
        sheet = _xlsx(datasets.export(actor=manager, query=query, kind="xlsx", language="zh").data)
        assert [cell[1] for cell in sheet[0]] == ["客户", "小计", "预约日期"]
        assert sheet[1][0] == ("s", "'-2")
        assert sheet[1][1] == ("n", "80")
        assert sheet[1][2][0] == "n"  # a date is a number Excel formats as a date
        names = _xlsx(datasets.export(actor=manager, query=Query("customers", ("name",)), kind="xlsx").data)
        assert [row[0] for row in names[1:]] == [("s", "'" + text) for text in FORMULAS]

    def test_parquet_keeps_the_text_as_it_is(self, manager, area):
        self._customers(area)
        data = datasets.export(actor=manager, query=Query("customers", ("name",)), kind="parquet").data
        assert pq.read_table(io.BytesIO(data)).column("name").to_pylist() == list(FORMULAS)


class TestAuditAndLimit:
    def test_each_download_is_audited_with_its_count_never_its_values(self, analyst, clerk, customer, area, carpet):
        place(clerk, customer["id"], area, carpet)
        place(clerk, customer["id"], area, carpet, channel="web")
        query = Query("orders", ("number", "address"), filters={"channel": ("web",)})
        done = datasets.export(actor=analyst, query=query, kind="csv")
        assert done.rows == 1
        [entry] = _exports("lucy")
        assert entry.entity == "dataset:orders"
        assert entry.detail.startswith("1 rows; format csv;")
        assert "filters channel=web" in entry.detail and "columns number,address" in entry.detail
        assert "masked contacts" in entry.detail
        assert "漕溪" not in entry.detail

    def test_too_many_rows_are_refused_with_the_count_and_the_limit(
        self, analyst, clerk, customer, area, carpet, monkeypatch
    ):
        place(clerk, customer["id"], area, carpet)
        place(clerk, customer["id"], area, carpet)
        monkeypatch.setitem(catalogue.LIMITS, "xlsx", 1)
        with pytest.raises(OpsdeskError) as refused:
            datasets.export(actor=analyst, query=Query("orders"), kind="xlsx")
        assert translate(refused.value.message, "en") == (
            "2 rows match: more than the 1 rows one Excel download may hold. Narrow the dates or the filters."
        )
        assert _exports("lucy") == []
        assert datasets.export(actor=analyst, query=Query("orders"), kind="csv").rows == 2

    def test_a_clerk_may_not_download(self, clerk):
        with pytest.raises(PermissionDenied):
            datasets.export(actor=clerk, query=Query("orders"), kind="csv")
