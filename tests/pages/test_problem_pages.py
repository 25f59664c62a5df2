"""Problem reports through the whole app: a clerk reports one from the sidebar of the page they are
on (with a screenshot; bad input keeps what was typed and says what is wrong under each field), an
admin sees it on the Problem reports page with its screenshot and closes it; the home page counts
the open ones for admins; the public order lookup has no such action."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import undefer
from streamlit.testing.v1 import AppTest

from core import db
from core.models import ProblemReport, User
from core.services import problems
from tests.factories import make_user
from tests.pages.conftest import by_key, message_under, open_app, texts, widget

PAGE = "pages/admin/problems.py"
FORM = "problem_report"
DESCRIPTION = f"{FORM}.description"
OPEN = f"{FORM}.open"
CLOSE = "problems.close"


def png() -> bytes:
    """A real 8x6 PNG, so st.image can draw it."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def stored() -> list[ProblemReport]:
    with db.reading() as session:
        return list(
            session.execute(
                select(ProblemReport).options(undefer(ProblemReport.screenshot)).order_by(ProblemReport.id)
            ).scalars()
        )


def user_id(username: str) -> int:
    with db.reading() as session:
        return session.execute(select(User.id).where(User.username == username)).scalar_one()


def uploader(at: AppTest) -> Any:
    [found] = [item for item in at.file_uploader if item.key.startswith(f"{FORM}.screenshot.")]
    return found


def open_report(at: AppTest) -> AppTest:
    """Open the sidebar's popover, as a click on "Report a problem" does (its content runs only then)."""
    assert DESCRIPTION not in [item.key for item in at.text_area]
    at.session_state[OPEN] = True
    at.run()
    assert DESCRIPTION in [item.key for item in at.sidebar.text_area]
    return at


def send(at: AppTest) -> AppTest:
    widget(at.button, "Send the report").click()
    return at.run()


class TestReporting:
    def test_a_clerk_reports_a_problem_from_the_orders_page_with_a_screenshot(self, app):
        at = open_report(app("clerk", username="clerk1").switch_page("pages/orders/list.py").run())
        assert "Reported from the page: orders" in texts(at)
        by_key(at, DESCRIPTION).set_value("The list shows yesterday's orders twice.")
        image = png()
        uploader(at).set_value(("screen.png", image, "image/png"))
        at = send(at)
        assert not at.exception
        [kept] = stored()
        assert (kept.page, kept.description, kept.reporter_id, kept.status) == (
            "orders",
            "The list shows yesterday's orders twice.",
            user_id("clerk1"),
            "open",
        )
        assert (kept.screenshot, kept.screenshot_type) == (image, "image/png")
        assert f"Thank you: problem report {kept.id} was sent to the administrators." in texts(at)
        assert by_key(at, DESCRIPTION).value == ""  # emptied for the next one
        assert uploader(at).key == f"{FORM}.screenshot.1"  # a fresh, empty uploader

    def test_a_report_from_home_needs_no_screenshot(self, app):
        at = open_report(app("technician", username="tech1"))
        by_key(at, DESCRIPTION).set_value("I cannot see my jobs.")
        at = send(at)
        [kept] = stored()
        assert (kept.page, kept.screenshot, kept.reporter_id) == ("home", None, user_id("tech1"))

    def test_bad_input_gets_a_message_under_each_field_and_what_was_typed_stays(self, app):
        at = open_report(app("clerk", username="clerk1").switch_page("pages/customers/list.py").run())
        uploader(at).set_value(("screen.png", b"this is a text file, not a PNG", "image/png"))
        at = send(at)
        assert message_under(at, DESCRIPTION) == "Describe the problem."
        assert (
            message_under(at, uploader(at).key) == "The screenshot is not a PNG or JPEG image (whatever its name says)."
        )
        by_key(at, DESCRIPTION).set_value("y" * 2001)
        uploader(at).set_value(("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024), "image/png"))
        at = send(at)
        assert message_under(at, DESCRIPTION) == "At most 2,000 characters; this has 2,001."
        # the sizes are Markdown-escaped values: a browser shows "3.0 MB"
        assert message_under(at, uploader(at).key) == "The screenshot is 3\\.0 MB; at most 2\\.0 MB are accepted."
        assert by_key(at, DESCRIPTION).value == "y" * 2001
        assert stored() == []
        by_key(at, DESCRIPTION).set_value("Search ignores the phone.")
        uploader(at).set_value(None)
        at = send(at)
        assert [(kept.page, kept.description) for kept in stored()] == [("customers", "Search ignores the phone.")]
        assert message_under(at, DESCRIPTION) is None

    def test_the_public_order_lookup_has_no_report_action(self, sqlite_store):
        at = open_app().switch_page("pages/public/track.py").run()
        assert not at.exception
        assert DESCRIPTION not in [item.key for item in at.text_area]
        assert "Send the report" not in [item.label for item in at.button]


@pytest.fixture
def reported(sqlite_store) -> dict[str, Any]:
    clerk = make_user("clerk1", "clerk")
    return problems.report_problem(
        actor=clerk, page="orders", description="The total is off by a fen.", screenshot=png()
    )


class TestTheAdminsPage:
    def test_an_admin_sees_the_report_with_its_screenshot_and_closes_it(self, app, reported):
        at = app("admin", username="admin1").switch_page(PAGE).run()
        assert not at.exception
        table = at.dataframe[0].value
        assert list(table["Description"]) == ["The total is off by a fen."]
        assert list(table["Page"]) == ["orders"] and list(table["Reported by"]) == ["Clerk1"]
        by_key(at, f"{CLOSE}.report_id").set_value(reported["id"])
        at.run()
        assert len(at.image) == 1
        assert "The total is off by a fen\\." in texts(at)  # shown as typed (Markdown escaped)
        widget(at.button, "Close the report").click()
        at.run()
        assert message_under(at, f"{CLOSE}.resolution") == "Say what was done about it."
        assert stored()[0].status == "open"
        by_key(at, f"{CLOSE}.resolution").set_value("Rounding fixed in the order totals.")
        widget(at.button, "Close the report").click()
        at.run()
        [kept] = stored()
        assert (kept.status, kept.resolution, kept.closed_by_id) == (
            "closed",
            "Rounding fixed in the order totals.",
            user_id("admin1"),
        )
        assert f"Closed problem report {reported['id']}." in texts(at)
        assert "Nothing found." in texts(at)  # it has left the open ones
        widget(at.radio, "Show").set_value("closed").run()
        assert list(at.dataframe[0].value["Description"]) == ["The total is off by a fen."]

    def test_closed_by_another_admin_meanwhile_is_refused_clearly(self, app, reported):
        at = app("admin", username="admin1").switch_page(PAGE).run()
        by_key(at, f"{CLOSE}.report_id").set_value(reported["id"])
        at.run()
        by_key(at, f"{CLOSE}.resolution").set_value("Fixed too.")
        other = make_user("admin2", "admin")
        problems.close_problem(actor=other, report_id=reported["id"], resolution="Done.", expected_version=1)
        widget(at.button, "Close the report").click()
        at.run()
        assert "This problem report was already closed by Admin2; nothing was changed." in texts(at)
        assert stored()[0].resolution == "Done."

    def test_the_admins_home_page_counts_the_open_reports(self, app, reported):
        at = app("admin", username="admin1")
        assert "Problem reports to close: 1" in [link.label for link in at.get("page_link")]

    def test_a_clerk_cannot_open_the_page(self, app, reported):
        at = app("clerk", username="clerk2")
        with pytest.raises(ValueError):
            at.switch_page(PAGE)
