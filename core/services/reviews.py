"""Performance reviews: each technician's figures for a period computed from the stored orders,
shifts and attendance, scored by the configured weights (see core/reviews.py for what each
figure means and how the score is made), ranked; a manager drafts a person's review, adds
comments and finalises it, after which it never changes (the database refuses it too)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core import reviews as rules
from core.actor import Actor
from core.clock import at, local, today, utcnow
from core.config import get_settings
from core.entities import records
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import msg
from core.models import Attendance, Order, OrderEvent, OrderLine, Review, Shift, Staff, User
from core.permissions import service

DONE = ("completed", "paid")
MAX_COMMENTS = 2000


def _weights() -> dict[str, Decimal]:
    return rules.parse_weights(get_settings().review_weights)


def _check_period(period_from: date, period_to: date, *, ended: bool) -> None:
    if period_to < period_from:
        raise ValidationFailed({"period_to": msg("The period ends before it starts.")})
    if ended and period_to > today():
        raise ValidationFailed({"period_to": msg("The period has not ended yet; choose an end no later than today.")})


def _jobs_query(begin: Any, end: Any) -> Select[Any]:
    """The ids of the orders completed by a technician in [begin, end)."""
    return select(Order.id).where(
        Order.technician_id.is_not(None),
        Order.status.in_(DONE),
        Order.completed_at >= begin,
        Order.completed_at < end,
    )


def _services(session: Session, order_ids: Select[Any]) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for order_id, service_id in session.execute(
        select(OrderLine.order_id, OrderLine.service_id).where(OrderLine.order_id.in_(order_ids))
    ):
        found[order_id].add(service_id)
    return {order_id: frozenset(ids) for order_id, ids in found.items()}


def _jobs(session: Session, begin: Any, end: Any) -> dict[int, list[rules.Job]]:
    done = _jobs_query(begin, end)
    starts = dict(
        session.execute(
            select(OrderEvent.order_id, func.min(OrderEvent.at))
            .where(OrderEvent.to_status == "in_progress", OrderEvent.order_id.in_(done))
            .group_by(OrderEvent.order_id)
        ).all()
    )
    services = _services(session, done)
    columns = (Order.id, Order.technician_id, Order.customer_id, Order.total, Order.rating, Order.completed_at)
    rows = session.execute(
        select(*columns, Order.requested_date, Order.window_start, Order.window_end).where(Order.id.in_(done))
    )
    jobs: dict[int, list[rules.Job]] = defaultdict(list)
    for order_id, staff_id, customer_id, total, rating, completed, requested, opens, closes in rows:
        jobs[staff_id].append(
            rules.Job(
                order_id,
                customer_id,
                total,
                rating,
                completed,
                starts.get(order_id),
                requested,
                opens,
                closes,
                services.get(order_id, frozenset()),
            )
        )
    return jobs


def _later_orders(session: Session, begin: Any, end: Any) -> list[rules.LaterOrder]:
    """Orders that may be a period's job done again (see core.reviews.reworked)."""
    customers = select(Order.customer_id).where(Order.id.in_(_jobs_query(begin, end)))
    later = select(Order.id).where(
        Order.customer_id.in_(customers),
        Order.created_at > begin,
        Order.created_at <= end + timedelta(days=rules.REWORK_DAYS),
        Order.status != "cancelled",
        Order.contract_id.is_(None),
    )
    services = _services(session, later)
    rows = session.execute(select(Order.id, Order.customer_id, Order.created_at).where(Order.id.in_(later)))
    return [rules.LaterOrder(i, customer, created, services.get(i, frozenset())) for i, customer, created in rows]


def _people(session: Session, period_from: date, period_to: date, busy: set[int], include: int | None) -> list[Staff]:
    """Technicians employed at some time in the period (whatever their status now), anyone who
    completed a job in it, and `include`."""
    employed = (
        (Staff.position == "technician")
        & or_(Staff.left_on.is_(None), Staff.left_on >= period_from)
        & or_(Staff.hire_date.is_(None), Staff.hire_date <= period_to)
    )
    wanted = [employed, Staff.id.in_(busy)] + ([Staff.id == include] if include is not None else [])
    return list(session.execute(select(Staff).where(or_(*wanted)).order_by(Staff.name)).scalars())


