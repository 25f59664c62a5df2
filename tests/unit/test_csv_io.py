"""CSV import (the dry run) and export, for the customer entity, without a database."""

from __future__ import annotations

import csv
import io

from core.entities.csv_io import export_csv, read_import
from core.entities.customers import CUSTOMERS
from core.i18n import translate

REFS = {"service_areas": {"1": 1, "sh-xh": 1, "xuhui": 1, "徐汇区": 1}}
HEADER_EN = "Name,Type,Phone,Email,Address,Service area,Source channel"
GOOD_ROW = "Zhang Wei,Person,138 1234 5678,zhang@example.com,1 Caoxi Road,SH-XH,Phone call"


def check_of(text: str, *, max_rows: int = 1000, encoding: str = "utf-8"):
    return read_import(CUSTOMERS, text.encode(encoding), REFS, max_rows=max_rows)


def lines(*rows: str) -> str:
    return "\r\n".join(rows) + "\r\n"


def english(message) -> str:
    return translate(message, "en")


def problems(check) -> set[tuple[int, str | None]]:
    return {(problem.row, problem.field) for problem in check.errors}


# --- headers ---------------------------------------------------------------------------------------


def test_a_header_of_english_labels_is_read():
    check = check_of(lines(HEADER_EN, GOOD_ROW))
    assert check.file_error is None
    assert check.errors == []
    [(row, values)] = check.valid
    assert row == 2
    assert values["name"] == "Zhang Wei"
    assert values["phone"] == "13812345678"
    assert values["area_id"] == 1
    assert values["source"] == "phone"


def test_a_header_of_chinese_labels_is_read():
    check = check_of(
        lines(
            "名称,类型,电话,邮箱,地址,服务区域,来源渠道",
            "上海清洁有限公司,企业,021-6123 4567,,徐汇区漕溪路1号,徐汇区,微信",
        )
    )
    assert check.file_error is None
    [(_, values)] = check.valid
    assert values["kind"] == "company"
    assert values["phone"] == "021-61234567"
    assert values["source"] == "wechat"
    assert values["email"] is None


def test_a_header_of_field_names_in_any_case_and_order_is_read():
    check = check_of(lines(" AREA_ID ,address,phone,name", "1,1 Caoxi Road,13812345678,Li Na"))
    assert check.file_error is None
    [(_, values)] = check.valid
    assert values["name"] == "Li Na"
    assert values["area_id"] == 1


def test_wrong_columns_name_the_unknown_and_the_missing():
    check = check_of(lines("Name,Phone,Colour,Shoe size", "Zhang Wei,13812345678,red,42"))
    text = english(check.file_error)
    assert "Colour" in text
    assert "Shoe size" in text
    assert "Address" in text
    assert "Service area" in text
    assert check.valid == []
    assert check.errors == []


def test_optional_columns_with_a_default_need_not_be_present():
    check = check_of(lines("Name,Phone,Address,Service area", "Zhang Wei,13812345678,1 Caoxi Road,1"))
    assert check.file_error is None
    [(_, values)] = check.valid
    assert values["kind"] == "person"
    assert values["source"] == "phone"


def test_a_column_given_twice_is_refused():
    check = check_of(lines("Name,名称,Phone,Address,Service area", "A,B,13812345678,Road,1"))
    assert "twice" in english(check.file_error)
    assert check.valid == []


# --- the file itself -------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert english(read_import(CUSTOMERS, b"", REFS, max_rows=10).file_error) == "The file is empty."
    assert english(read_import(CUSTOMERS, b"\xef\xbb\xbf", REFS, max_rows=10).file_error) == "The file is empty."


def test_a_binary_file_is_refused():
    data = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))
    check = read_import(CUSTOMERS, data, REFS, max_rows=10)
    assert "CSV UTF-8" in english(check.file_error)
    assert check.valid == []


