"""A customer's phones and email on the pages: masked in lists and on the detail page for everyone;
"Show contacts" (managers and clerks) reveals one customer's, once, in the audit log; the edit
form holds them only once shown; the audit log page says who looked, in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core import db
from core.actor import SYSTEM
from core.clock import today
from core.models import AuditEntry, User
from core.services import follow_ups
from core.services.customers import customers, reveal_contacts
from tests.factories import make_area, make_customer, make_user
from tests.pages.conftest import by_key, fill, log_in, open_app, texts, widget
from ui.text import escape_markdown

FULL = ("13812345678", "13987654321", "zhangwei@example.com")
MASKED = ("138****5678", "139****4321", "z***@example.com")


@pytest.fixture
def zhang(sqlite_store) -> dict:
    return make_customer(make_area(), phone_alt="139 8765 4321")


def views() -> list[AuditEntry]:
    with db.reading() as session:
        return list(session.execute(select(AuditEntry).where(AuditEntry.action == "contacts_viewed")).scalars())


def detail(app, role: str, customer_id: int) -> AppTest:
    at = app(role)
    at.query_params["id"] = str(customer_id)
    return at.switch_page("pages/customers/detail.py").run()


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def shows(at: AppTest, values: tuple[str, ...]) -> bool:
    return all(escape_markdown(value) in texts(at) for value in values)


def hides(at: AppTest) -> bool:
    """None of the full values anywhere on the page, and the masked phone on it."""
    said = texts(at)
    return not any(escape_markdown(value) in said for value in FULL) and escape_markdown(MASKED[0]) in said


def test_the_list_shows_phones_masked(app, zhang):
    at = app("clerk").switch_page("pages/customers/list.py").run()
    frame = at.dataframe[0].value
    assert (list(frame["Phone"]), list(frame["Email"])) == ([MASKED[0]], [MASKED[2]])
    widget(at.text_input, "Search").input("138 1234 5678").run()  # a full phone still finds them
    assert list(at.dataframe[0].value["Phone"]) == [MASKED[0]]
    assert views() == []


class TestDetailPage:
    def test_masked_until_show_contacts_then_in_full_with_one_audit_row(self, app, zhang):
        at = detail(app, "clerk", zhang["id"])
        assert hides(at)
        assert "Show contacts" in buttons(at) and views() == []
        widget(at.button, "Show contacts").click().run()
        assert shows(at, FULL)
        [view] = views()
        assert (view.actor_name, view.entity, view.entity_id) == ("clerk_user", "customers", str(zhang["id"]))
        at.run()  # drawing the page again reveals nothing new
        assert shows(at, FULL) and len(views()) == 1
        widget(at.button, "Hide contacts").click().run()
        assert hides(at) and "Show contacts" in buttons(at)

    def test_the_next_person_logging_in_on_the_same_tab_sees_them_masked(self, app, zhang):
        at = detail(app, "clerk", zhang["id"])
        widget(at.button, "Show contacts").click().run()
        assert shows(at, FULL)
        widget(at.sidebar.button, "Log out").click()
        at.run()
        make_user("clerk2", "clerk")
        at = log_in(at, "clerk2")
        at.query_params["id"] = str(zhang["id"])
        at.switch_page("pages/customers/detail.py").run()
        assert hides(at) and "Show contacts" in buttons(at)
        assert [v.actor_name for v in views()] == ["clerk_user"]

    @pytest.mark.parametrize("role", ["analyst"])
    def test_a_role_without_the_permission_has_no_button_and_sees_them_masked(self, app, zhang, role):
        at = detail(app, role, zhang["id"])
        assert not at.exception
        assert "Show contacts" not in buttons(at)
        assert hides(at)

    def test_the_edit_form_leaves_the_contacts_out_until_shown_and_keeps_them(self, app, zhang):
        at = detail(app, "clerk", zhang["id"])
        edit = f"customers.edit.{zhang['id']}"
        assert not [w for w in at.text_input if w.key == f"{edit}.phone"]
        assert "Phones and email are not in this form. Press Show contacts to change the phones or email." in texts(at)
        fill(at, edit, name="张伟 (VIP)")
        widget(at.button, "Save changes").click()
        at.run()
        assert customers.get(actor=SYSTEM, record_id=zhang["id"])["name"] == "张伟 (VIP)"
        assert views() == []
        assert reveal_contacts(zhang["id"], actor=SYSTEM)["phone"] == FULL[0]

    def test_shown_contacts_are_in_the_edit_form_and_a_change_is_saved(self, app, zhang):
        at = detail(app, "manager", zhang["id"])
        widget(at.button, "Show contacts").click().run()
        edit = f"customers.edit.{zhang['id']}.contacts"
        assert (by_key(at, f"{edit}.phone").value, by_key(at, f"{edit}.email").value) == (FULL[0], FULL[2])
        fill(at, edit, phone="137 0000 1111")
        widget(at.button, "Save changes").click()
        at.run()
        assert "Saved." in [s.value for s in at.success]
        assert reveal_contacts(zhang["id"], actor=SYSTEM)["phone"] == "13700001111"
        assert by_key(at, f"{edit}.phone").value == "13700001111"
        assert "13700001111" in texts(at)


def test_the_order_form_shows_the_chosen_customers_contacts_on_request(app, zhang):
    at = app("clerk").switch_page("pages/orders/new.py").run()
    picker = widget(at.selectbox, "Customer *")
    assert picker.options == [f"{zhang['code']} · 张伟 · {MASKED[0]}"]
    picker.set_value(zhang["id"]).run()
    widget(at.button, "Show contacts").click().run()
    assert shows(at, FULL) and len(views()) == 1


@pytest.mark.parametrize(
    ("language", "said"), [("en", "viewed a customer's full contacts"), ("zh", "查看客户完整联系方式")]
)
def test_the_audit_log_says_who_looked_at_whose_contacts(sqlite_store, zhang, language, said):
    reveal_contacts(zhang["id"], actor=make_user("wangfang", "manager"))
    make_user("root", "admin", language=language)
    at = log_in(open_app(), "root").switch_page("pages/admin/audit_log.py").run()
    frame = at.dataframe[0].value
    [line] = [row for _index, row in frame.iterrows() if said in row.values]
    assert "wangfang" in line.values and str(zhang["id"]) in line.values and zhang["code"] in line.values
    assert not any(value in " ".join(map(str, line.values)) for value in FULL)


def test_closing_a_follow_up_the_clerk_can_show_the_customers_phone(app, zhang):
    at = app("clerk", username="clerk1")
    with db.reading() as session:
        clerk_id = session.execute(select(User.id).where(User.username == "clerk1")).scalar_one()
    due = follow_ups.add_follow_up(
        actor=SYSTEM, customer_id=zhang["id"], due_on=today(), note="Call back", assigned_to_id=clerk_id
    )
    at.switch_page("pages/customers/follow_ups.py").run()
    assert list(at.dataframe[0].value["Phone"]) == [MASKED[0]]
    assert "Show contacts" not in buttons(at)  # no follow-up chosen to close yet
    by_key(at, "follow_ups.close.follow_up_id").set_value(due["id"]).run()
    widget(at.button, "Show contacts").click().run()
    assert shows(at, FULL) and [v.entity_id for v in views()] == [str(zhang["id"])]
