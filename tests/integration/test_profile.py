"""What every user may do to their own account: change their password and language (both databases)."""

from __future__ import annotations

import pytest

from core.auth import log_in, resume
from core.errors import LoginRefused, SessionEnded, ValidationFailed
from core.services import profile
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "battery-staple-42"


def refused(**call: object) -> dict[str, object]:
    with pytest.raises(ValidationFailed) as failed:
        profile.change_password(**call)
    return failed.value.errors


def still_old_password(username: str = "tech") -> None:
    assert log_in(username, PASSWORD).actor.username == username
    with pytest.raises(LoginRefused):
        log_in(username, NEW_PASSWORD)


# --- changing the password ------------------------------------------------------


def test_changing_the_password_needs_the_current_one(store):
    tech = make_user("tech", "technician")
    errors = refused(actor=tech, current_password="not-my-password", new_password=NEW_PASSWORD)
    assert set(errors) == {"current_password"}
    still_old_password()


@pytest.mark.parametrize("new_password", ["short1", "aaaaaaaaaaaa", "tech", "技" * 30])
def test_the_new_password_must_meet_the_policy(store, new_password):
    tech = make_user("tech", "technician")
    errors = refused(actor=tech, current_password=PASSWORD, new_password=new_password)
    assert set(errors) == {"new_password"}
    still_old_password()


def test_the_new_password_must_differ_from_the_current_one(store):
    tech = make_user("tech", "technician")
    errors = refused(actor=tech, current_password=PASSWORD, new_password=PASSWORD)
    assert set(errors) == {"new_password"}
    assert "different" in str(errors["new_password"])


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(store):
    make_user("tech", "technician")
    here, phone, laptop = (log_in("tech", PASSWORD) for _ in range(3))
    ended = profile.change_password(
        actor=here.actor, current_password=PASSWORD, new_password=NEW_PASSWORD, keep_token=here.token
    )
    assert ended == 2
    assert resume(here.token).username == "tech"
    for other in (phone, laptop):
        with pytest.raises(SessionEnded):
            resume(other.token)


def test_after_a_change_only_the_new_password_logs_in(store):
    tech = make_user("tech", "technician")
    profile.change_password(actor=tech, current_password=PASSWORD, new_password=NEW_PASSWORD)
    with pytest.raises(LoginRefused):
        log_in("tech", PASSWORD)
    assert log_in("tech", NEW_PASSWORD).actor.user_id == tech.user_id


def test_without_a_token_to_keep_every_session_ends(store):
    make_user("tech", "technician")
    login = log_in("tech", PASSWORD)
    assert profile.change_password(actor=login.actor, current_password=PASSWORD, new_password=NEW_PASSWORD) == 1
    with pytest.raises(SessionEnded):
        resume(login.token)


def test_changing_ones_password_leaves_other_users_sessions_alone(store):
    tech = make_user("tech", "technician")
    make_user("bob", "clerk")
    bob = log_in("bob", PASSWORD)
    profile.change_password(actor=tech, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert resume(bob.token).username == "bob"


@pytest.mark.parametrize("role", ["admin", "manager", "clerk", "analyst", "executive", "technician"])
def test_every_role_may_change_its_own_password(store, role):
    user = make_user("someone", role)
    profile.change_password(actor=user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert log_in("someone", NEW_PASSWORD).actor.user_id == user.user_id


# --- language -------------------------------------------------------------------


def test_the_chosen_language_is_kept_in_the_profile(store):
    make_user("tech", "technician", language="en")
    login = log_in("tech", PASSWORD)
    profile.set_language(actor=login.actor, language="zh")
    assert resume(login.token).language == "zh"
    assert log_in("tech", PASSWORD).actor.language == "zh"


def test_an_unknown_language_is_refused_and_nothing_changes(store):
    make_user("tech", "technician", language="en")
    login = log_in("tech", PASSWORD)
    with pytest.raises(ValidationFailed) as failed:
        profile.set_language(actor=login.actor, language="fr")
    assert set(failed.value.errors) == {"language"}
    assert resume(login.token).language == "en"


def test_guessing_the_current_password_locks_the_account_and_ends_its_sessions(store):
    make_user("tech", "technician")
    login = log_in("tech", PASSWORD)
    for _ in range(4):
        refused(actor=login.actor, current_password="guess-again-1", new_password=NEW_PASSWORD)
    with pytest.raises(SessionEnded):
        profile.change_password(actor=login.actor, current_password="guess-again-5", new_password=NEW_PASSWORD)
    with pytest.raises(SessionEnded):
        resume(login.token)
    with pytest.raises(LoginRefused, match="locked"):
        log_in("tech", PASSWORD)
