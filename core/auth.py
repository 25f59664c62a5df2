"""Logging in and out, lockout after repeated failures, and server-side sessions.

The login cookie carries only a random session token. Logging out, changing a
password or disabling a user revokes the session rows, so a copied cookie stops
working at once; every click resumes the session from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import db
from core.actor import Actor
from core.audit import record_event
from core.clock import utcnow
from core.config import get_settings
from core.errors import LoginRefused, OpsdeskError, SessionEnded, ValidationFailed
from core.i18n import msg
from core.models import AuthSession, LoginThrottle, User, UserRole
from core.security import dummy_hash, new_token, token_hash, verify_password
from core.text import without_control_characters

SEEN_EVERY = timedelta(minutes=5)  # how often a session's last-seen time is written


@dataclass(frozen=True)
class Login:
    actor: Actor
    token: str


def normalise_username(username: str) -> str:
    return without_control_characters(username).strip().lower()[:64]


def actor_for(user: User, session: str | None = None) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.roles, user.language, session)


def _locked_message(minutes: int) -> LoginRefused:
    return LoginRefused(
        msg("Too many failed attempts. This account is locked; try again in {minutes} minutes.", minutes=minutes)
    )


def log_in(username: str, password: str) -> Login:
    """Check a username and password; raise LoginRefused with the reason to show."""
    key = normalise_username(username)
    settings = get_settings()
    with db.reading() as session:
        throttle = session.get(LoginThrottle, key)
        user = session.execute(select(User).where(User.username == key)).scalar_one_or_none()
    now = utcnow()
    if throttle and throttle.locked_until and throttle.locked_until > now:
        record_event(None, "login_locked", entity="users", entity_id=key)
        raise _locked_message(_minutes_left(throttle.locked_until))
    # Always run bcrypt, against a dummy hash for unknown names, so timing reveals nothing.
    password_ok = verify_password(password, user.password_hash if user else dummy_hash())
    success = password_ok and user is not None
    with db.writing(None) as session:
        throttle = _locked_throttle(session, key)
        now = utcnow()
        if throttle.locked_until and throttle.locked_until > now:
            session.commit()
            record_event(None, "login_locked", entity="users", entity_id=key)
            raise _locked_message(_minutes_left(throttle.locked_until))
        if not success:
            _count_failure(session, throttle, key, settings.lockout_attempts, settings.lockout_minutes)
            session.commit()
            raise LoginRefused(msg("Wrong username or password."))
        assert user is not None
        if not user.active:
            record_event(actor_for(user), "login_disabled", session=session, entity="users", entity_id=user.id)
            session.commit()
            raise LoginRefused(msg("This account is disabled. Ask an administrator."))
        throttle.failures = 0
        throttle.locked_until = None
        token = _start_session(session, user.id, settings.session_days)
        actor = actor_for(user, token_hash(token))
        record_event(actor, "login", session=session, entity="users", entity_id=user.id)
        session.commit()
    return Login(actor, token)


def confirm_password(actor: Actor, password: str) -> None:
    """A signed-in person proves it is them (to change their password). Wrong guesses count
    toward the same lockout as logins, and reaching it ends the account's sessions, so a
    borrowed session cannot be used to guess the password without limit."""
    settings = get_settings()
    with db.reading() as session:
        user = session.get(User, actor.user_id)
        throttle = session.get(LoginThrottle, actor.username)
    if user is None:
        raise SessionEnded(msg("Your session has ended. Please log in again."))
    if throttle and throttle.locked_until and throttle.locked_until > utcnow():
        raise _locked_message(_minutes_left(throttle.locked_until))
    if verify_password(password, user.password_hash):
        return
    with db.writing(actor) as session:
        throttle = _locked_throttle(session, actor.username)
        _count_failure(session, throttle, actor.username, settings.lockout_attempts, settings.lockout_minutes)
        locked = throttle.locked_until is not None
        if locked:
            revoke_sessions(session, user.id, "lockout")
        session.commit()
    if locked:
        raise SessionEnded(
            msg(
                "Too many failed attempts. This account is locked; try again in {minutes} minutes.",
                minutes=settings.lockout_minutes,
            )
        )
    raise ValidationFailed({"current_password": msg("This is not your current password.")})


def _minutes_left(until: object) -> int:
    left = until - utcnow()  # type: ignore[operator]
    return max(1, -(-int(left.total_seconds()) // 60))


def _locked_throttle(session: Session, key: str) -> LoginThrottle:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(LoginThrottle).values(username=key, failures=0).on_conflict_do_nothing())
    return session.execute(select(LoginThrottle).where(LoginThrottle.username == key).with_for_update()).scalar_one()


def _count_failure(session: Session, throttle: LoginThrottle, key: str, attempts: int, minutes: int) -> None:
    now = utcnow()
    window = timedelta(minutes=minutes)
    if throttle.last_failure_at is None or now - throttle.last_failure_at > window:
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    record_event(None, "login_failed", session=session, entity="users", entity_id=key)
    if throttle.failures >= attempts:
        throttle.locked_until = now + window
        throttle.failures = 0
        record_event(
            None,
            "lockout",
            session=session,
            entity="users",
            entity_id=key,
            detail=f"locked for {minutes} minutes after {attempts} failed logins",
        )


def _start_session(session: Session, user_id: int, days: float) -> str:
    token = new_token()
    now = utcnow()
    session.add(
        AuthSession(
            id_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def resume(token: str | None) -> Actor:
    """The actor behind a session token, read fresh from the store on every click."""
    if not token:
        raise SessionEnded(msg("Please log in."))
    session_hash = token_hash(token)
    with db.reading() as session:
        row = session.get(AuthSession, session_hash)
        if row is None:
            raise SessionEnded(msg("Your session has ended. Please log in again."))
        actor = actor_for(_live_user(session, row.user_id, session_hash), session_hash)
        stale = utcnow() - row.last_seen_at > SEEN_EVERY
    if stale:
        with db.writing(actor) as session:
            session.execute(
                update(AuthSession).where(AuthSession.id_hash == session_hash).values(last_seen_at=utcnow())
            )
            session.commit()
    return actor


def live_roles(actor: Actor) -> frozenset[str]:
    """The roles the store gives the actor now; SessionEnded if their session or account has ended.

    Services check this rather than the roles the actor was built with: a page drawn
    before an admin disabled someone must not let them save or download afterwards."""
    with db.reading() as session:
        return _live_user(session, actor.user_id, actor.session).roles


def _live_user(session: Session, user_id: int | None, session_hash: str | None) -> User:
    if session_hash is not None:
        row = session.get(AuthSession, session_hash)
        if row is None or row.user_id != user_id or row.revoked_at is not None or row.expires_at <= utcnow():
            raise SessionEnded(msg("Your session has ended. Please log in again."))
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active:
        raise SessionEnded(msg("This account is disabled. Ask an administrator."))
    return user


def log_out(token: str | None, actor: Actor | None) -> None:
    if not token:
        return
    with db.writing(actor) as session:
        session.execute(
            update(AuthSession)
            .where(AuthSession.id_hash == token_hash(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoke_reason="logout")
        )
        record_event(actor, "logout", session=session, entity="users", entity_id=actor.user_id if actor else None)
        session.commit()


def revoke_sessions(session: Session, user_id: int, reason: str, keep_token: str | None = None) -> int:
    """End every open session of a user (password change, reset, disabling), except `keep_token`."""
    statement = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep_token:
        statement = statement.where(AuthSession.id_hash != token_hash(keep_token))
    result = session.execute(statement.values(revoked_at=utcnow(), revoke_reason=reason))
    return result.rowcount or 0


def disable_account(session: Session, user: User, reason: str = "disabled") -> None:
    """The account can no longer log in, and its open sessions end now: the next click of a page
    it has open asks for a login. The last active administrator is never disabled."""
    if "admin" in user.roles:
        keep_an_admin(session, user)
    user.active = False
    revoke_sessions(session, user.id, reason)


def keep_an_admin(session: Session, leaving: User) -> None:
    """Refuse if `leaving` is the only active administrator."""
    # Lock every active admin, always in the same order: two admins disabling each other at
    # the same moment then take turns (no deadlock), and the second sees the first's change.
    admins = (
        session.execute(
            select(User.id)
            .join(UserRole)
            .where(UserRole.role == "admin", User.active.is_(True))
            .order_by(User.id)
            .with_for_update(of=User)
        )
        .scalars()
        .all()
    )
    if not [admin for admin in admins if admin != leaving.id]:
        raise OpsdeskError(msg("Opsdesk needs at least one active administrator."))
