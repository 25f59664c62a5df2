"""Problem reports on both databases: reporting with and without a screenshot, what is refused and
why (per field: a fake PNG, a file too large, a missing or too long description), the list for
admins, closing (versions, twice), and who may do what."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from core import db
from core.actor import SYSTEM
from core.errors import ConcurrentEdit, NotFound, OpsdeskError, PermissionDenied, ValidationFailed
from core.models import AuditEntry, ProblemReport
from core.permissions import ROLES
from core.services import problems
from tests.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(30))
TWO_MB = 2 * 1024 * 1024


def english(failed: ValidationFailed) -> dict[str, str]:
    return {field: str(message) for field, message in failed.errors.items()}


def refused(actor: Any, **kwargs: Any) -> dict[str, str]:
    values = {"page": "orders", "description": "The list is empty.", **kwargs}
    with pytest.raises(ValidationFailed) as failed:
        problems.report_problem(actor=actor, **values)
    return english(failed.value)


def stored() -> list[ProblemReport]:
    with db.reading() as session:
        return list(
            session.execute(
                select(ProblemReport).options(undefer(ProblemReport.screenshot)).order_by(ProblemReport.id)
            ).scalars()
        )


@pytest.fixture
def admin(store):
    return make_user("admin1", "admin")


@pytest.fixture
def other_admin(store):
    return make_user("admin2", "admin")


class TestReporting:
    def test_a_clerk_reports_a_problem_without_a_screenshot(self, clerk, admin):
        row = problems.report_problem(actor=clerk, page="orders", description="  The list of orders is empty.\n")
        [kept] = stored()
        assert (kept.page, kept.description, kept.reporter_id, kept.status) == (
            "orders",
            "The list of orders is empty.",
            clerk.user_id,
            "open",
        )
        assert kept.screenshot is None and kept.screenshot_type is None
        assert kept.created_by_id == clerk.user_id and kept.created_at is not None
        assert (row["id"], row["reporter"], row["has_screenshot"], row["status"], row["version"]) == (
            kept.id,
            "Clerk1",
            False,
            "open",
            1,
        )

    @pytest.mark.parametrize(("data", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
    def test_a_screenshot_is_kept_with_its_type_read_from_its_bytes(self, clerk, admin, data, kind):
        row = problems.report_problem(actor=clerk, page="customers", description="Search fails.", screenshot=data)
        assert row["has_screenshot"] is True
        assert problems.screenshot_of(actor=admin, report_id=row["id"]) == (data, kind)

    def test_a_screenshot_of_exactly_two_megabytes_is_accepted(self, clerk):
        data = PNG + b"\x00" * (TWO_MB - len(PNG))
        row = problems.report_problem(actor=clerk, page="orders", description="Slow.", screenshot=data)
        assert row["has_screenshot"] is True
        assert len(stored()[0].screenshot) == TWO_MB

    def test_the_home_page_is_kept_as_home_and_control_characters_are_stripped(self, clerk):
        problems.report_problem(actor=clerk, page="", description="Line one\x00\x07\nline\ttwo\x1b")
        [kept] = stored()
        assert (kept.page, kept.description) == ("home", "Line one\nline\ttwo")

    def test_every_role_may_report_a_technician_too(self, store):
        for role in sorted(ROLES):
            actor = make_user(f"{role}_reporter", role)
            problems.report_problem(actor=actor, page="my-jobs", description=f"From a {role}.")
        assert [report.description for report in stored()] == [f"From a {role}." for role in sorted(ROLES)]

    def test_the_report_is_audited_without_the_screenshots_bytes(self, clerk):
        row = problems.report_problem(actor=clerk, page="orders", description="Broken.", screenshot=PNG)
        with db.reading() as session:
            entry = session.execute(
                select(AuditEntry).where(AuditEntry.entity == "problem_reports", AuditEntry.action == "create")
            ).scalar_one()
        assert entry.entity_id == str(row["id"]) and entry.actor_id == clerk.user_id
        assert entry.changes["screenshot"] == [None, "***"]
        assert entry.changes["description"] == [None, "Broken."]


class TestRefusals:
    def test_a_missing_description_is_refused(self, clerk):
        assert refused(clerk, description="   \n ") == {"description": "Describe the problem."}
        assert refused(clerk, description="\x00\x07") == {"description": "Describe the problem."}
        assert stored() == []

    def test_a_too_long_description_is_refused_with_its_length(self, clerk):
        assert refused(clerk, description="x" * 2001) == {"description": "At most 2,000 characters; this has 2,001."}
        problems.report_problem(actor=clerk, page="orders", description="x" * 2000)
        assert len(stored()) == 1

    def test_a_fake_png_is_refused_whatever_its_name(self, clerk):
        fake = b"PNG this is really a text file" + b"\x00" * 20
        expected = {"screenshot": "The screenshot is not a PNG or JPEG image (whatever its name says)."}
        assert refused(clerk, screenshot=fake) == expected
        assert refused(clerk, screenshot=b"GIF89a" + b"\x00" * 20) == expected
        assert stored() == []

    def test_a_file_over_two_megabytes_is_refused_with_its_size(self, clerk):
        data = PNG + b"\x00" * (3 * 1024 * 1024 - len(PNG))
        assert refused(clerk, screenshot=data) == {
            "screenshot": "The screenshot is 3.0 MB; at most 2.0 MB are accepted."
        }
        assert stored() == []

    def test_something_that_is_not_bytes_is_refused(self, clerk):
        assert refused(clerk, screenshot="screen.png") == {"screenshot": "The screenshot must be a PNG or JPEG image."}

    def test_every_bad_field_is_reported_at_once(self, clerk):
        assert refused(clerk, page="p" * 101, description="", screenshot=b"not an image") == {
            "page": "At most 100 characters; this has 101.",
            "description": "Describe the problem.",
            "screenshot": "The screenshot is not a PNG or JPEG image (whatever its name says).",
        }


class TestTheList:
    def test_admins_see_open_reports_newest_first_and_closed_ones_apart(self, clerk, admin):
        first = problems.report_problem(actor=clerk, page="orders", description="First.")
        second = problems.report_problem(actor=clerk, page="stock-items", description="Second.", screenshot=PNG)
        third = problems.report_problem(actor=clerk, page="customers", description="Third.")
        problems.close_problem(actor=admin, report_id=second["id"], resolution="Fixed.", expected_version=1)
        listed = problems.problems(actor=admin)
        assert listed.total == 2
        assert [(row["id"], row["page"], row["reporter"]) for row in listed.rows] == [
            (third["id"], "customers", "Clerk1"),
            (first["id"], "orders", "Clerk1"),
        ]
        closed = problems.problems(actor=admin, status="closed")
        assert [(row["id"], row["has_screenshot"], row["closed_by"], row["resolution"]) for row in closed.rows] == [
            (second["id"], True, "Admin1", "Fixed.")
        ]
        assert problems.problems(actor=admin, status="all").total == 3

    def test_the_list_is_paged(self, clerk, admin):
        made = [problems.report_problem(actor=clerk, page="orders", description=f"No. {n}")["id"] for n in range(5)]
        second = problems.problems(actor=admin, page=2, per_page=2)
        assert (second.total, second.pages, second.page) == (5, 3, 2)
        assert [row["id"] for row in second.rows] == [made[2], made[1]]
        beyond = problems.problems(actor=admin, page=9, per_page=2)
        assert (beyond.page, [row["id"] for row in beyond.rows]) == (3, [made[0]])

    def test_an_unknown_status_is_refused(self, admin):
        with pytest.raises(ValidationFailed) as failed:
            problems.problems(actor=admin, status="pending")
        assert english(failed.value) == {"status": "Choose open, closed or all reports."}

    def test_a_report_without_a_screenshot_or_an_unknown_one_has_none_to_show(self, clerk, admin):
        row = problems.report_problem(actor=clerk, page="orders", description="No picture.")
        with pytest.raises(NotFound) as none:
            problems.screenshot_of(actor=admin, report_id=row["id"])
        assert str(none.value.message) == f"Problem report {row['id']} has no screenshot."
        with pytest.raises(NotFound) as unknown:
            problems.screenshot_of(actor=admin, report_id=424242)
        assert str(unknown.value.message) == "Problem report 424242 does not exist."


class TestClosing:
    @pytest.fixture
    def opened(self, clerk) -> dict[str, Any]:
        return problems.report_problem(actor=clerk, page="orders", description="The total is wrong.")

    def test_an_admin_closes_a_report_with_what_was_done(self, admin, opened):
        row = problems.close_problem(
            actor=admin, report_id=opened["id"], resolution=" Fixed the rounding. ", expected_version=1
        )
        [kept] = stored()
        assert (kept.status, kept.resolution, kept.closed_by_id, kept.version) == (
            "closed",
            "Fixed the rounding.",
            admin.user_id,
            2,
        )
        assert kept.closed_at is not None
        assert (row["status"], row["closed_by"], row["version"]) == ("closed", "Admin1", 2)

    def test_a_missing_or_too_long_resolution_is_refused(self, admin, opened):
        for resolution, message in (
            ("  ", "Say what was done about it."),
            ("y" * 1001, "At most 1,000 characters; this has 1,001."),
        ):
            with pytest.raises(ValidationFailed) as failed:
                problems.close_problem(actor=admin, report_id=opened["id"], resolution=resolution, expected_version=1)
            assert english(failed.value) == {"resolution": message}
        assert stored()[0].status == "open"

    def test_a_report_changed_since_it_was_read_is_refused(self, admin, other_admin, opened):
        with db.writing(other_admin) as session:  # someone else changed it after the admin read it
            session.get(ProblemReport, opened["id"]).page = "order"
            session.commit()
        with pytest.raises(ConcurrentEdit) as conflict:
            problems.close_problem(actor=admin, report_id=opened["id"], resolution="Done.", expected_version=1)
        assert conflict.value.changed_by == "Admin2"
        assert stored()[0].status == "open"

    def test_closing_twice_is_refused_clearly(self, admin, other_admin, opened):
        closed = problems.close_problem(
            actor=other_admin, report_id=opened["id"], resolution="Fixed.", expected_version=1
        )
        for version in (opened["version"], closed["version"]):
            with pytest.raises(OpsdeskError) as twice:
                problems.close_problem(
                    actor=admin, report_id=opened["id"], resolution="Again.", expected_version=version
                )
            assert not isinstance(twice.value, ValidationFailed)
            assert str(twice.value.message) == "This problem report was already closed by Admin2; nothing was changed."
        assert stored()[0].resolution == "Fixed."

    def test_closing_an_unknown_report_is_refused(self, admin):
        with pytest.raises(NotFound):
            problems.close_problem(actor=admin, report_id=424242, resolution="Done.", expected_version=1)


@pytest.mark.parametrize("role", ["manager", "clerk", "analyst", "executive", "technician"])
def test_only_admins_see_and_close_reports(store, role):
    actor = make_user(f"{role}_x", role)
    row = problems.report_problem(actor=actor, page="home", description="Mine.", screenshot=PNG)
    calls = {
        "view": lambda: problems.problems(actor=actor),
        "screenshot": lambda: problems.screenshot_of(actor=actor, report_id=row["id"]),
        "edit": lambda: problems.close_problem(actor=actor, report_id=row["id"], resolution="x", expected_version=1),
    }
    for name, call in calls.items():
        with pytest.raises(PermissionDenied) as denied:
            call()
        assert denied.value.module == "problems", name
    assert stored()[0].status == "open"
    assert problems.problems(actor=SYSTEM).total == 1
