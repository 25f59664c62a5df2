"""The due follow-ups list and a customer's follow-ups, on both databases: which are due, overdue,
mine, closed; paging; and phones masked for every role."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from core import db
from core.actor import SYSTEM, Actor
from core.clock import today, utcnow
from core.errors import NotFound
from core.models import FollowUp
from core.services import follow_ups
from tests.factories import make_customer

DAY = timedelta(days=1)


def put(customer_id: int, due_on: date, note: str, by: Actor, assigned: Actor | None = None, done: bool = False) -> int:
    """A follow-up as it would stand later (past days cannot be entered, but they become past)."""
    with db.writing(by) as session:
        follow_up = FollowUp(
            customer_id=customer_id,
            due_on=due_on,
            note=note,
            assigned_to_id=assigned.user_id if assigned else None,
            done_at=utcnow() if done else None,
            done_by_id=by.user_id if done else None,
            outcome="Done." if done else None,
        )
        session.add(follow_up)
        session.commit()
        return follow_up.id


def notes(page: Any) -> list[str]:
    return [row["note"] for row in page.rows]


@pytest.fixture
def book(clerk, manager, customer, area) -> dict[str, Any]:
    """Follow-ups of two customers: overdue, due today, due later; the clerk's, the manager's, nobody's."""
    other = make_customer(area, name="Acme Cleaning", phone="13900000001", email="acme@example.com")
    put(customer["id"], today() - 3 * DAY, "overdue, clerk's own", clerk)
    put(other["id"], today() - DAY, "overdue, set by manager for clerk", manager, assigned=clerk)
    put(customer["id"], today(), "today, nobody's, set by manager", manager)
    put(other["id"], today(), "today, manager's", clerk, assigned=manager)
    put(customer["id"], today() + 2 * DAY, "later, clerk's own", clerk)
    put(customer["id"], today() - 5 * DAY, "closed, clerk's own", clerk, done=True)
    return {"other": other}


class TestDue:
    def test_open_ones_due_by_today_overdue_first(self, clerk, book):
        page = follow_ups.due_follow_ups(actor=clerk)
        assert notes(page) == [
            "overdue, clerk's own",
            "overdue, set by manager for clerk",
            "today, nobody's, set by manager",
            "today, manager's",
        ]
        assert [row["overdue"] for row in page.rows] == [True, True, False, False]
        assert (page.total, page.page, page.pages) == (4, 1, 1)
        first = page.rows[0]
        assert (first["customer_code"], first["customer_name"], first["phone"]) == ("CU-000001", "张伟", "138****5678")
        assert (page.rows[1]["assignee"], page.rows[3]["assignee"], page.rows[2]["assignee"]) == (
            "Clerk1",
            "Wangfang",
            None,
        )

    def test_until_a_later_day_and_with_the_closed_ones(self, clerk, book):
        later = follow_ups.due_follow_ups(actor=clerk, until=today() + 2 * DAY)
        assert notes(later)[-1] == "later, clerk's own" and later.total == 5
        everything = follow_ups.due_follow_ups(actor=clerk, until=today() + 2 * DAY, include_done=True)
        assert everything.total == 6
        closed = everything.rows[-1]  # closed ones come after the open ones
        assert (closed["note"], closed["overdue"], closed["outcome"], closed["done_by"]) == (
            "closed, clerk's own",
            False,
            "Done.",
            "Clerk1",
        )

    def test_mine_are_assigned_to_me_or_unassigned_and_set_by_me(self, clerk, manager, book):
        assert notes(follow_ups.due_follow_ups(actor=clerk, mine_only=True)) == [
            "overdue, clerk's own",
            "overdue, set by manager for clerk",
        ]
        assert notes(follow_ups.due_follow_ups(actor=manager, mine_only=True)) == [
            "today, nobody's, set by manager",
            "today, manager's",
        ]

    def test_paging(self, clerk, book):
        second = follow_ups.due_follow_ups(actor=clerk, page=2, per_page=3)
        assert (notes(second), second.total, second.page, second.pages) == (["today, manager's"], 4, 2, 2)
        beyond = follow_ups.due_follow_ups(actor=clerk, page=9, per_page=3)
        assert beyond.page == 2 and notes(beyond) == ["today, manager's"]

    def test_nothing_due_is_an_empty_page(self, clerk, customer):
        page = follow_ups.due_follow_ups(actor=clerk, mine_only=True)
        assert (page.rows, page.total, page.page) == ([], 0, 1)


class TestACustomersFollowUps:
    def test_open_ones_by_due_day_then_closed_ones(self, clerk, customer, book):
        rows = follow_ups.customer_follow_ups(actor=clerk, customer_id=customer["id"])
        assert [row["note"] for row in rows] == [
            "overdue, clerk's own",
            "today, nobody's, set by manager",
            "later, clerk's own",
            "closed, clerk's own",
        ]
        assert follow_ups.customer_follow_ups(actor=clerk, customer_id=book["other"]["id"])[0]["overdue"] is True

    def test_an_unknown_customer_is_not_found(self, clerk, customer):
        with pytest.raises(NotFound):
            follow_ups.customer_follow_ups(actor=clerk, customer_id=999_999)


class TestMasking:
    """Phones are masked for everyone, the roles that call customers too (they press Show
    contacts on the follow-up, an audited reveal: core.services.customers.reveal_contacts)."""

    def test_every_list_gives_phones_masked_to_every_role(self, clerk, manager, customer, book):
        for actor in (clerk, manager, SYSTEM):
            phones = {row["phone"] for row in follow_ups.due_follow_ups(actor=actor).rows}
            assert phones == {"138****5678", "139****0001"}
        assert {row["phone"] for row in follow_ups.customer_follow_ups(actor=clerk, customer_id=customer["id"])} == {
            "138****5678"
        }
        added = follow_ups.add_follow_up(actor=clerk, customer_id=customer["id"], due_on=today(), note="x")
        assert added["phone"] == "138****5678"