def _compute(
    session: Session, period_from: date, period_to: date, weights: dict[str, Decimal], include: int | None = None
) -> list[dict[str, Any]]:
    """Everyone's figures, normalised points and score for the period, best score first, ranked."""
    begin, end = at(period_from, time.min), at(period_to + timedelta(days=1), time.min)
    jobs = _jobs(session, begin, end)
    later = _later_orders(session, begin, end) if jobs else []
    worked: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    clocked: dict[int, set[date]] = defaultdict(set)
    for staff_id, clock_in, clock_out in session.execute(
        select(Attendance.staff_id, Attendance.clock_in, Attendance.clock_out).where(
            Attendance.clock_in >= begin, Attendance.clock_in < end
        )
    ):
        worked[staff_id].append((clock_in, clock_out))
        clocked[staff_id].add(local(clock_in).date())
    shift_days: dict[int, set[date]] = defaultdict(set)
    for staff_id, starts_at in session.execute(
        select(Shift.staff_id, Shift.starts_at).where(Shift.starts_at >= begin, Shift.starts_at < end)
    ):
        shift_days[staff_id].add(local(starts_at).date())
    later_of: dict[int, list[rules.LaterOrder]] = defaultdict(list)
    for other in later:
        later_of[other.customer_id].append(other)
    rows = []
    for person in _people(session, period_from, period_to, set(jobs), include):
        own = jobs.get(person.id, [])
        rows.append(
            {
                "staff_id": person.id,
                "employee_no": person.employee_no,
                "name": person.name,
                "status": person.status,
                **rules.figures(
                    own,
                    worked.get(person.id, []),
                    shift_days.get(person.id, set()),
                    clocked.get(person.id, set()),
                    [other for customer in {job.customer_id for job in own} for other in later_of[customer]],
                ),
            }
        )
    best = rules.best_of(rows)
    for row in rows:
        points = rules.normalised(row, best)
        row["points"], row["best"] = rules.rounded(points), best
        row["score"] = rules.score(points, weights)
    rows.sort(key=lambda row: (-row["score"], -row["jobs"], row["name"]))
    for row, rank in zip(rows, rules.ranks([row["score"] for row in rows]), strict=True):
        row["rank"] = rank
    return rows


@service("reviews", "view")
def period_figures(*, actor: Actor, period_from: date, period_to: date) -> dict[str, Any]:
    """The ranking: every technician of the period with their figures and score, best first,
    with the state of their review of exactly this period, if any."""
    weights = _weights()
    _check_period(period_from, period_to, ended=False)
    with db.reading() as session:
        rows = _compute(session, period_from, period_to, weights)
        reviewed = {
            staff_id: (review_id, status)
            for staff_id, review_id, status in session.execute(
                select(Review.staff_id, Review.id, Review.status).where(
                    Review.period_from == period_from, Review.period_to == period_to
                )
            )
        }
    for row in rows:
        row["review_id"], row["review_status"] = reviewed.get(row["staff_id"], (None, None))
    return {"period_from": period_from, "period_to": period_to, "weights": weights, "rows": rows}


def _stored_figures(row: dict[str, Any]) -> dict[str, Any]:
    """The figures, points, the period's best and the rank, as kept with the review."""
    person = {"staff_id", "employee_no", "name", "status", "score"}
    return {key: value for key, value in row.items() if key not in person}


def _view(session: Session, review: Review) -> dict[str, Any]:
    row = {column.key: getattr(review, column.key) for column in Review.__table__.columns}
    person = session.get(Staff, review.staff_id)
    finaliser = session.get(User, review.finalised_by_id) if review.finalised_by_id else None
    row["staff_name"], row["employee_no"] = person.name, person.employee_no
    row["finalised_by"] = finaliser.display_name if finaliser else None
    return row


