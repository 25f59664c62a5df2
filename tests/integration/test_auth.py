"""Logging in and out, the lockout after repeated failures, and server-side sessions (both databases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import core.auth
from core import db
from core.actor import SYSTEM
from core.auth import log_in, log_out, resume, revoke_sessions
from core.clock import utcnow
from core.config import get_settings
from core.errors import LoginRefused, SessionEnded
from core.models import AuditEntry, User
from core.services import users
from tests.factories import PASSWORD, make_user

WRONG = "not-the-password-1"


class Clock:
    """A hand-moved clock for core.auth (lock expiry, session expiry)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utcnow()
        monkeypatch.setattr(core.auth, "utcnow", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def audit_actions(entity_id: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.execute(
                select(AuditEntry.action).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
            ).scalars()
        )


def fail(username: str, times: int) -> list[str]:
    """Try a wrong password `times` times; the refusal messages, in order."""
    messages = []
    for _ in range(times):
        with pytest.raises(LoginRefused) as refused:
            log_in(username, WRONG)
        messages.append(str(refused.value))
    return messages


def lock(username: str) -> None:
    fail(username, get_settings().lockout_attempts)


def assert_locked(username: str, password: str = PASSWORD) -> None:
    with pytest.raises(LoginRefused) as refused:
        log_in(username, password)
    assert "minutes" in str(refused.value)


# --- logging in -----------------------------------------------------------------


def test_a_correct_login_returns_the_actor_and_a_token_that_resumes(store):
    made = make_user("alice", "clerk", "analyst")
    login = log_in("alice", PASSWORD)
    assert login.actor.user_id == made.user_id
    assert login.actor.roles == frozenset({"clerk", "analyst"})
    assert resume(login.token).user_id == made.user_id
    assert audit_actions(str(made.user_id))[-1] == "login"


def test_the_username_is_matched_without_case_or_surrounding_spaces(store):
    make_user("alice", "clerk")
    assert log_in("  Alice ", PASSWORD).actor.username == "alice"


def test_a_wrong_password_is_refused_and_logged_as_a_failed_login(store):
    make_user("alice", "clerk")
    with pytest.raises(LoginRefused) as refused:
        log_in("alice", WRONG)
    assert "Wrong username or password" in str(refused.value)
    assert audit_actions("alice") == ["login_failed"]


def test_a_disabled_user_with_the_right_password_is_refused(store):
    admin = make_user("root", "admin")
    alice = make_user("alice", "clerk")
    row = users.get_user(actor=admin, user_id=alice.user_id)
    users.disable_user(actor=admin, user_id=alice.user_id, expected_version=row["version"])
    with pytest.raises(LoginRefused) as refused:
        log_in("alice", PASSWORD)
    assert "disabled" in str(refused.value)
    assert "login_disabled" in audit_actions(str(alice.user_id))


# --- lockout --------------------------------------------------------------------


def test_five_failures_lock_the_account_and_log_the_lockout(store):
    make_user("alice", "clerk")
    lock("alice")
    actions = audit_actions("alice")
    assert actions.count("login_failed") == 5
    assert actions[-1] == "lockout"


def test_a_locked_account_refuses_even_the_right_password_and_says_for_how_long(store):
    make_user("alice", "clerk")
    lock("alice")
    with pytest.raises(LoginRefused) as refused:
        log_in("alice", PASSWORD)
    assert "15 minutes" in str(refused.value)
    assert audit_actions("alice")[-1] == "login_locked"


def test_four_failures_do_not_lock(store):
    make_user("alice", "clerk")
    fail("alice", get_settings().lockout_attempts - 1)
    assert log_in("alice", PASSWORD).actor.username == "alice"
    assert "lockout" not in audit_actions("alice")


def test_the_lock_survives_a_restart(store):
    make_user("alice", "clerk")
    lock("alice")
    db.use_engine(db.make_engine(store.url))  # a new process: nothing kept in memory
    assert_locked("alice")


def test_the_lock_lasts_fifteen_minutes(store, clock):
    make_user("alice", "clerk")
    lock("alice")
    clock.advance(minutes=14, seconds=59)
    assert_locked("alice")
    clock.advance(seconds=1)
    assert log_in("alice", PASSWORD).actor.username == "alice"


def test_failures_older_than_the_window_do_not_count(store, clock):
    make_user("alice", "clerk")
    fail("alice", 4)
    clock.advance(minutes=16)
    fail("alice", 4)
    assert log_in("alice", PASSWORD).actor.username == "alice"
    assert "lockout" not in audit_actions("alice")


def test_a_successful_login_clears_the_failure_count(store):
    make_user("alice", "clerk")
    fail("alice", 4)
    log_in("alice", PASSWORD)
    fail("alice", 4)
    assert log_in("alice", PASSWORD).actor.username == "alice"


def test_an_unknown_username_locks_after_five_tries_like_a_known_one(store):
    make_user("alice", "clerk")
    known = fail("alice", 6)
    unknown = fail("nobody", 6)
    assert unknown == known
    assert audit_actions("nobody") == audit_actions("alice")
    assert "lockout" in audit_actions("nobody")


def test_an_unknown_username_costs_one_bcrypt_check_per_attempt_like_a_known_one(store, monkeypatch):
    make_user("alice", "clerk")
    calls: list[str] = []
    real = core.auth.verify_password

    def counting(password: str, hashed: str) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(core.auth, "verify_password", counting)
    fail("alice", 5)
    known = len(calls)
    calls.clear()
    fail("nobody", 5)
    assert known == len(calls) == 5
    assert all(hashed.startswith("$2") for hashed in calls)


def test_the_lock_of_one_username_does_not_touch_another(store):
    make_user("alice", "clerk")
    make_user("bob", "clerk")
    lock("alice")
    assert log_in("bob", PASSWORD).actor.username == "bob"


# --- sessions -------------------------------------------------------------------


def test_logging_out_ends_the_session_and_is_logged(store):
    alice = make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    log_out(login.token, login.actor)
    with pytest.raises(SessionEnded):
        resume(login.token)
    assert audit_actions(str(alice.user_id))[-1] == "logout"


def test_logging_out_one_browser_keeps_the_others(store):
    make_user("alice", "clerk")
    first, second = log_in("alice", PASSWORD), log_in("alice", PASSWORD)
    log_out(first.token, first.actor)
    assert resume(second.token).username == "alice"


def test_revoking_sessions_keeps_the_given_token(store):
    alice = make_user("alice", "clerk")
    kept, other, third = (log_in("alice", PASSWORD) for _ in range(3))
    with db.writing(SYSTEM) as session:
        assert revoke_sessions(session, alice.user_id, "test", keep_token=kept.token) == 2
        session.commit()
    assert resume(kept.token).user_id == alice.user_id
    for ended in (other, third):
        with pytest.raises(SessionEnded):
            resume(ended.token)


def test_a_missing_or_made_up_token_does_not_resume(store):
    make_user("alice", "clerk")
    for token in (None, "", "made-up-token"):
        with pytest.raises(SessionEnded):
            resume(token)


def test_an_expired_session_is_refused(store, clock):
    make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    clock.advance(days=get_settings().session_days, seconds=-1)
    assert resume(login.token).username == "alice"
    clock.advance(seconds=2)
    with pytest.raises(SessionEnded):
        resume(login.token)


def test_a_user_disabled_later_is_refused_at_the_next_resume(store):
    admin = make_user("root", "admin")
    alice = make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    row = users.get_user(actor=admin, user_id=alice.user_id)
    users.disable_user(actor=admin, user_id=alice.user_id, expected_version=row["version"])
    with pytest.raises(SessionEnded):
        resume(login.token)


def test_a_session_whose_user_became_inactive_is_refused_even_if_not_revoked(store):
    alice = make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    with db.writing(SYSTEM) as session:
        session.get(User, alice.user_id).active = False
        session.commit()
    with pytest.raises(SessionEnded) as ended:
        resume(login.token)
    assert "disabled" in str(ended.value)


def test_resume_reads_roles_fresh_from_the_store(store):
    admin = make_user("root", "admin")
    alice = make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    row = users.get_user(actor=admin, user_id=alice.user_id)
    users.update_user(
        actor=admin,
        user_id=alice.user_id,
        values={**row, "roles": ["analyst"]},
        expected_version=row["version"],
    )
    assert resume(login.token).roles == frozenset({"analyst"})


def test_a_username_with_a_nul_character_is_refused_like_any_wrong_login(store):
    make_user("zhang", "clerk")
    with pytest.raises(LoginRefused):
        log_in("zhang\x00", "wrong-password-1")
    assert log_in("zh\x00ang", PASSWORD).actor.username == "zhang"
