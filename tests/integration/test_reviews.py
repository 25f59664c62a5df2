"""Performance reviews on both databases: each technician's figures computed from the stored orders,
shifts and attendance; the ranking; drafts, comments, finalising; a final review never changes,
and the database itself refuses to change it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from core.clock import today
from core.config import get_settings
from core.db import get_engine, reading
from core.errors import ConcurrentEdit, NotFound, OpsdeskError, ValidationFailed
from core.i18n import translate
from core.models import Review
from core.services import reviews
from tests.integration.review_support import build_world, done_job


@pytest.fixture
def world(store):
    return build_world()


def _by_name(ranking: dict) -> dict[str, dict]:
    return {row["name"]: row for row in ranking["rows"]}


def _review_count() -> int:
    with reading() as session:
        return session.execute(select(func.count()).select_from(Review)).scalar_one()


def test_each_technicians_figures_are_computed_from_orders_attendance_and_shifts(world, manager):
    ranking = reviews.period_figures(actor=manager, period_from=world.period[0], period_to=world.period[1])
    rows = _by_name(ranking)
    assert set(rows) == {"刘强", "王磊", "赵六"}  # not the office clerk, not who left before the period
    liu = rows["刘强"]
    assert liu["jobs"] == 3
    assert Decimal(str(liu["revenue"])) == sum((job["total"] for job in world.jobs[:3]), Decimal(0))
    assert liu["rating"] == 3.5 and liu["rated"] == 2  # 5 and 2; the third job was not rated
    assert (liu["complaints"], liu["rework"]) == (1, 1)
    assert liu["on_time"] == 66.67  # one started at 13:00, after the 09:00–12:00 window
    assert liu["hours"] == 13.5  # 9 + 4.5; the open entry and the one before the period do not count
    assert (liu["attendance"], liu["shift_days"], liu["attended_days"]) == (75.0, 4, 3)
    wang = rows["王磊"]
    assert (wang["jobs"], wang["rating"], wang["on_time"], wang["complaints"], wang["rework"]) == (1, 4.0, 100.0, 0, 0)
    assert wang["attendance"] is None and wang["hours"] == 0
    zhao = rows["赵六"]
    assert (zhao["jobs"], zhao["rating"], zhao["on_time"], zhao["attendance"]) == (0, None, None, None)
    # The documented default weights: 王磊's missing attendance leaves its weight to the rest.
    assert (liu["score"], wang["score"], zhao["score"]) == (Decimal("73.54"), Decimal("76.96"), Decimal("0.00"))
    assert [(row["name"], row["rank"]) for row in ranking["rows"]] == [("王磊", 1), ("刘强", 2), ("赵六", 3)]
    assert liu["points"]["jobs"] == 100 and wang["points"]["jobs"] == 33.33
    assert ranking["weights"]["rating"] == 25 and liu["review_id"] is None


def test_the_weights_come_from_the_setting(world, manager, monkeypatch):
    custom = replace(get_settings(), review_weights="rating=1")
    monkeypatch.setattr("core.services.reviews.get_settings", lambda: custom)
    rows = _by_name(reviews.period_figures(actor=manager, period_from=world.period[0], period_to=world.period[1]))
    assert (rows["刘强"]["score"], rows["王磊"]["score"]) == (Decimal("62.50"), Decimal("75.00"))


def test_a_weights_setting_that_cannot_be_used_is_refused_and_nothing_is_written(world, manager, monkeypatch):
    broken = replace(get_settings(), review_weights="jobs=20,speed=10")
    monkeypatch.setattr("core.services.reviews.get_settings", lambda: broken)
    with pytest.raises(OpsdeskError) as refused:
        reviews.draft_review(actor=manager, staff_id=world.liu, period_from=world.period[0], period_to=world.period[1])
    assert "unknown figure “speed”" in translate(refused.value.message, "en")
    assert _review_count() == 0


def test_a_period_must_end_after_it_starts_and_not_in_the_future(world, manager):
    first, last = world.period
    with pytest.raises(ValidationFailed) as backwards:
        reviews.draft_review(actor=manager, staff_id=world.liu, period_from=last, period_to=first)
    assert set(backwards.value.errors) == {"period_to"}
    with pytest.raises(ValidationFailed) as future:
        reviews.draft_review(
            actor=manager, staff_id=world.liu, period_from=first, period_to=today() + timedelta(days=1)
        )
    assert "not ended yet" in translate(future.value.errors["period_to"], "en")
    with pytest.raises(ValidationFailed):
        reviews.period_figures(actor=manager, period_from=last, period_to=first)
    assert _review_count() == 0
    with pytest.raises(NotFound):
        reviews.draft_review(actor=manager, staff_id=999, period_from=first, period_to=last)


def test_a_draft_keeps_its_figures_and_is_computed_again_with_its_comments_until_final(world, manager):
    first, last = world.period
    draft = reviews.draft_review(actor=manager, staff_id=world.liu, period_from=first, period_to=last)
    assert (draft["status"], draft["score"], draft["staff_name"]) == ("draft", Decimal("73.54"), "刘强")
    assert draft["figures"]["jobs"] == 3 and draft["figures"]["rank"] == 2
    assert draft["weights"]["jobs"] == 20 and draft["figures"]["points"]["rating"] == 62.5
    noted = reviews.save_comments(
        actor=manager, review_id=draft["id"], comments="  Careful work.  ", expected_version=draft["version"]
    )
    assert noted["comments"] == "Careful work."
    done_job(world.liu, world.customers[2], world.area, world.carpet, first + timedelta(days=6), rating=5)
    again = reviews.draft_review(actor=manager, staff_id=world.liu, period_from=first, period_to=last)
    assert (again["id"], again["figures"]["jobs"], again["comments"]) == (draft["id"], 4, "Careful work.")
    assert again["score"] != draft["score"]
    ranking = _by_name(reviews.period_figures(actor=manager, period_from=first, period_to=last))
    assert (ranking["刘强"]["review_id"], ranking["刘强"]["review_status"]) == (draft["id"], "draft")


def test_a_technician_without_jobs_gets_a_draft_with_zero_and_no_division_by_zero(world, manager):
    draft = reviews.draft_review(
        actor=manager, staff_id=world.zhao, period_from=world.period[0], period_to=world.period[1]
    )
    assert draft["score"] == 0 and draft["figures"]["jobs"] == 0 and draft["figures"]["rating"] is None


def test_comments_are_required_to_finalise_and_a_final_review_never_changes(world, manager):
    first, last = world.period
    draft = reviews.draft_review(actor=manager, staff_id=world.liu, period_from=first, period_to=last)
    with pytest.raises(ValidationFailed) as empty:
        reviews.finalise_review(actor=manager, review_id=draft["id"], expected_version=draft["version"], comments=" ")
    assert set(empty.value.errors) == {"comments"}
    assert reviews.get_review(actor=manager, review_id=draft["id"])["status"] == "draft"
    final = reviews.finalise_review(
        actor=manager, review_id=draft["id"], expected_version=draft["version"], comments="Good quarter."
    )
    assert (final["status"], final["comments"], final["finalised_by"]) == ("final", "Good quarter.", "Wangfang")
    assert final["finalised_by_id"] == manager.user_id and final["finalised_at"] is not None
    refusals = [
        lambda: reviews.save_comments(
            actor=manager, review_id=final["id"], comments="Changed", expected_version=final["version"]
        ),
        lambda: reviews.finalise_review(actor=manager, review_id=final["id"], expected_version=final["version"]),
        lambda: reviews.draft_review(actor=manager, staff_id=world.liu, period_from=first, period_to=last),
    ]
    for refused in refusals:
        with pytest.raises(OpsdeskError) as error:
            refused()
        assert "final" in translate(error.value.message, "en")
    assert reviews.get_review(actor=manager, review_id=final["id"]) == final


def test_a_draft_saved_meanwhile_by_someone_else_is_not_overwritten(world, manager):
    draft = reviews.draft_review(
        actor=manager, staff_id=world.liu, period_from=world.period[0], period_to=world.period[1]
    )
    reviews.save_comments(actor=manager, review_id=draft["id"], comments="First", expected_version=draft["version"])
    with pytest.raises(ConcurrentEdit):
        reviews.save_comments(
            actor=manager, review_id=draft["id"], comments="Second", expected_version=draft["version"]
        )
    with pytest.raises(ValidationFailed) as long:
        reviews.save_comments(
            actor=manager, review_id=draft["id"], comments="x" * 2001, expected_version=draft["version"] + 1
        )
    assert set(long.value.errors) == {"comments"}
    assert reviews.get_review(actor=manager, review_id=draft["id"])["comments"] == "First"


def test_the_database_refuses_to_change_or_delete_a_final_review(world, manager):
    first, last = world.period
    draft = reviews.draft_review(actor=manager, staff_id=world.liu, period_from=first, period_to=last)
    other = reviews.draft_review(actor=manager, staff_id=world.wang, period_from=first, period_to=last)
    reviews.finalise_review(actor=manager, review_id=draft["id"], expected_version=draft["version"], comments="OK")
    for statement in (
        "UPDATE reviews SET comments = 'forged', score = 9999 WHERE id = :id",
        "DELETE FROM reviews WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="a final review never changes"), get_engine().begin() as connection:
            connection.execute(text(statement), {"id": draft["id"]})
    with get_engine().begin() as connection:  # a draft is not guarded
        connection.execute(text("UPDATE reviews SET comments = 'typed' WHERE id = :id"), {"id": other["id"]})
    kept = reviews.get_review(actor=manager, review_id=draft["id"])
    assert (kept["comments"], kept["score"], kept["status"]) == ("OK", Decimal("73.54"), "final")


def test_a_persons_reviews_over_periods_are_their_trend(world, manager):
    first = world.period[0]
    earlier = (first - timedelta(days=30), first - timedelta(days=1))
    for period_from, period_to in (world.period, earlier):
        draft = reviews.draft_review(actor=manager, staff_id=world.liu, period_from=period_from, period_to=period_to)
        reviews.finalise_review(actor=manager, review_id=draft["id"], expected_version=draft["version"], comments="OK")
    trend = reviews.reviews_of(actor=manager, staff_id=world.liu)
    assert [(row["period_from"], row["status"]) for row in trend] == [(earlier[0], "final"), (first, "final")]
    assert trend[0]["figures"]["jobs"] == 1 and trend[0]["figures"]["complaints"] == 1  # the job rated 1
    assert trend[1]["score"] == Decimal("73.54")
    assert reviews.reviews_of(actor=manager, staff_id=world.wang) == []