def test_a_utf16_file_is_refused_with_how_to_save_it():
    check = check_of(lines(HEADER_EN, GOOD_ROW), encoding="utf-16")
    assert "UTF-16" in english(check.file_error)
    assert check.valid == []


def test_a_file_neither_utf8_nor_gb18030_is_refused():
    check = read_import(CUSTOMERS, b"Name,Phone\r\n\x80\xff\xfe\r\n", REFS, max_rows=10)
    assert "GB18030" in english(check.file_error)


def test_a_gb18030_file_from_excel_is_read():
    text = lines("名称,电话,地址,服务区域", "张伟,13812345678,上海市徐汇区漕溪路1号,徐汇区")
    check = check_of(text, encoding="gb18030")
    assert check.file_error is None
    assert check.encoding == "gb18030"
    [(_, values)] = check.valid
    assert values["name"] == "张伟"
    assert values["address"] == "上海市徐汇区漕溪路1号"


def test_a_utf8_file_with_a_bom_is_read_without_the_bom_in_the_first_column():
    check = read_import(
        CUSTOMERS,
        lines("名称,电话,地址,服务区域", "张伟,13812345678,漕溪路1号,1").encode("utf-8-sig"),
        REFS,
        max_rows=10,
    )
    assert check.file_error is None
    assert check.encoding == "utf-8-sig"
    assert check.valid[0][1]["name"] == "张伟"


# --- rows ------------------------------------------------------------------------------------------


def test_row_errors_carry_the_spreadsheet_row_number_and_the_field():
    check = check_of(
        lines(
            HEADER_EN,
            GOOD_ROW,
            ",Person,12345,zhang@,1 Caoxi Road,Mars,Phone call",
            GOOD_ROW.replace("Person", "Robot"),
        )
    )
    assert problems(check) == {(3, "name"), (3, "phone"), (3, "email"), (3, "area_id"), (4, "kind")}
    assert [row for row, _ in check.valid] == [2]
    assert check.bad_rows == 2
    assert check.total_rows == 3


def test_a_row_with_more_cells_than_the_header_is_an_error_for_that_row():
    check = check_of(lines(HEADER_EN, GOOD_ROW + ",surprise", GOOD_ROW))
    assert problems(check) == {(2, None)}
    assert "more cells" in english(check.errors[0].message)
    assert [row for row, _ in check.valid] == [3]


def test_a_row_with_fewer_cells_reports_the_missing_required_ones():
    check = check_of(lines(HEADER_EN, "Zhang Wei,Person,13812345678"))
    assert problems(check) == {(2, "address"), (2, "area_id")}


def test_blank_lines_are_ignored_but_still_counted_in_row_numbers():
    check = check_of(lines(HEADER_EN, GOOD_ROW, "", ",,,,,,", "  ,  ", GOOD_ROW.replace("SH-XH", "Mars")))
    assert check.total_rows == 2
    assert problems(check) == {(6, "area_id")}
    assert [row for row, _ in check.valid] == [2]


def test_a_quoted_cell_may_hold_commas_and_long_text_newlines():
    row = GOOD_ROW.replace("1 Caoxi Road", '"Room 5, Building 2, 1 Caoxi Road"')
    check = check_of(
        lines("Name,Type,Phone,Email,Address,Service area,Source channel,Notes", row + ',"line 1\nline 2"')
    )
    assert check.errors == []
    [(_, values)] = check.valid
    assert values["address"] == "Room 5, Building 2, 1 Caoxi Road"
    assert values["notes"] == "line 1\nline 2"


def test_more_rows_than_allowed_refuses_the_whole_file():
    check = check_of(lines(HEADER_EN, GOOD_ROW, GOOD_ROW, GOOD_ROW), max_rows=2)
    assert "2" in english(check.file_error)
    assert check.valid == []


def test_exactly_the_allowed_number_of_rows_is_accepted():
    check = check_of(lines(HEADER_EN, GOOD_ROW, GOOD_ROW), max_rows=2)
    assert check.file_error is None
    assert len(check.valid) == 2


