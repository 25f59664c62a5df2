"""Finding customers: search, pages, and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from core.services.customers import customers
from tests.factories import customer_values
from tests.integration.customer_support import add

SQL = "'; DROP TABLE customers; --"
HTML = "<script>alert(1)</script>"


# --- Search and pages --------------------------------------------------------------------


@pytest.fixture
def three(clerk, area):
    return [
        customers.create(
            actor=clerk, values=customer_values(area, name="张伟", phone="13812345678", email="zw@example.com")
        ),
        customers.create(
            actor=clerk,
            values=customer_values(area, name="上海恒信物业", phone="021-61234567", email="info@hengxin.cn"),
        ),
        customers.create(
            actor=clerk, values=customer_values(area, name="Lucy Zhang", phone="13900001111", email="lucy@qq.com")
        ),
    ]


def found(clerk, query: str) -> list[str]:
    return sorted(r["code"] for r in customers.search(actor=clerk, query=query).rows)


def test_search_finds_a_customer_by_part_of_the_name(clerk, three):
    assert found(clerk, "恒信") == ["CU-000002"]
    assert found(clerk, "lucy") == ["CU-000003"]


def test_search_finds_a_customer_by_the_whole_phone_typed_with_spaces(clerk, three):
    # Phones are encrypted at rest: a whole number is found through its keyed hash (blind index).
    assert found(clerk, "138 1234 5678") == ["CU-000001"]
    assert found(clerk, "021 6123 4567") == ["CU-000002"]
    assert found(clerk, "+86 139-0000-1111") == ["CU-000003"]


def test_part_of_an_encrypted_phone_or_email_finds_nothing(clerk, three):
    assert found(clerk, "138 1234") == []
    assert found(clerk, "hengxin.cn") == []


def test_search_finds_a_customer_by_the_whole_email_in_any_case(clerk, three):
    assert found(clerk, " INFO@HENGXIN.cn ") == ["CU-000002"]


def test_search_finds_a_customer_by_code(clerk, three):
    assert found(clerk, "cu-000003") == ["CU-000003"]


def test_search_treats_wildcards_as_plain_text(clerk, three):
    assert found(clerk, "%") == []
    assert found(clerk, "_") == []


def test_search_pages_newest_first_and_clamps_the_page_to_the_last(clerk, area):
    for n in range(7):
        add(area, clerk, n)
    first = customers.search(actor=clerk, page_size=3)
    assert (first.total, first.pages, first.page) == (7, 3, 1)
    assert [r["code"] for r in first.rows] == ["CU-000007", "CU-000006", "CU-000005"]
    last = customers.search(actor=clerk, page=99, page_size=3)
    assert (last.page, [r["code"] for r in last.rows]) == (3, ["CU-000001"])
    assert customers.search(actor=clerk, page=0, page_size=3).page == 1


def test_an_empty_search_has_one_empty_page(clerk, store):
    result = customers.search(actor=clerk, query="nobody")
    assert (result.total, result.pages, result.page, result.rows) == (0, 1, 1, [])


# --- Export ------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_export_starts_with_a_bom_and_has_a_header_and_one_line_per_customer(clerk, area):
    for n in range(3):
        add(area, clerk, n, notes="第一行\n第二行")
    data = customers.export_csv(actor=clerk)
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = read_csv(data)
    assert header[:2] == ["Code", "Name"]
    assert [r[0] for r in rows] == ["CU-000001", "CU-000002", "CU-000003"]
    assert rows[0][header.index("Service area")] == "Xuhui"
    assert rows[0][header.index("Notes")] == "第一行\n第二行"


def test_the_export_in_chinese_has_chinese_headers_and_area_names(clerk, area):
    add(area, clerk, 1)
    header, row = read_csv(customers.export_csv(actor=clerk, language="zh"))
    assert header[:2] == ["编号", "名称"]
    assert row[header.index("服务区域")] == "徐汇区"


def test_the_export_holds_only_what_the_search_finds(clerk, manager, area):
    add(area, clerk, 1, name="张伟")
    add(area, clerk, 2, name="李娜")
    gone = add(area, clerk, 3, name="张强")
    customers.archive(actor=manager, record_id=gone["id"], expected_version=1)
    _header, *rows = read_csv(customers.export_csv(actor=clerk, query="张"))
    assert [r[0] for r in rows] == ["CU-000001"]
    _header, *rows = read_csv(customers.export_csv(actor=clerk, query="张", include_archived=True))
    assert [r[0] for r in rows] == ["CU-000001", "CU-000003"]


def test_an_exported_formula_is_neutralised(clerk, area):
    add(area, clerk, 1, name='=HYPERLINK("http://evil")')
    header, row = read_csv(customers.export_csv(actor=clerk))
    assert row[header.index("Name")] == '\'=HYPERLINK("http://evil")'


def test_a_mixed_text_query_is_not_matched_against_phone_digits(clerk, area):
    add(area, clerk, 297, name="王伟")  # phone 13900000297
    assert found(clerk, "E2E 测试 c9b7") == []


@pytest.mark.parametrize("query", ["\x00", "张\x00伟", "\x00138"])
def test_control_characters_in_a_search_are_ignored_not_an_error(clerk, three, query):
    assert isinstance(found(clerk, query), list)
