"""The customer pages as clerks and managers use them: list, new, detail, archive, import."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.services.customers import customers, reveal_contacts
from tests.factories import make_area, make_customer, make_user
from tests.pages.conftest import by_key, fill, message_under, texts, widget
from ui.text import escape_markdown

NEW = "customers.new"


@pytest.fixture
def area(sqlite_store) -> int:
    return make_area()


def stored() -> list[dict[str, Any]]:
    return customers.search(actor=SYSTEM, include_archived=True, page_size=100).rows


def new_form(app) -> AppTest:
    at = app("clerk")
    return at.switch_page("pages/customers/new.py").run()


def open_detail(at: AppTest, record_id: int) -> AppTest:
    at.query_params["id"] = str(record_id)
    return at.switch_page("pages/customers/detail.py").run()


def names_listed(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Name"])


class TestList:
    def test_the_list_shows_the_customers(self, app, area):
        make_customer(area, name="张伟")
        make_customer(area, name="Acme Cleaning", kind="company", phone="139 0000 0001", email="acme@example.com")
        at = app("clerk").switch_page("pages/customers/list.py").run()
        assert sorted(names_listed(at)) == ["Acme Cleaning", "张伟"]
        assert "2 records" in texts(at)

    def test_searching_narrows_the_list(self, app, area):
        make_customer(area, name="张伟")
        make_customer(area, name="Acme Cleaning", kind="company", phone="139 0000 0001", email="acme@example.com")
        at = app("clerk").switch_page("pages/customers/list.py").run()
        widget(at.text_input, "Search").input("acme").run()
        assert names_listed(at) == ["Acme Cleaning"]
        widget(at.text_input, "Search").input("139 0000 0001").run()  # a whole phone: phones are encrypted
        assert names_listed(at) == ["Acme Cleaning"]
        widget(at.text_input, "Search").input("CU-000002").run()
        assert names_listed(at) == ["Acme Cleaning"]
        widget(at.text_input, "Search").input("张").run()
        assert names_listed(at) == ["张伟"]

    def test_a_search_that_matches_nothing_says_so(self, app, area):
        make_customer(area)
        at = app("clerk").switch_page("pages/customers/list.py").run()
        widget(at.text_input, "Search").input("nobody-here").run()
        assert not at.dataframe
        assert "Nothing found." in texts(at)


class TestNewCustomerForm:
    def test_empty_required_fields_each_get_a_message_and_typed_fields_are_kept(self, app, area):
        at = new_form(app)
        fill(at, NEW, name="李雷", email="lilei@example.com", notes="Prefers mornings")
        widget(at.button, "Save").click()
        at.run()
        for name in ("phone", "address", "area_id"):
            assert message_under(at, f"{NEW}.{name}") == "This field is required."
        for name in ("name", "email", "kind", "source"):
            assert message_under(at, f"{NEW}.{name}") is None
        assert by_key(at, f"{NEW}.name").value == "李雷"
        assert by_key(at, f"{NEW}.email").value == "lilei@example.com"
        assert by_key(at, f"{NEW}.notes").value == "Prefers mornings"
        assert stored() == []

    def test_a_malformed_phone_and_email_get_their_messages(self, app, area):
        at = new_form(app)
        fill(at, NEW, name="李雷", phone="12345", email="not-an-email", address="1 Road", area_id=area)
        widget(at.button, "Save").click()
        at.run()
        assert message_under(at, f"{NEW}.phone") == (
            "Enter a mobile number (11 digits starting with 1) or a landline with its area code, such as 021-61234567."
        )
        assert message_under(at, f"{NEW}.email") == "Enter an email address such as name@example.com."
        assert by_key(at, f"{NEW}.phone").value == "12345"
        assert stored() == []

    def test_a_ten_thousand_character_name_gets_the_length_message(self, app, area):
        at = new_form(app)
        fill(at, NEW, name="x" * 10_000, phone="13800000000", address="1 Road", area_id=area)
        widget(at.button, "Save").click()
        at.run()
        assert message_under(at, f"{NEW}.name") == "At most 200 characters; this has 10000."
        assert not at.exception
        assert stored() == []

    def test_html_and_sql_in_the_name_are_saved_and_shown_as_text(self, app, area):
        name = "<script>alert(1)</script><b>Bold</b>'; DROP TABLE customers; --"
        at = new_form(app)
        fill(at, NEW, name=name, phone="13800000000", address="1 Road", area_id=area)
        widget(at.button, "Save").click()
        at.run()
        [row] = stored()
        assert row["name"] == name
        assert [title.value for title in at.title] == [escape_markdown(f"{row['code']} · {name}")]
        assert "\\<script\\>" in at.title[0].value
        assert not at.html
        at.switch_page("pages/customers/list.py").run()
        assert names_listed(at) == [name]

    def test_the_saved_message_shows_markdown_typed_in_the_name_as_text(self, app, area):
        name = "**Bold** [click](https://example.com)"
        at = new_form(app)
        fill(at, NEW, name=name, phone="13800000000", address="1 Road", area_id=area)
        widget(at.button, "Save").click()
        at.run()
        assert at.title[0].value == escape_markdown(f"CU-000001 · {name}")
        assert [s.value for s in at.success] == [f"Saved {escape_markdown(f'CU-000001 · {name}')}."]

    def test_a_duplicate_phone_warns_and_save_anyway_saves(self, app, area):
        existing = make_customer(area, name="张伟", phone="138 1234 5678")
        at = new_form(app)
        fill(at, NEW, name="张伟 (new)", phone="13812345678", address="2 Road", area_id=area)
        widget(at.button, "Save").click()
        at.run()
        assert at.warning[0].value.startswith("Possible duplicate: these records share a phone or email.")
        assert existing["code"] in at.warning[0].value
        assert len(stored()) == 1
        widget(at.button, "Save anyway").click()
        at.run()
        assert sorted(row["name"] for row in stored()) == ["张伟", "张伟 (new)"]
        assert at.title[0].value == escape_markdown("CU-000002 · 张伟 (new)")


class TestDetailPage:
    def test_the_edit_form_saves_a_change(self, app, area):
        row = make_customer(area)
        at = open_detail(app("clerk"), row["id"])
        edit = f"customers.edit.{row['id']}"
        fill(at, edit, address="上海市徐汇区新地址1号")
        widget(at.button, "Save changes").click()
        at.run()
        assert customers.get(actor=SYSTEM, record_id=row["id"])["address"] == "上海市徐汇区新地址1号"
        assert "Saved." in [s.value for s in at.success]
        assert "上海市徐汇区新地址1号" in texts(at)

    def test_an_edit_refused_by_validation_shows_the_message_and_keeps_the_record(self, app, area):
        row = make_customer(area)
        at = open_detail(app("clerk"), row["id"])
        widget(at.button, "Show contacts").click().run()  # the phones are in the form only once shown
        edit = f"customers.edit.{row['id']}.contacts"
        fill(at, edit, phone="not a phone")
        widget(at.button, "Save changes").click()
        at.run()
        assert message_under(at, f"{edit}.phone") is not None
        assert reveal_contacts(row["id"], actor=SYSTEM)["phone"] == row["phone"]

    def test_a_save_after_someone_elses_is_refused_and_keeps_what_was_typed(self, app, area):
        row = make_customer(area)
        at = open_detail(app("clerk"), row["id"])
        rival = make_user("rival", "clerk")
        customers.update(
            actor=rival, record_id=row["id"], values={**row, "name": "Rival's name"}, expected_version=row["version"]
        )
        edit = f"customers.edit.{row['id']}"
        fill(at, edit, name="My name")
        widget(at.button, "Save changes").click()
        at.run()
        refusal = [e.value for e in at.error if "changed by" in e.value]
        assert refusal and refusal[0].startswith("This record was changed by Rival at ")
        assert by_key(at, f"{edit}.name").value == "My name"
        assert customers.get(actor=SYSTEM, record_id=row["id"])["name"] == "Rival's name"

    def test_a_manager_archives_and_restores_a_customer(self, app, area):
        row = make_customer(area)
        at = open_detail(app("manager"), row["id"])
        widget(at.button, "Archive").click()
        at.run()
        assert customers.get(actor=SYSTEM, record_id=row["id"])["archived_at"] is not None
        assert any(w.value.startswith("Archived on ") for w in at.warning)
        widget(at.button, "Restore").click()
        at.run()
        assert customers.get(actor=SYSTEM, record_id=row["id"])["archived_at"] is None
        assert [b.label for b in at.button if b.key == "customers.archive"] == ["Archive"]

    def test_an_archived_customer_leaves_the_list(self, app, area):
        row = make_customer(area, name="Gone Ltd")
        customers.archive(actor=SYSTEM, record_id=row["id"], expected_version=row["version"])
        at = app("clerk").switch_page("pages/customers/list.py").run()
        assert "Gone Ltd" not in texts(at) and not at.dataframe

    def test_a_clerk_has_no_archive_button(self, app, area):
        row = make_customer(area)
        at = open_detail(app("clerk"), row["id"])
        assert "Archive" not in [b.label for b in at.button]
        assert "Restore" not in [b.label for b in at.button]

    def test_an_analyst_sees_the_details_but_no_edit_tab(self, app, area):
        row = make_customer(area)
        at = open_detail(app("analyst"), row["id"])
        assert [tab.label for tab in at.tabs] == ["Details", "Orders", "History"]
        assert not [b for b in at.button if b.label == "Save changes"]

    def test_an_unknown_id_says_so(self, app, area):
        at = open_detail(app("clerk"), 999)
        assert "Customer 999 does not exist." in [e.value for e in at.error]

    @pytest.mark.parametrize("raw", ["²", "99999999999999999999", "-1", "1e3", ""])
    def test_an_address_with_an_odd_id_says_no_record_instead_of_crashing(self, app, area, raw):
        at = app("clerk")
        at.query_params["id"] = raw
        at.switch_page("pages/customers/detail.py").run()
        assert not at.exception
        assert "No record chosen." in [e.value for e in at.error]

    def test_coming_back_to_a_record_shows_its_values_in_the_edit_form_again(self, app, area):
        row = make_customer(area, email="keep@example.com", notes="门禁卡在前台")
        at = open_detail(app("clerk"), row["id"])
        widget(at.button, "Show contacts").click().run()
        at.switch_page("pages/customers/list.py").run()  # Streamlit forgets the form's widgets here
        at = open_detail(at, row["id"])
        edit = f"customers.edit.{row['id']}.contacts"  # shown until hidden: the form has the contacts
        assert by_key(at, f"{edit}.email").value == "keep@example.com"
        assert by_key(at, f"{edit}.notes").value == "门禁卡在前台"
        fill(at, edit, address="上海市徐汇区新地址2号")
        widget(at.button, "Save changes").click()
        at.run()
        stored_row = customers.get(actor=SYSTEM, record_id=row["id"])
        assert (stored_row["address"], stored_row["notes"]) == ("上海市徐汇区新地址2号", "门禁卡在前台")
        assert reveal_contacts(row["id"], actor=SYSTEM)["email"] == "keep@example.com"


def csv_file(*rows: str) -> bytes:
    return ("name,kind,phone,email,address,area_id,source\n" + "\n".join(rows) + "\n").encode("utf-8")


class TestImport:
    def upload(self, app, data: bytes) -> AppTest:
        at = app("clerk").switch_page("pages/customers/import.py").run()
        at.file_uploader[0].upload("customers.csv", data, "text/csv")
        return at.run()

    def metrics(self, at: AppTest) -> dict[str, str]:
        return {metric.label: metric.value for metric in at.metric}

    def test_the_dry_run_counts_rows_and_lists_errors_without_writing(self, app, area):
        at = self.upload(
            app,
            csv_file(
                "张三,person,13900000001,zs@example.com,1 Road,SH-XH,phone",
                "李四,person,12345,ls@example.com,2 Road,SH-XH,web",
                ",company,13900000003,,3 Road,SH-XH,web",
            ),
        )
        assert self.metrics(at) == {
            "Rows": "3",
            "Ready to import": "1",
            "Rows with errors": "2",
            "Possible duplicates": "0",
        }
        problems = at.dataframe[-1].value
        assert list(problems["Row"]) == [3, 4]
        assert list(problems["Column"]) == ["Phone", "Name"]
        assert stored() == []
        assert widget(at.button, "Import 1 rows").disabled

    def test_a_clean_file_is_imported(self, app, area):
        at = self.upload(
            app,
            csv_file(
                "张三,person,13900000001,zs@example.com,1 Road,SH-XH,phone",
                "Acme,company,021-61234567,,2 Road,Xuhui,web",
            ),
        )
        assert self.metrics(at)["Ready to import"] == "2"
        widget(at.button, "Import 2 rows").click()
        at.run()
        assert "Imported 2 records (CU-000001 – CU-000002)." in [s.value for s in at.success]
        assert sorted(row["name"] for row in stored()) == ["Acme", "张三"]

    def test_skipping_the_bad_rows_imports_the_rest(self, app, area):
        at = self.upload(
            app,
            csv_file(
                "张三,person,13900000001,zs@example.com,1 Road,SH-XH,phone",
                "李四,person,12345,ls@example.com,2 Road,SH-XH,web",
            ),
        )
        widget(at.checkbox, "Skip the rows with errors and import the rest").check()
        at.run()
        widget(at.button, "Import 1 rows").click()
        at.run()
        assert [row["name"] for row in stored()] == ["张三"]

    def test_a_file_with_wrong_columns_gets_a_message_and_nothing_else(self, app, area):
        at = self.upload(app, b"who,what\nx,y\n")
        assert at.error[0].value.startswith("The columns do not match. Unknown: who, what.")
        assert not at.metric
        assert stored() == []