# --- export ----------------------------------------------------------------------------------------

AREA_LABELS = {"service_areas": {1: "徐汇区"}}
CUSTOMER = {
    "code": "CU-000001",
    "name": "Zhang Wei",
    "kind": "company",
    "contact_person": None,
    "phone": "13812345678",
    "phone_alt": "+442079460958",
    "email": "zhang@example.com",
    "address": "1 Caoxi Road",
    "area_id": 1,
    "source": "wechat",
    "preferences": None,
    "notes": None,
}


def exported(rows, language="en", ref_labels=AREA_LABELS) -> list[dict[str, str]]:
    data = export_csv(CUSTOMERS, rows, language, ref_labels)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_an_export_starts_with_a_utf8_bom_for_excel():
    data = export_csv(CUSTOMERS, [CUSTOMER], "zh", AREA_LABELS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "徐汇区" in data.decode("utf-8-sig")


def test_an_export_has_labels_in_the_chosen_language():
    header_en = export_csv(CUSTOMERS, [], "en", AREA_LABELS).decode("utf-8-sig").splitlines()[0]
    header_zh = export_csv(CUSTOMERS, [], "zh", AREA_LABELS).decode("utf-8-sig").splitlines()[0]
    assert header_en.split(",")[:3] == ["Code", "Name", "Type"]
    assert header_zh.split(",")[:3] == ["编号", "名称", "类型"]


def test_an_export_shows_choice_and_reference_labels():
    [row_en] = exported([CUSTOMER], "en")
    [row_zh] = exported([CUSTOMER], "zh")
    assert (row_en["Type"], row_en["Source channel"], row_en["Service area"]) == ("Company", "WeChat", "徐汇区")
    assert (row_zh["类型"], row_zh["来源渠道"]) == ("企业", "微信")


def test_an_unknown_reference_is_exported_as_its_id():
    [row] = exported([CUSTOMER], "en", ref_labels={})
    assert row["Service area"] == "1"


def test_empty_values_are_exported_as_empty_cells():
    [row] = exported([CUSTOMER])
    assert row["Contact person"] == ""
    assert row["Notes"] == ""


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_prefixed_with_a_quote():
    customer = {
        **CUSTOMER,
        "name": '=HYPERLINK("http://evil")',
        "address": "+1+1",
        "contact_person": "-2+3",
        "notes": "@SUM(A1)",
        "preferences": "Plain text",
    }
    [row] = exported([customer])
    assert row["Name"] == '\'=HYPERLINK("http://evil")'
    assert row["Address"] == "'+1+1"
    assert row["Contact person"] == "'-2+3"
    assert row["Notes"] == "'@SUM(A1)"
    assert row["Preferences"] == "Plain text"


def test_every_cell_is_guarded_so_an_email_cannot_smuggle_a_formula():
    [row] = exported([{**CUSTOMER, "email": "=cmd|'/c calc'!a0@x.io"}])
    assert row["Email"].startswith("'=")


def test_an_international_phone_is_kept_as_text_and_plain_phones_are_untouched():
    [row] = exported([CUSTOMER])
    assert row["Other phone"] == "'+442079460958"  # a spreadsheet would turn +44… into a number
    assert row["Phone"] == "13812345678"


def test_an_exported_file_imports_back_to_the_same_values():
    data = export_csv(CUSTOMERS, [CUSTOMER], "zh", AREA_LABELS)
    header, *rest = data.decode("utf-8-sig").splitlines()
    without_code = "\r\n".join(",".join(line.split(",")[1:]) for line in [header, *rest])  # the code is assigned
    check = read_import(CUSTOMERS, without_code.encode("utf-8"), REFS, max_rows=10)
    assert check.errors == []
    [(_, values)] = check.valid
    for name in ("name", "kind", "phone", "phone_alt", "email", "address", "area_id", "source"):
        assert values[name] == CUSTOMER[name]
