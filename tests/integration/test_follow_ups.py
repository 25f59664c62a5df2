"""Customer follow-ups on both databases: what is refused and why (per field), one step for a
selection (skips, idempotence, bulk inserts, audit), closing (outcome, versions, twice), and who
may do what. The due lists and masking are in test_follow_up_lists.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core import db
from core.actor import SYSTEM
from core.clock import today
from core.entities.customers import CUSTOMERS
from core.entities.records import create_many
from core.errors import ConcurrentEdit, OpsdeskError, PermissionDenied, ValidationFailed
from core.models import AuditEntry, FollowUp
from core.services import follow_ups, users
from core.services.customers import customers
from tests.factories import customer_values, make_customer, make_user
from tests.threads import run_in_threads

TOMORROW = today() + timedelta(days=1)


def english(failed: ValidationFailed) -> dict[str, str]:
    return {field: str(message) for field, message in failed.errors.items()}


def refused(**kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failed:
        follow_ups.add_follow_up(**kwargs)
    return english(failed.value)


def stored() -> list[FollowUp]:
    with db.reading() as session:
        return list(session.execute(select(FollowUp).order_by(FollowUp.id)).scalars())


def audited(action: str = "create") -> int:
    with db.reading() as session:
        return session.execute(
            select(func.count()).where(AuditEntry.entity == "follow_ups", AuditEntry.action == action)
        ).scalar_one()


def archive(row: dict[str, Any]) -> dict[str, Any]:
    return customers.archive(actor=SYSTEM, record_id=row["id"], expected_version=row["version"])


@pytest.fixture
def three(area) -> list[int]:
    return [
        make_customer(area, name=f"Customer {n}", phone=f"1390000000{n}", email=f"c{n}@example.com")["id"]
        for n in range(3)
    ]


class TestOneFollowUp:
    def test_a_clerk_sets_a_reminder_and_it_is_audited(self, clerk, customer):
        row = follow_ups.add_follow_up(actor=clerk, customer_id=customer["id"], due_on=TOMORROW, note="  Call back  ")
        assert (row["customer_code"], row["customer_name"], row["phone"]) == ("CU-000001", "张伟", "138****5678")
        assert (row["due_on"], row["note"], row["overdue"], row["assignee"], row["origin"]) == (
            TOMORROW,
            "Call back",
            False,
            None,
            None,
        )
        [kept] = stored()
        assert (kept.created_by_id, kept.version, kept.done_at) == (clerk.user_id, 1, None)
        assert audited() == 1

    def test_today_is_accepted_and_an_assignee_who_is_a_manager_too(self, clerk, manager, customer):
        row = follow_ups.add_follow_up(
            actor=clerk, customer_id=customer["id"], due_on=today(), note="Today", assigned_to_id=manager.user_id
        )
        assert (row["due_on"], row["assignee"]) == (today(), "Wangfang")

    def test_every_bad_field_gets_its_own_message_at_once(self, clerk):
        errors = refused(actor=clerk, customer_id=None, due_on=None, note="", assigned_to_id=987654)
        assert errors == {
            "customer_id": "Choose a customer.",
            "due_on": "Choose the day to follow up.",
            "note": "Write what to follow up on.",
            "assigned_to_id": "Choose an active user.",
        }
        assert stored() == []

    def test_an_unknown_or_archived_customer_is_refused(self, clerk, customer):
        assert refused(actor=clerk, customer_id=999_999, due_on=TOMORROW, note="x") == {
            "customer_id": "Choose a customer."
        }
        archive(customer)
        assert refused(actor=clerk, customer_id=customer["id"], due_on=TOMORROW, note="x") == {
            "customer_id": "This customer is archived: restore them first."
        }

    @pytest.mark.parametrize(
        ("due_on", "message"),
        [
            (today() - timedelta(days=1), "This day is in the past: choose today or a later day."),
            (today() + timedelta(days=731), "Choose a day within the next two years."),
            ("31/12/2026", "Enter a date as YYYY-MM-DD."),
            ("", "Choose the day to follow up."),
        ],
    )
    def test_the_due_day(self, clerk, customer, due_on, message):
        assert refused(actor=clerk, customer_id=customer["id"], due_on=due_on, note="x") == {"due_on": message}

    @pytest.mark.parametrize(
        ("note", "message"),
        [
            ("   ", "Write what to follow up on."),
            ("x" * 501, "At most 500 characters; this has 501."),
            ("call\x00back", "Remove the control characters (invisible characters) from this text."),
        ],
    )
    def test_the_note(self, clerk, customer, note, message):
        assert refused(actor=clerk, customer_id=customer["id"], due_on=TOMORROW, note=note) == {"note": message}

    def test_a_note_of_exactly_500_characters_with_lines_is_kept(self, clerk, customer):
        note = "line one\n" + "x" * 491
        assert follow_ups.add_follow_up(actor=clerk, customer_id=customer["id"], due_on=TOMORROW, note=note)[
            "note"
        ] == (note)

    def test_the_assignee_must_be_active_and_allowed_to_follow_up(self, clerk, customer):
        analyst = make_user("analyst1", "analyst")
        message = refused(
            actor=clerk, customer_id=customer["id"], due_on=TOMORROW, note="x", assigned_to_id=analyst.user_id
        )
        assert message == {"assigned_to_id": "Analyst1 may not work on follow-ups; choose a clerk or a manager."}
        other = make_user("other", "clerk")
        version = users.get_user(actor=SYSTEM, user_id=other.user_id)["version"]
        users.disable_user(actor=SYSTEM, user_id=other.user_id, expected_version=version)
        message = refused(
            actor=clerk, customer_id=customer["id"], due_on=TOMORROW, note="x", assigned_to_id=other.user_id
        )
        assert message == {"assigned_to_id": "Choose an active user."}
        assert [row["name"] for row in follow_ups.assignees(actor=clerk)] == ["Clerk1"]


class TestASelection:
    def add(self, actor, ids, origin: str | None = "segment:at_risk", **changes: Any) -> dict[str, Any]:
        values = {"due_on": TOMORROW, "note": "Offer the spring clean.", **changes}
        return follow_ups.add_follow_ups(actor=actor, customer_ids=ids, origin=origin, **values)

    def test_archived_unknown_and_repeated_customers_are_skipped_and_a_second_click_adds_nothing(
        self, clerk, area, three
    ):
        gone = archive(make_customer(area, name="Gone", phone="13900000009", email="gone@example.com"))["id"]
        ids = [three[0], gone, three[1], 999_999, three[0], three[2]]
        assert self.add(clerk, ids) == {"created": 3, "skipped": [(gone, "archived"), (999_999, "unknown")]}
        assert sorted(f.customer_id for f in stored()) == sorted(three)
        assert {(f.origin, f.note, f.due_on, f.created_by_id, f.version) for f in stored()} == {
            ("segment:at_risk", "Offer the spring clean.", TOMORROW, clerk.user_id, 1)
        }
        assert audited() == 3
        again = self.add(clerk, ids)
        assert again == {
            "created": 0,
            "skipped": [
                (three[0], "open"),
                (gone, "archived"),
                (three[1], "open"),
                (999_999, "unknown"),
                (three[2], "open"),
            ],
        }
        assert len(stored()) == 3 and audited() == 3

    def test_another_origin_or_a_closed_one_does_not_block(self, clerk, three):
        self.add(clerk, three)
        assert self.add(clerk, three, origin="cluster:2")["created"] == 3
        first = next(f for f in stored() if f.customer_id == three[0] and f.origin == "segment:at_risk")
        follow_ups.close_follow_up(
            actor=clerk, follow_up_id=first.id, outcome="Booked.", expected_version=first.version
        )
        assert self.add(clerk, three) == {"created": 1, "skipped": [(three[1], "open"), (three[2], "open")]}

    def test_without_an_origin_open_hand_made_ones_count_as_the_same(self, clerk, three):
        follow_ups.add_follow_up(actor=clerk, customer_id=three[1], due_on=TOMORROW, note="By hand")
        assert self.add(clerk, three, origin="  ") == {"created": 2, "skipped": [(three[1], "open")]}
        assert {f.origin for f in stored()} == {None}

    def test_the_audit_rows_name_each_customer(self, clerk, three):
        self.add(clerk, three, assigned_to_id=clerk.user_id)
        with db.reading() as session:
            entries = session.execute(select(AuditEntry).where(AuditEntry.entity == "follow_ups")).scalars().all()
        by_id = {int(entry.entity_id): entry for entry in entries}
        for follow_up in stored():
            entry = by_id[follow_up.id]
            assert (entry.actor_name, entry.action) == ("clerk1", "create")
            assert entry.changes["customer_id"] == [None, follow_up.customer_id]
            assert entry.changes["assigned_to_id"] == [None, clerk.user_id]
            assert "version" not in entry.changes

    @pytest.mark.parametrize(
        ("ids", "message"),
        [
            ([], "Choose at least one customer."),
            (None, "Choose at least one customer."),
            ([1, "2"], "The selection holds something that is not a customer."),
            (list(range(1, 10_002)), "At most 10,000 customers at once; this selection has 10,001. Narrow it first."),
        ],
    )
    def test_a_selection_that_cannot_be_used(self, clerk, customer, ids, message):
        with pytest.raises(ValidationFailed) as failed:
            self.add(clerk, ids)
        assert english(failed.value) == {"customer_ids": message}
        assert stored() == []

    def test_bad_common_fields_are_reported_with_the_selection(self, clerk, three):
        with pytest.raises(ValidationFailed) as failed:
            self.add(clerk, three, origin="s" * 61, due_on=today() - timedelta(days=1), note="")
        assert english(failed.value) == {
            "due_on": "This day is in the past: choose today or a later day.",
            "note": "Write what to follow up on.",
            "origin": "At most 60 characters; this has 61.",
        }

    def test_thousands_of_customers_go_in_a_few_statements(self, store, clerk, area):
        with db.writing(SYSTEM) as session:
            made = create_many(
                session,
                CUSTOMERS,
                [customer_values(area, name=f"C{n}", phone=f"139{n:08d}", email=None) for n in range(2_500)],
            )
            session.commit()
        ids = [row["id"] for row in made]
        inserts: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            if statement.lstrip().upper().startswith("INSERT INTO FOLLOW_UPS"):
                inserts.append(statement)

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            assert self.add(clerk, ids)["created"] == 2_500
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        assert len(inserts) == 3, f"{len(inserts)} INSERT statements for 2,500 follow-ups (1,000 a statement)"
        assert len(stored()) == 2_500 and audited() == 2_500
        assert sorted(f.customer_id for f in stored()) == sorted(ids)

    def test_two_clerks_clicking_at_once_do_not_double_them(self, clerk, manager, three):
        people = [clerk, manager]
        results = run_in_threads(lambda i: self.add(people[i], three), 2)
        assert sorted(r["created"] for r in results) == [0, 3]
        assert len(stored()) == 3 and audited() == 3


class TestClosing:
    @pytest.fixture
    def opened(self, clerk, customer) -> dict[str, Any]:
        return follow_ups.add_follow_up(actor=clerk, customer_id=customer["id"], due_on=today(), note="Ask")

    def close(self, actor, row, outcome: str = "Booked a visit.", version: int | None = None) -> dict[str, Any]:
        return follow_ups.close_follow_up(
            actor=actor, follow_up_id=row["id"], outcome=outcome, expected_version=version or row["version"]
        )

    def test_closing_records_who_when_and_how(self, manager, opened):
        row = self.close(manager, opened, outcome="  Booked a visit.  ")
        assert (row["outcome"], row["done_by"], row["version"], row["overdue"]) == (
            "Booked a visit.",
            "Wangfang",
            2,
            False,
        )
        assert row["done_at"] is not None
        assert audited("update") == 1

    @pytest.mark.parametrize(
        ("outcome", "message"), [("", "Say what came of it."), ("y" * 501, "At most 500 characters; this has 501.")]
    )
    def test_an_outcome_is_required(self, clerk, opened, outcome, message):
        with pytest.raises(ValidationFailed) as failed:
            self.close(clerk, opened, outcome=outcome)
        assert english(failed.value) == {"outcome": message}
        assert stored()[0].done_at is None

    def test_a_change_since_it_was_read_is_refused_naming_who(self, clerk, manager, opened):
        with db.writing(manager) as session:  # someone else changed it after the clerk read it
            session.get(FollowUp, opened["id"]).note = "Ask about the sofa too"
            session.commit()
        with pytest.raises(ConcurrentEdit) as conflict:
            self.close(clerk, opened)
        assert conflict.value.changed_by == "Wangfang"
        assert stored()[0].done_at is None

    def test_closing_twice_is_refused_clearly(self, clerk, manager, opened):
        closed = self.close(manager, opened)
        for version in (opened["version"], closed["version"]):
            with pytest.raises(OpsdeskError) as twice:
                self.close(clerk, opened, outcome="Again", version=version)
            assert str(twice.value.message) == "This follow-up was already closed by Wangfang; nothing was changed."
        assert stored()[0].outcome == "Booked a visit."

    def test_two_closing_at_once_one_wins(self, clerk, manager, opened):
        people = [clerk, manager]

        def close(index: int) -> str:
            try:
                self.close(people[index], opened, outcome=f"by {index}")
            except OpsdeskError as error:
                return str(error.message)
            return "closed"

        outcomes = run_in_threads(close, 2)
        assert sorted(outcomes).count("closed") == 1
        winner = people[outcomes.index("closed")]
        assert stored()[0].done_by_id == winner.user_id
        loser = next(text for text in outcomes if text != "closed")
        assert loser == f"This follow-up was already closed by {winner.display_name}; nothing was changed."
        assert audited("update") == 1


@pytest.mark.parametrize("role", ["analyst", "executive", "technician", "admin"])
def test_roles_without_follow_ups_are_refused_everything(store, role, customer):
    actor = make_user(f"{role}_x", role)
    row = follow_ups.add_follow_up(actor=SYSTEM, customer_id=customer["id"], due_on=TOMORROW, note="x")
    calls = {
        ("create", "add_follow_up"): lambda: follow_ups.add_follow_up(
            actor=actor, customer_id=customer["id"], due_on=TOMORROW, note="x"
        ),
        ("create", "add_follow_ups"): lambda: follow_ups.add_follow_ups(
            actor=actor, customer_ids=[customer["id"]], due_on=TOMORROW, note="x"
        ),
        ("view", "due_follow_ups"): lambda: follow_ups.due_follow_ups(actor=actor),
        ("view", "customer_follow_ups"): lambda: follow_ups.customer_follow_ups(
            actor=actor, customer_id=customer["id"]
        ),
        ("view", "assignees"): lambda: follow_ups.assignees(actor=actor),
        ("edit", "close_follow_up"): lambda: follow_ups.close_follow_up(
            actor=actor, follow_up_id=row["id"], outcome="x", expected_version=row["version"]
        ),
    }
    for (action, _name), call in calls.items():
        with pytest.raises(PermissionDenied) as denied:
            call()
        assert (denied.value.module, denied.value.action) == ("follow_ups", action)
    assert len(stored()) == 1 and stored()[0].done_at is None
