"""The follow-ups page as a clerk uses it: add one for a customer found by search, bad input with
its messages, close one with an outcome (and when someone else closed it first); the home page's
count and the customer's tab."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core import db, formatting
from core.actor import SYSTEM
from core.clock import today
from core.models import FollowUp, User
from core.services import follow_ups
from tests.factories import make_area, make_customer, make_user
from tests.pages.conftest import by_key, message_under, texts, widget

PAGE = "pages/customers/follow_ups.py"
ADD = "follow_ups.new"
CLOSE = "follow_ups.close"


@pytest.fixture
def customer(sqlite_store) -> dict[str, Any]:
    return make_customer(make_area())


def user_id(username: str) -> int:
    with db.reading() as session:
        return session.execute(select(User.id).where(User.username == username)).scalar_one()


def stored() -> list[FollowUp]:
    with db.reading() as session:
        return list(session.execute(select(FollowUp).order_by(FollowUp.id)).scalars())


def due_for(username: str, customer: dict[str, Any], note: str = "Ask about the sofa") -> dict[str, Any]:
    return follow_ups.add_follow_up(
        actor=SYSTEM, customer_id=customer["id"], due_on=today(), note=note, assigned_to_id=user_id(username)
    )


def opened(app, username: str = "clerk1") -> AppTest:
    return app("clerk", username=username).switch_page(PAGE).run()


class TestAdding:
    def test_a_clerk_finds_the_customer_and_sets_a_reminder(self, app, customer):
        at = opened(app)
        widget(at.text_input, "Find the customer").input("张伟").run()
        by_key(at, f"{ADD}.customer_id").set_value(customer["id"])
        by_key(at, f"{ADD}.note").set_value("Ask how the carpet held up")
        widget(at.button, "Add follow-up").click()
        at.run()
        assert not at.exception
        [kept] = stored()
        tomorrow = today() + timedelta(days=1)
        assert (kept.customer_id, kept.note, kept.due_on, kept.assigned_to_id) == (
            customer["id"],
            "Ask how the carpet held up",
            tomorrow,
            None,
        )
        assert kept.created_by_id == user_id("clerk1")
        assert f"Follow-up with 张伟 set for {formatting.day(tomorrow)}." in texts(at)
        assert by_key(at, f"{ADD}.note").value == ""

    def test_bad_input_gets_a_message_under_each_field_and_what_was_typed_stays(self, app, customer):
        at = opened(app)
        by_key(at, f"{ADD}.due_on").set_value(today() - timedelta(days=2))
        by_key(at, f"{ADD}.note").set_value("   ")
        widget(at.button, "Add follow-up").click()
        at.run()
        assert message_under(at, f"{ADD}.customer_id") == "Choose a customer."
        assert message_under(at, f"{ADD}.due_on") == "This day is in the past: choose today or a later day."
        assert message_under(at, f"{ADD}.note") == "Write what to follow up on."
        assert by_key(at, f"{ADD}.due_on").value == today() - timedelta(days=2)
        by_key(at, f"{ADD}.note").set_value("x" * 600)
        widget(at.button, "Add follow-up").click()
        at.run()
        assert message_under(at, f"{ADD}.note") == "At most 500 characters; this has 600."
        assert by_key(at, f"{ADD}.note").value == "x" * 600
        assert stored() == []

    def test_coming_from_the_customers_page_picks_the_customer(self, app, customer):
        at = app("clerk", username="clerk1")
        at.query_params["customer"] = str(customer["id"])
        at.switch_page(PAGE).run()
        assert by_key(at, f"{ADD}.customer_id").value == customer["id"]
        at.query_params["customer"] = "424242"
        at.switch_page(PAGE).run()
        assert "Customer 424242 does not exist." in texts(at)
        assert not at.exception


class TestClosing:
    def test_a_clerk_closes_one_with_an_outcome(self, app, customer):
        at = app("clerk", username="clerk1")
        row = due_for("clerk1", customer)
        at.switch_page(PAGE).run()
        assert list(at.dataframe[0].value["Note"]) == ["Ask about the sofa"]
        by_key(at, f"{CLOSE}.follow_up_id").set_value(row["id"])
        widget(at.button, "Close follow-up").click()
        at.run()
        assert message_under(at, f"{CLOSE}.outcome") == "Say what came of it."
        assert stored()[0].done_at is None
        by_key(at, f"{CLOSE}.outcome").set_value("Booked a visit for Friday")
        widget(at.button, "Close follow-up").click()
        at.run()
        [kept] = stored()
        assert (kept.outcome, kept.done_by_id) == ("Booked a visit for Friday", user_id("clerk1"))
        assert "Closed the follow-up with 张伟." in texts(at)
        assert "Nothing found." in texts(at)  # it has left the list of open ones

    def test_closed_by_someone_else_meanwhile_is_refused_clearly(self, app, customer):
        at = app("clerk", username="clerk1")
        row = due_for("clerk1", customer)
        at.switch_page(PAGE).run()
        follow_ups.close_follow_up(actor=SYSTEM, follow_up_id=row["id"], outcome="Done", expected_version=1)
        by_key(at, f"{CLOSE}.follow_up_id").set_value(row["id"])
        by_key(at, f"{CLOSE}.outcome").set_value("Booked")
        widget(at.button, "Close follow-up").click()
        at.run()
        assert "This follow-up was already closed by system; nothing was changed." in texts(at)
        assert stored()[0].outcome == "Done"

    def test_only_mine_or_everyones(self, app, customer):
        at = app("clerk", username="clerk1")
        due_for("clerk1", customer, note="Mine")
        make_user("boss", "manager")
        due_for("boss", customer, note="The manager's")
        at.switch_page(PAGE).run()
        assert list(at.dataframe[0].value["Note"]) == ["Mine"]
        widget(at.toggle, "Only mine").set_value(False).run()
        assert list(at.dataframe[0].value["Note"]) == ["Mine", "The manager's"]


def test_the_home_page_counts_my_follow_ups_due(app, customer):
    at = app("clerk", username="clerk1")
    due_for("clerk1", customer)
    due_for("clerk1", customer, note="Second")
    at.switch_page("pages/account/home.py").run()
    assert "Your follow-ups due: 2" in [link.label for link in at.get("page_link")]


def test_the_customers_page_lists_their_follow_ups(app, customer):
    at = app("clerk", username="clerk1")
    due_for("clerk1", customer)
    at.query_params["id"] = str(customer["id"])
    at.switch_page("pages/customers/detail.py").run()
    assert not at.exception
    assert "1 open" in texts(at)
    assert any(list(frame.value.get("Note", [])) == ["Ask about the sofa"] for frame in at.dataframe)
