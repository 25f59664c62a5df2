"""A staff member's certificates (with expiry: expired ones are flagged, and dispatch stops using
the skill they license) and training records."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.clock import today
from core.entities import records
from core.entities.people import QUALIFICATION, TRAINING
from core.entities.spec import Entity
from core.entities.staff import STAFF
from core.entities.validation import clean
from core.errors import NotFound, ValidationFailed
from core.i18n import Message, msg
from core.models import Qualification, Staff, Training
from core.permissions import service
from core.staffing import certificate_date_problems, certificate_state


def _person(session: Session, staff_id: int) -> Staff:
    return records.get(session, STAFF, staff_id)


def _checked(entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
    """The cleaned values, or every problem at once under its field."""
    errors: dict[str, Message] = {}
    try:
        cleaned = clean(entity, values, {})
    except ValidationFailed as failed:
        errors.update(failed.errors)
        cleaned = {}
    if cleaned and entity is QUALIFICATION:
        errors.update(certificate_date_problems(cleaned))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _certificate(row: Qualification, day: date) -> dict[str, Any]:
    state = certificate_state(row.expires_on, day)
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "name": row.name,
        "skill": row.skill,
        "obtained_on": row.obtained_on,
        "expires_on": row.expires_on,
        "state": state,
        "expired": state == "expired",
        "expiring": state == "expiring",
    }


def _training(row: Training) -> dict[str, Any]:
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "course": row.course,
        "taken_on": row.taken_on,
        "result": row.result,
        "notes": row.notes,
    }


@service("staff", "view")
def qualifications_of(*, actor: Actor, staff_id: int) -> list[dict[str, Any]]:
    """A person's certificates, the next to expire first (those valid for good last)."""
    with db.reading() as session:
        _person(session, staff_id)
        rows = session.execute(
            select(Qualification)
            .where(Qualification.staff_id == staff_id)
            .order_by(Qualification.expires_on.is_(None), Qualification.expires_on, Qualification.id)
        ).scalars()
        day = today()
        return [_certificate(row, day) for row in rows]


@service("staff", "edit")
def add_qualification(*, actor: Actor, staff_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Record a certificate: its name, the skill it licenses (if any), when obtained and when it expires."""
    cleaned = _checked(QUALIFICATION, values)
    with db.writing(actor) as session:
        _person(session, staff_id)
        row = Qualification(staff_id=staff_id, **cleaned)
        session.add(row)
        session.flush()
        result = _certificate(row, today())
        session.commit()
    return result


@service("staff", "edit")
def remove_qualification(*, actor: Actor, qualification_id: int) -> None:
    with db.writing(actor) as session:
        row = session.get(Qualification, qualification_id)
        if row is None:
            raise NotFound(msg("That certificate does not exist."))
        session.delete(row)
        session.commit()


@service("staff", "view")
def trainings_of(*, actor: Actor, staff_id: int) -> list[dict[str, Any]]:
    """A person's training records, the latest first."""
    with db.reading() as session:
        _person(session, staff_id)
        rows = session.execute(
            select(Training).where(Training.staff_id == staff_id).order_by(Training.taken_on.desc(), Training.id.desc())
        ).scalars()
        return [_training(row) for row in rows]


@service("staff", "edit")
def add_training(*, actor: Actor, staff_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Record a course someone took: when, and whether they passed, failed or only attended."""
    cleaned = _checked(TRAINING, values)
    with db.writing(actor) as session:
        _person(session, staff_id)
        row = Training(staff_id=staff_id, **cleaned)
        session.add(row)
        session.flush()
        result = _training(row)
        session.commit()
    return result


@service("staff", "view")
def certificate_alerts(*, actor: Actor) -> dict[str, int]:
    """How many certificates of people still working here have expired (and were not renewed:
    the same person holds no valid one of the same name), and how many expire soon."""
    day = today()
    with db.reading() as session:
        rows = session.execute(
            select(Qualification.staff_id, Qualification.name, Qualification.expires_on)
            .join(Staff, Staff.id == Qualification.staff_id)
            .where(Staff.status != "left")
        ).all()
    states = [(staff_id, name, certificate_state(expires_on, day)) for staff_id, name, expires_on in rows]
    renewed = {(staff_id, name) for staff_id, name, state in states if state != "expired"}
    return {
        "expired": sum(1 for staff_id, name, state in states if state == "expired" and (staff_id, name) not in renewed),
        "expiring": sum(1 for _staff_id, _name, state in states if state == "expiring"),
    }
