"""Problem reports: anyone signed in reports a problem from the page they are on (what happened, and
a screenshot if they have one); admins read the reports, look at the screenshots and close them
with what was done.

A screenshot is accepted only if its first bytes say PNG or JPEG (a file's name proves nothing), and
only up to 2 MB, so a report cannot fill the store. Reports are audited like every business record;
the trail notes a screenshot without keeping its bytes.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core import db
from core.actor import Actor
from core.clock import utcnow
from core.entities import records
from core.entities.records import Page
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.models import ProblemReport, User
from core.permissions import service
from core.text import without_control_characters

PAGE_LIMIT = 100  # the column's length
DESCRIPTION_LIMIT = 2_000
RESOLUTION_LIMIT = 1_000
SCREENSHOT_LIMIT = 2 * 1024 * 1024  # 2 MB
STATUSES = ("open", "closed", "all")
# The first bytes of each image kind accepted, and the type kept with it.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def _text(raw: Any, limit: int, missing: Message) -> tuple[str | None, Message | None]:
    """Typed text minus invisible control characters (line breaks and tabs stay), trimmed; or why
    it cannot be kept (missing, too long)."""
    value = "" if raw is None else str(raw)
    value = "".join(ch for ch in value.replace("\r\n", "\n") if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    value = value.strip()
    if not value:
        return None, missing
    if len(value) > limit:
        return None, msg("At most {limit} characters; this has {length}.", limit=f"{limit:,}", length=f"{len(value):,}")
    return value, None


def _page(raw: Any) -> tuple[str | None, Message | None]:
    """The page's url path ("orders"); the home page's is empty, so it is kept as "home"."""
    if raw is not None and not isinstance(raw, str):
        return None, msg("Say which page the problem is on.")
    value = without_control_characters(raw or "").strip().strip("/") or "home"
    if len(value) > PAGE_LIMIT:
        return None, msg("At most {limit} characters; this has {length}.", limit=PAGE_LIMIT, length=len(value))
    return value, None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _image_type(data: bytes) -> str | None:
    """image/png or image/jpeg if the bytes start like one; None for anything else."""
    return next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)


def _screenshot(raw: Any) -> tuple[tuple[bytes, str] | None, Message | None]:
    """The screenshot's bytes and type, none if none was given; or why it is refused."""
    if raw is None or raw == b"":
        return None, None
    if not isinstance(raw, bytes | bytearray | memoryview):
        return None, msg("The screenshot must be a PNG or JPEG image.")
    data = bytes(raw)
    if len(data) > SCREENSHOT_LIMIT:
        return None, msg(
            "The screenshot is {size}; at most {limit} are accepted.",
            size=_megabytes(len(data)),
            limit=_megabytes(SCREENSHOT_LIMIT),
        )
    kind = _image_type(data)
    if kind is None:
        return None, msg("The screenshot is not a PNG or JPEG image (whatever its name says).")
    return (data, kind), None


def _select_rows() -> Any:
    """Reports with the names of who sent and who closed them; never the screenshot's bytes."""
    reporter, closer = aliased(User), aliased(User)
    return (
        select(
            ProblemReport.id,
            ProblemReport.page,
            ProblemReport.description,
            reporter.display_name.label("reporter"),
            ProblemReport.created_at,
            ProblemReport.status,
            ProblemReport.screenshot_type.is_not(None).label("has_screenshot"),
            ProblemReport.screenshot_type,
            ProblemReport.closed_at,
            closer.display_name.label("closed_by"),
            ProblemReport.resolution,
            ProblemReport.version,
        )
        .outerjoin(reporter, reporter.id == ProblemReport.reporter_id)
        .outerjoin(closer, closer.id == ProblemReport.closed_by_id)
    )


def _rows(session: Session, statement: Any) -> list[dict[str, Any]]:
    rows = []
    for row in session.execute(statement).mappings():
        line = dict(row)
        line["has_screenshot"] = bool(line["has_screenshot"])
        rows.append(line)
    return rows


