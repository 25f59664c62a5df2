"""One masking rule for a customer's phones and email: every service answers them masked, for every
role; `reveal_contacts` gives one customer's in full to managers and clerks and audits the view
(who, when, which customer, never the value); nobody else ever gets them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core import db
from core.errors import NotFound, PermissionDenied
from core.models import AuditEntry
from core.services import finance, follow_ups, orders
from core.services.customers import customers, reveal_contacts
from core.services.records import PossibleDuplicate
from tests.factories import customer_values, make_user
from tests.integration.order_support import finish, scheduled, tomorrow

FULL = ("13812345678", "13987654321", "zhangwei@example.com")
MASKED = ("138****5678", "139****4321", "z***@example.com")


@pytest.fixture
def analyst(store):
    return make_user("lina", "analyst")


@pytest.fixture
def executive(store):
    return make_user("boss", "executive")


@pytest.fixture
def zhang(clerk, area) -> dict:
    """A customer with both phones and an email, saved by a clerk (the answer is masked already)."""
    return customers.create(actor=clerk, values=customer_values(area, phone_alt="139 8765 4321"))


def contacts(row: dict) -> tuple:
    return (row["phone"], row["phone_alt"], row["email"])


def views() -> list[AuditEntry]:
    with db.reading() as session:
        return list(session.execute(select(AuditEntry).where(AuditEntry.action == "contacts_viewed")).scalars())


class TestMaskedByDefault:
    def test_saving_answers_masked_to_the_clerk_who_typed_them(self, zhang):
        assert contacts(zhang) == MASKED

    def test_lists_pages_and_exports_are_masked_for_clerks_managers_and_analysts(self, clerk, manager, analyst, zhang):
        for actor in (clerk, manager, analyst):
            assert contacts(customers.get(actor=actor, record_id=zhang["id"])) == MASKED
            assert [contacts(r) for r in customers.search(actor=actor).rows] == [MASKED]
            exported = customers.export_csv(actor=actor).decode("utf-8-sig")
            assert all(masked in exported for masked in MASKED)
            assert not any(full in exported for full in FULL)

    def test_searching_by_a_full_phone_or_email_finds_the_customer_but_does_not_reveal(self, clerk, zhang):
        for query in ("138 1234 5678", "zhangwei@example.com"):
            found = customers.search(actor=clerk, query=query).rows
            assert [(r["id"], contacts(r)) for r in found] == [(zhang["id"], MASKED)]
        assert views() == []

    def test_a_duplicate_warning_names_the_match_with_its_contacts_masked(self, clerk, area, zhang):
        with pytest.raises(PossibleDuplicate) as asked:
            customers.create(actor=clerk, values=customer_values(area, name="张伟的太太"))
        [match] = asked.value.matches
        assert (match["code"], contacts(match)) == (zhang["code"], MASKED)
        assert [contacts(m) for m in customers.duplicates(actor=clerk, values={"phone": "13812345678"})] == [MASKED]

    def test_orders_finance_and_follow_ups_give_the_phone_masked(
        self, clerk, manager, analyst, executive, area, customer, carpet, liu_staff
    ):
        order = finish(manager, scheduled(clerk, customer, area, carpet))
        for actor in (clerk, manager, analyst, executive):
            assert orders.get_order(actor=actor, order_id=order["id"])["customer_phone"] == "138****5678"
            assert finance.receivables(actor=actor)["rows"][0]["customer_phone"] == "138****5678"
        follow_ups.add_follow_up(actor=clerk, customer_id=customer["id"], due_on=tomorrow(), note="Call back")
        for actor in (clerk, manager):
            [row] = follow_ups.customer_follow_ups(actor=actor, customer_id=customer["id"])
            assert row["phone"] == "138****5678"


class TestReveal:
    def test_a_manager_sees_them_in_full_and_one_audit_row_says_who_and_which_customer(self, manager, zhang):
        full = reveal_contacts(zhang["id"], actor=manager)
        assert (full["code"], contacts(full)) == (zhang["code"], FULL)
        [view] = views()
        assert (view.actor_name, view.actor_id) == ("wangfang", manager.user_id)
        assert (view.entity, view.entity_id, view.detail) == ("customers", str(zhang["id"]), zhang["code"])
        assert view.at is not None
        row = json.dumps(
            [view.actor_name, view.action, view.entity, view.entity_id, view.changes, view.detail], ensure_ascii=False
        )
        for digits in ("13812345678", "12345678", "5678", "87654321", "zhangwei"):
            assert digits not in row

    def test_each_reveal_is_its_own_row(self, clerk, manager, zhang):
        reveal_contacts(zhang["id"], actor=clerk)
        reveal_contacts(zhang["id"], actor=manager)
        assert [v.actor_name for v in views()] == ["clerk1", "wangfang"]

    @pytest.mark.parametrize("role", ["analyst", "executive", "technician", "admin"])
    def test_every_other_role_is_refused_and_nothing_is_revealed(self, role, zhang):
        other = make_user(f"{role}1", role)
        with pytest.raises(PermissionDenied):
            reveal_contacts(zhang["id"], actor=other)
        assert views() == []

    def test_an_unknown_customer_reveals_nothing(self, manager):
        with pytest.raises(NotFound):
            reveal_contacts(999, actor=manager)
        assert views() == []


class TestEditing:
    def test_a_form_without_the_contacts_keeps_them(self, clerk, area, zhang):
        values = {k: v for k, v in customer_values(area, name="张伟二").items() if k not in ("phone", "phone_alt")}
        del values["email"]
        saved = customers.update(actor=clerk, record_id=zhang["id"], values=values, expected_version=1)
        assert saved["name"] == "张伟二"
        assert contacts(reveal_contacts(zhang["id"], actor=clerk)) == FULL

    def test_masked_values_sent_back_are_not_stored_over_the_real_ones(self, clerk, area, zhang):
        values = customer_values(area, name="张伟三", phone=MASKED[0], phone_alt=MASKED[1], email=MASKED[2])
        customers.update(actor=clerk, record_id=zhang["id"], values=values, expected_version=1)
        assert contacts(reveal_contacts(zhang["id"], actor=clerk)) == FULL

    def test_new_contacts_typed_in_full_are_stored(self, clerk, area, zhang):
        values = customer_values(area, phone="137 0000 1111", phone_alt=None, email="new@example.com")
        saved = customers.update(actor=clerk, record_id=zhang["id"], values=values, expected_version=1)
        assert contacts(saved) == ("137****1111", None, "n***@example.com")
        assert contacts(reveal_contacts(zhang["id"], actor=clerk)) == ("13700001111", None, "new@example.com")