def _review(session: Session, review_id: int, *, lock: bool = False) -> Review:
    statement = select(Review).where(Review.id == review_id)
    if lock:  # read again under the lock (see core.stock.load_item)
        statement = statement.with_for_update().execution_options(populate_existing=True)
    review = session.execute(statement).scalar_one_or_none()
    if review is None:
        raise NotFound(msg("Review {id} does not exist.", id=review_id))
    return review


def _refuse_final(review: Review) -> None:
    if review.status == "final":
        raise OpsdeskError(msg("This review is final; it can no longer change."))


@service("reviews", "create")
def draft_review(*, actor: Actor, staff_id: int, period_from: date, period_to: date) -> dict[str, Any]:
    """Compute and keep the person's figures, weights and score for the period as a draft (a
    draft of the same period is computed again, keeping its comments)."""
    weights = _weights()
    _check_period(period_from, period_to, ended=True)
    with db.writing(actor) as session:
        if session.get(Staff, staff_id) is None:
            raise NotFound(msg("Staff member {id} does not exist.", id=staff_id))
        review = session.execute(
            select(Review)
            .where(Review.staff_id == staff_id, Review.period_from == period_from, Review.period_to == period_to)
            .with_for_update()
        ).scalar_one_or_none()
        if review is not None:
            _refuse_final(review)
        rows = _compute(session, period_from, period_to, weights, include=staff_id)
        row = next(row for row in rows if row["staff_id"] == staff_id)
        if review is None:
            review = Review(staff_id=staff_id, period_from=period_from, period_to=period_to, status="draft")
            session.add(review)
        review.figures, review.weights, review.score = _stored_figures(row), rules.plain_weights(weights), row["score"]
        try:
            records.save(session, review)
        except IntegrityError:
            raise OpsdeskError(msg("Someone drafted this review at the same moment; open it again.")) from None
        view = _view(session, review)
        session.commit()
    return view


def _comments(comments: str | None) -> str | None:
    text = (comments or "").strip()
    if len(text) > MAX_COMMENTS:
        raise ValidationFailed(
            {"comments": msg("At most {limit} characters; this has {length}.", limit=MAX_COMMENTS, length=len(text))}
        )
    return text or None


@service("reviews", "edit")
def save_comments(*, actor: Actor, review_id: int, comments: str | None, expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        review = _review(session, review_id, lock=True)
        _refuse_final(review)
        records.check_version(session, review, expected_version)
        review.comments = _comments(comments)
        records.save(session, review)
        view = _view(session, review)
        session.commit()
    return view


@service("reviews", "edit")
def finalise_review(
    *, actor: Actor, review_id: int, expected_version: int, comments: str | None = None
) -> dict[str, Any]:
    """Make the draft final, with the comments given here (or those saved before); it never changes again."""
    with db.writing(actor) as session:
        review = _review(session, review_id, lock=True)
        _refuse_final(review)
        records.check_version(session, review, expected_version)
        text = _comments(comments) if comments is not None else review.comments
        if not text:
            raise ValidationFailed({"comments": msg("Write your comments before finalising the review.")})
        review.comments, review.status = text, "final"
        review.finalised_by_id, review.finalised_at = actor.user_id, utcnow()
        records.save(session, review)
        view = _view(session, review)
        session.commit()
    return view


@service("reviews", "view")
def get_review(*, actor: Actor, review_id: int) -> dict[str, Any]:
    with db.reading() as session:
        return _view(session, _review(session, review_id))


@service("reviews", "view")
def reviews_of(*, actor: Actor, staff_id: int) -> list[dict[str, Any]]:
    """The person's reviews, oldest period first: their trend over periods."""
    with db.reading() as session:
        found = session.execute(
            select(Review).where(Review.staff_id == staff_id).order_by(Review.period_from, Review.period_to)
        ).scalars()
        return [_view(session, review) for review in found]
