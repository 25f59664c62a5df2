"""Administering users: accounts, roles, passwords, disabling and unlocking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.audit import record_event
from core.auth import disable_account, keep_an_admin, normalise_username, revoke_sessions
from core.clock import utcnow
from core.entities import records
from core.entities.users import USERS
from core.entities.validation import clean
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import msg
from core.models import LoginThrottle, User
from core.permissions import service
from core.security import hash_password, password_problem


@service("users", "view")
def search_users(*, actor: Actor, query: str = "", page: int = 1, page_size: int = 25) -> records.Page:
    with db.reading() as session:
        return records.search(session, USERS, query=query, page=page, page_size=page_size)


@service("users", "view")
def get_user(*, actor: Actor, user_id: int) -> dict[str, Any]:
    with db.reading() as session:
        user = records.get(session, USERS, user_id)
        row = records.as_row(USERS, user)
        throttle = session.get(LoginThrottle, user.username)
        row["locked_until"] = (
            throttle.locked_until if throttle and throttle.locked_until and throttle.locked_until > utcnow() else None
        )
        return row


@service("users", "create")
def create_user(*, actor: Actor, values: dict[str, Any], password: str) -> dict[str, Any]:
    with db.writing(actor) as session:
        clean_values = _clean(session, values, password=password)
        user = User(password_hash=hash_password(password), password_changed_at=utcnow(), active=True)
        _apply(user, clean_values)
        session.add(user)
        session.flush()
        row = records.as_row(USERS, user)
        session.commit()
    return row


@service("users", "edit")
def update_user(*, actor: Actor, user_id: int, values: dict[str, Any], expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        user = records.get(session, USERS, user_id)
        clean_values = _clean(session, values, existing=user)
        if user.id == actor.user_id and "admin" not in clean_values["roles"]:
            raise ValidationFailed({"roles": msg("You cannot remove your own administrator role.")})
        if "admin" in user.roles and "admin" not in clean_values["roles"]:
            keep_an_admin(session, user)
        records.update(session, USERS, user, clean_values, expected_version)
        row = records.as_row(USERS, user)
        session.commit()
    return row


@service("users", "edit")
def reset_password(*, actor: Actor, user_id: int, new_password: str) -> None:
    """Set a new password for someone who forgot theirs; their open sessions end."""
    with db.writing(actor) as session:
        user = records.get(session, USERS, user_id)
        problem = password_problem(new_password, user.username)
        if problem:
            raise ValidationFailed({"password": problem})
        user.password_hash = hash_password(new_password)
        user.password_changed_at = utcnow()
        revoke_sessions(session, user.id, "password_reset")
        session.commit()


@service("users", "delete")
def disable_user(*, actor: Actor, user_id: int, expected_version: int) -> dict[str, Any]:
    """Disable an account: its sessions end now, and it can no longer log in. History is kept."""
    with db.writing(actor) as session:
        user = records.get(session, USERS, user_id)
        if user.id == actor.user_id:
            raise OpsdeskError(msg("You cannot disable your own account."))
        records.check_version(session, user, expected_version)
        disable_account(session, user)
        records.save(session, user)
        row = records.as_row(USERS, user)
        session.commit()
    return row


@service("users", "edit")
def enable_user(*, actor: Actor, user_id: int, expected_version: int) -> dict[str, Any]:
    with db.writing(actor) as session:
        user = records.get(session, USERS, user_id)
        records.update(session, USERS, user, {"active": True}, expected_version)
        row = records.as_row(USERS, user)
        session.commit()
    return row


@service("users", "edit")
def unlock_user(*, actor: Actor, username: str) -> None:
    """Lift a lockout after failed logins before its 15 minutes are up."""
    key = normalise_username(username)
    with db.writing(actor) as session:
        session.execute(delete(LoginThrottle).where(LoginThrottle.username == key))
        record_event(actor, "unlock", session=session, entity="users", entity_id=key)
        session.commit()


def _clean(
    session: Session, values: dict[str, Any], *, existing: User | None = None, password: str | None = None
) -> dict[str, Any]:
    errors = {}
    if isinstance(values.get("username"), str):  # logins ignore case, so usernames are kept lowercase
        values = {**values, "username": normalise_username(values["username"])}
    try:
        clean_values = clean(USERS, values, {})
    except ValidationFailed as failed:
        errors.update(failed.errors)
        clean_values = {}
    username = clean_values.get("username")
    if username:
        taken = session.execute(select(User.id).where(User.username == username)).scalar_one_or_none()
        if taken is not None and (existing is None or taken != existing.id):
            errors["username"] = msg("This username is taken.")
    if password is not None:
        problem = password_problem(password, username or "")
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    return clean_values


def _apply(user: User, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(user, name, value)