def _row(session: Session, report_id: int) -> dict[str, Any]:
    return _rows(session, _select_rows().where(ProblemReport.id == report_id))[0]


@service("problems", "create")
def report_problem(*, actor: Actor, page: str, description: str, screenshot: bytes | None = None) -> dict[str, Any]:
    """Keep a problem met on `page` (its url path) with its description and an optional PNG or
    JPEG screenshot; the reporter and the time are the actor and now. Every bad field is reported
    at once, under "page", "description" or "screenshot". Returns the report's row (see `problems`)."""
    errors: dict[str, Message] = {}
    clean_page, problem = _page(page)
    if problem:
        errors["page"] = problem
    clean_description, problem = _text(description, DESCRIPTION_LIMIT, msg("Describe the problem."))
    if problem:
        errors["description"] = problem
    image, problem = _screenshot(screenshot)
    if problem:
        errors["screenshot"] = problem
    if errors:
        raise ValidationFailed(errors)
    with db.writing(actor) as session:
        report = ProblemReport(
            page=clean_page,
            description=clean_description,
            reporter_id=actor.user_id,
            screenshot=image[0] if image else None,
            screenshot_type=image[1] if image else None,
            status="open",
        )
        session.add(report)
        session.flush()
        row = _row(session, report.id)
        session.commit()
    return row


@service("problems", "view")
def problems(*, actor: Actor, status: str = "open", page: int = 1, per_page: int = 50) -> Page:
    """One page of the reports, newest first: "open" ones (the default), "closed" ones or "all".
    Each row: id, page, description, reporter (name), created_at, status, has_screenshot,
    screenshot_type, closed_at, closed_by (name), resolution, version."""
    if status not in STATUSES:
        raise ValidationFailed({"status": msg("Choose open, closed or all reports.")})
    per_page = min(max(1, int(per_page)), 500)
    conditions = [] if status == "all" else [ProblemReport.status == status]
    with db.reading() as session:
        total = session.execute(select(func.count(ProblemReport.id)).where(*conditions)).scalar_one()
        pages = max(1, -(-total // per_page))
        page = min(max(1, int(page)), pages)
        statement = (
            _select_rows()
            .where(*conditions)
            .order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        rows = _rows(session, statement)
    return Page(rows=rows, total=total, page=page, page_size=per_page)


@service("problems", "view")
def screenshot_of(*, actor: Actor, report_id: int) -> tuple[bytes, str]:
    """A report's screenshot: its bytes and its type (image/png or image/jpeg)."""
    with db.reading() as session:
        found = session.execute(
            select(ProblemReport.screenshot, ProblemReport.screenshot_type).where(ProblemReport.id == report_id)
        ).one_or_none()
    if found is None:
        raise NotFound(msg("Problem report {id} does not exist.", id=report_id))
    if found.screenshot is None:
        raise NotFound(msg("Problem report {id} has no screenshot.", id=report_id))
    return bytes(found.screenshot), found.screenshot_type


@service("problems", "edit")
def close_problem(*, actor: Actor, report_id: int, resolution: str, expected_version: int) -> dict[str, Any]:
    """Close a report with what was done about it; refused if it is closed already or was changed
    since it was read. Returns the report's row."""
    clean_resolution, problem = _text(resolution, RESOLUTION_LIMIT, msg("Say what was done about it."))
    with db.writing(actor) as session:
        report = session.execute(
            select(ProblemReport).where(ProblemReport.id == report_id).with_for_update()
        ).scalar_one_or_none()
        if report is None:
            raise NotFound(msg("Problem report {id} does not exist.", id=report_id))
        if report.status == "closed":
            raise OpsdeskError(
                msg(
                    "This problem report was already closed by {who}; nothing was changed.",
                    who=records.user_name(session, report.closed_by_id),
                )
            )
        if problem:
            raise ValidationFailed({"resolution": problem})
        records.check_version(session, report, expected_version)
        report.status, report.closed_at, report.closed_by_id = "closed", utcnow(), actor.user_id
        report.resolution = clean_resolution
        records.save(session, report)
        row = _row(session, report_id)
        session.commit()
    return row
