"""The performance review page through AppTest: the ranking of a chosen period, a manager drafting,
commenting and finalising a review, the person's trend, and an executive reading without changing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.actor import SYSTEM
from core.services import reviews
from tests.factories import make_user
from tests.integration.review_support import build_world, period
from tests.pages.conftest import log_in, message_under, open_app, texts, widget

PAGE = "pages/staff/reviews.py"


@pytest.fixture
def world(sqlite_store):
    make_user("boss", "manager")
    make_user("chief", "executive")
    return build_world()


def open_reviews(username: str) -> AppTest:
    at = log_in(open_app(), username).switch_page(PAGE).run()
    widget(at.radio, "Period").set_value("custom").run()
    at.date_input(key="reviews.dates").set_value(period()).run()
    assert not at.exception, at.exception
    return at


def choose(at: AppTest, name: str) -> AppTest:
    box = widget(at.selectbox, "Staff member")
    staff_id = next(option for option in box.options if option.startswith(name))
    return box.select(staff_id).run()


def ranking(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Name"])


def test_a_manager_ranks_the_period_drafts_comments_and_finalises_a_review(world):
    at = open_reviews("boss")
    assert ranking(at) == ["王磊", "刘强", "赵六"]
    table = at.dataframe[0].value
    assert list(table["Score"]) == ["76.96", "73.54", "0"]
    assert list(table["Jobs completed"]) == ["1", "3", "0"]
    assert "Average rating 25" in texts(at)  # the weights the score was made with
    assert at.get("download_button"), "the ranking downloads as CSV"

    choose(at, "刘强")
    assert "No review of this period yet." in texts(at)
    widget(at.button, "Draft the review").click().run()
    assert "The draft holds the figures as of now." in texts(at)
    assert "score **73\\.54**" in texts(at)  # the value is escaped for Markdown
    draft = reviews.reviews_of(actor=SYSTEM, staff_id=world.liu)[0]
    assert draft["status"] == "draft"
    key = f"reviews.notes.text.{draft['id']}"

    widget(at.button, "Finalise…").click().run()
    assert "can never be changed again" in texts(at)
    widget(at.button, "Yes, finalise").click().run()
    assert message_under(at, key) == "Write your comments before finalising the review."
    assert reviews.get_review(actor=SYSTEM, review_id=draft["id"])["status"] == "draft"

    at.text_area(key=key).input("Reliable; one late start.").run()
    widget(at.button, "Yes, finalise").click().run()
    assert "The review is final." in texts(at)
    final = reviews.get_review(actor=SYSTEM, review_id=draft["id"])
    assert (final["status"], final["comments"]) == ("final", "Reliable; one late start.")
    assert "Reliable; one late start" in texts(at)
    assert not [button for button in at.button if button.label in {"Compute the draft again", "Save comments"}]
    assert "Final" in list(at.dataframe[0].value["Review"])


def test_comments_are_saved_and_what_was_typed_stays_when_a_save_is_refused(world):
    at = open_reviews("boss")
    choose(at, "刘强")
    widget(at.button, "Draft the review").click().run()
    review = reviews.reviews_of(actor=SYSTEM, staff_id=world.liu)[0]
    key = f"reviews.notes.text.{review['id']}"
    at.text_area(key=key).input("Steady.").run()
    widget(at.button, "Save comments").click().run()
    assert "Comments saved." in texts(at)
    assert reviews.get_review(actor=SYSTEM, review_id=review["id"])["comments"] == "Steady."
    widget(at.button, "Compute the draft again").click().run()
    assert at.text_area(key=key).value == "Steady."
    # Meanwhile another manager changes the comments: this save is refused, the text stays.
    latest = reviews.get_review(actor=SYSTEM, review_id=review["id"])
    reviews.save_comments(actor=SYSTEM, review_id=review["id"], comments="Theirs.", expected_version=latest["version"])
    at.text_area(key=key).input("Mine, longer.").run()
    assert "Someone saved this review after you opened it" in texts(at)
    widget(at.button, "Save comments").click().run()
    assert "after you opened it" in texts(at)
    assert at.text_area(key=key).value == "Mine, longer."
    assert reviews.get_review(actor=SYSTEM, review_id=review["id"])["comments"] == "Theirs."


def test_the_trend_shows_the_scores_of_the_persons_final_reviews(world):
    first, last = period()
    for period_from, period_to in ((first - timedelta(days=30), first - timedelta(days=1)), (first, last)):
        draft = reviews.draft_review(actor=SYSTEM, staff_id=world.liu, period_from=period_from, period_to=period_to)
        reviews.finalise_review(
            actor=SYSTEM, review_id=draft["id"], expected_version=draft["version"], comments="Fine."
        )
    at = choose(open_reviews("boss"), "刘强")
    assert at.get("vega_lite_chart"), "a line of the scores over periods"
    trend = at.dataframe[-1].value
    assert list(trend["Score"])[-1] == "73.54" and len(trend) == 2


def test_an_executive_reads_rankings_and_reviews_without_changing_them(world):
    first, last = period()
    draft = reviews.draft_review(actor=SYSTEM, staff_id=world.liu, period_from=first, period_to=last)
    reviews.save_comments(actor=SYSTEM, review_id=draft["id"], comments="Ask about 李娜.", expected_version=1)
    at = open_reviews("chief")
    assert ranking(at) == ["王磊", "刘强", "赵六"]
    choose(at, "刘强")
    assert "Draft, not finalised yet." in texts(at) and "Ask about 李娜" in texts(at)
    labels = {button.label for button in at.button}
    assert not labels & {"Draft the review", "Compute the draft again", "Save comments", "Finalise…"}
    assert not at.text_area
