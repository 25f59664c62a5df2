"""Administering users as an admin: accounts, roles, disabling, passwords and unlocking (both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core import db
from core.actor import SYSTEM, Actor
from core.auth import log_in, resume
from core.config import get_settings
from core.errors import (
    ConcurrentEdit,
    LoginRefused,
    OpsdeskError,
    PermissionDenied,
    SessionEnded,
    ValidationFailed,
)
from core.models import AuditEntry, User
from core.services import users
from tests.factories import PASSWORD, make_user
from tests.threads import run_in_threads

NEW_PASSWORD = "battery-staple-42"


@pytest.fixture
def admin(store) -> Actor:
    return make_user("root", "admin")


def values(**changes: Any) -> dict[str, Any]:
    return {
        "username": "alice",
        "display_name": "Alice Wang",
        "email": None,
        "language": "en",
        "roles": ["clerk"],
        **changes,
    }


def edit(actor: Actor, user_id: int, **changes: Any) -> dict[str, Any]:
    row = users.get_user(actor=SYSTEM, user_id=user_id)
    return users.update_user(actor=actor, user_id=user_id, values={**row, **changes}, expected_version=row["version"])


def disable(actor: Actor, user_id: int) -> dict[str, Any]:
    row = users.get_user(actor=SYSTEM, user_id=user_id)
    return users.disable_user(actor=actor, user_id=user_id, expected_version=row["version"])


def user_count() -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(User)).scalar_one()


def audit_rows(action: str, entity_id: object) -> list[AuditEntry]:
    with db.reading() as session:
        return list(
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.entity_id == str(entity_id))
                .order_by(AuditEntry.id)
            ).scalars()
        )


def refused_errors(**call: Any) -> dict[str, Any]:
    with pytest.raises(ValidationFailed) as failed:
        users.create_user(**call)
    return failed.value.errors


# --- creating -------------------------------------------------------------------


def test_an_admin_creates_a_user_with_several_roles(admin):
    row = users.create_user(actor=admin, values=values(roles=["clerk", "analyst"]), password=PASSWORD)
    stored = users.get_user(actor=admin, user_id=row["id"])
    assert stored["roles"] == frozenset({"clerk", "analyst"})
    assert stored["active"] is True
    assert log_in("alice", PASSWORD).actor.roles == frozenset({"clerk", "analyst"})


def test_a_username_is_kept_in_lowercase_as_logins_ignore_case(admin):
    row = users.create_user(actor=admin, values=values(username="  Alice "), password=PASSWORD)
    assert row["username"] == "alice"
    assert log_in("ALICE", PASSWORD).actor.username == "alice"


@pytest.mark.parametrize("username", ["al", "alice wang", "<b>x</b>", "a" * 33, ""])
def test_a_username_outside_the_pattern_is_refused(admin, username):
    before = user_count()
    errors = refused_errors(actor=admin, values=values(username=username), password=PASSWORD)
    assert set(errors) == {"username"}
    assert user_count() == before


def test_a_taken_username_is_refused(admin):
    users.create_user(actor=admin, values=values(), password=PASSWORD)
    errors = refused_errors(actor=admin, values=values(display_name="Another Alice"), password=PASSWORD)
    assert "taken" in str(errors["username"])
    assert user_count() == 2


@pytest.mark.parametrize("password", ["short1", "aaaaaaaaaaaa", "alice", "ALICE   ", "长" * 30])
def test_a_weak_password_is_refused_next_to_the_password(admin, password):
    before = user_count()
    errors = refused_errors(actor=admin, values=values(), password=password)
    assert set(errors) == {"password"}
    assert user_count() == before


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(admin):
    errors = refused_errors(actor=admin, values=values(username="X", display_name="", roles=[]), password="x")
    assert set(errors) == {"username", "display_name", "roles", "password"}
    assert user_count() == 1
    with db.reading() as session:
        creates = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "users", AuditEntry.action == "create")
        ).scalar_one()
    assert creates == 1  # only the admin made by the fixture


def test_an_unknown_role_is_refused(admin):
    errors = refused_errors(actor=admin, values=values(roles=["clerk", "superuser"]), password=PASSWORD)
    assert set(errors) == {"roles"}


def test_a_clerk_cannot_create_users(admin):
    clerk = make_user("clerk1", "clerk")
    with pytest.raises(PermissionDenied):
        users.create_user(actor=clerk, values=values(), password=PASSWORD)
    assert user_count() == 2


# --- editing and roles ----------------------------------------------------------


def test_changing_roles_is_stored_and_audited_before_and_after(admin):
    alice = make_user("alice", "clerk")
    edit(admin, alice.user_id, roles=["analyst", "clerk"])
    assert users.get_user(actor=admin, user_id=alice.user_id)["roles"] == frozenset({"analyst", "clerk"})
    change = audit_rows("update", alice.user_id)[-1]
    assert change.actor_name == "root"
    assert change.changes["roles"] == [["clerk"], ["analyst", "clerk"]]


def test_an_admin_cannot_remove_their_own_admin_role(admin):
    make_user("second", "admin")
    with pytest.raises(ValidationFailed) as failed:
        edit(admin, admin.user_id, roles=["manager"])
    assert set(failed.value.errors) == {"roles"}
    assert users.get_user(actor=admin, user_id=admin.user_id)["roles"] == frozenset({"admin"})


def test_an_admin_may_remove_another_admins_role(admin):
    second = make_user("second", "admin")
    edit(admin, second.user_id, roles=["manager"])
    assert users.get_user(actor=admin, user_id=second.user_id)["roles"] == frozenset({"manager"})


def test_the_last_active_admin_cannot_lose_the_role(admin):
    retired = make_user("retired", "admin")
    disable(admin, retired.user_id)  # a disabled admin does not count
    with pytest.raises(OpsdeskError) as refused:
        edit(SYSTEM, admin.user_id, roles=["manager"])
    assert "administrator" in str(refused.value)
    assert users.get_user(actor=admin, user_id=admin.user_id)["roles"] == frozenset({"admin"})


def test_the_last_active_admin_cannot_be_disabled(admin):
    with pytest.raises(OpsdeskError):
        disable(SYSTEM, admin.user_id)
    assert users.get_user(actor=admin, user_id=admin.user_id)["active"] is True


def test_an_admin_cannot_disable_their_own_account(admin):
    make_user("second", "admin")
    with pytest.raises(OpsdeskError):
        disable(admin, admin.user_id)
    assert users.get_user(actor=admin, user_id=admin.user_id)["active"] is True


def test_a_stale_version_is_refused_and_nothing_is_overwritten(admin):
    alice = make_user("alice", "clerk")
    opened = users.get_user(actor=admin, user_id=alice.user_id)
    edit(admin, alice.user_id, display_name="Alice First")
    with pytest.raises(ConcurrentEdit):
        users.update_user(
            actor=admin,
            user_id=alice.user_id,
            values={**opened, "display_name": "Alice Second"},
            expected_version=opened["version"],
        )
    with pytest.raises(ConcurrentEdit):
        users.disable_user(actor=admin, user_id=alice.user_id, expected_version=opened["version"])
    stored = users.get_user(actor=admin, user_id=alice.user_id)
    assert stored["display_name"] == "Alice First"
    assert stored["active"] is True


# --- disabling and enabling -----------------------------------------------------


def test_disabling_a_user_ends_their_sessions(admin):
    alice = make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    disable(admin, alice.user_id)
    with pytest.raises(SessionEnded):
        resume(login.token)
    with pytest.raises(LoginRefused):
        log_in("alice", PASSWORD)


def test_enabling_a_user_lets_them_log_in_again(admin):
    alice = make_user("alice", "clerk")
    row = disable(admin, alice.user_id)
    enabled = users.enable_user(actor=admin, user_id=alice.user_id, expected_version=row["version"])
    assert enabled["active"] is True
    assert log_in("alice", PASSWORD).actor.user_id == alice.user_id
    assert [r.changes["active"] for r in audit_rows("update", alice.user_id)] == [[True, False], [False, True]]


# --- passwords and lockouts -----------------------------------------------------


def test_resetting_a_password_ends_every_session_and_only_the_new_password_works(admin):
    alice = make_user("alice", "clerk")
    sessions = [log_in("alice", PASSWORD) for _ in range(2)]
    users.reset_password(actor=admin, user_id=alice.user_id, new_password=NEW_PASSWORD)
    for login in sessions:
        with pytest.raises(SessionEnded):
            resume(login.token)
    with pytest.raises(LoginRefused):
        log_in("alice", PASSWORD)
    assert log_in("alice", NEW_PASSWORD).actor.user_id == alice.user_id


def test_a_reset_to_a_weak_password_is_refused_and_changes_nothing(admin):
    alice = make_user("alice", "clerk")
    login = log_in("alice", PASSWORD)
    with pytest.raises(ValidationFailed) as failed:
        users.reset_password(actor=admin, user_id=alice.user_id, new_password="short")
    assert set(failed.value.errors) == {"password"}
    assert resume(login.token).user_id == alice.user_id
    assert log_in("alice", PASSWORD).actor.user_id == alice.user_id


def test_unlocking_lifts_a_lockout_and_is_audited(admin):
    make_user("alice", "clerk")
    for _ in range(get_settings().lockout_attempts):
        with pytest.raises(LoginRefused):
            log_in("alice", "wrong-password-1")
    alice_id = users.search_users(actor=admin, query="alice").rows[0]["id"]
    assert users.get_user(actor=admin, user_id=alice_id)["locked_until"] is not None
    with pytest.raises(LoginRefused):
        log_in("alice", PASSWORD)
    users.unlock_user(actor=admin, username="Alice")
    assert users.get_user(actor=admin, user_id=alice_id)["locked_until"] is None
    assert log_in("alice", PASSWORD).actor.username == "alice"
    [unlock] = audit_rows("unlock", "alice")
    assert unlock.actor_name == "root"


def test_two_admins_disabling_each_other_at_once_leave_one_active_admin(store):
    first, second = make_user("admin.a", "admin"), make_user("admin.b", "admin")
    pairs = [(first, second), (second, first)]

    def disable_other(index: int) -> str:
        actor, other = pairs[index]
        try:
            disable(actor, other.user_id)
        except (OpsdeskError, SessionEnded):
            return "refused"
        return "done"

    outcomes = run_in_threads(disable_other, 2)
    assert sorted(outcomes) == ["done", "refused"]
    active = [row for row in users.search_users(actor=SYSTEM, query="admin.").rows if row["active"]]
    assert len(active) == 1
