"""What every user may do to their own account: language and password."""

from __future__ import annotations

from core import db
from core.actor import Actor
from core.auth import confirm_password, revoke_sessions
from core.clock import utcnow
from core.errors import ValidationFailed
from core.i18n import LANGUAGES, msg
from core.models import User
from core.permissions import service
from core.security import hash_password, password_problem, verify_password


@service("profile", "edit")
def set_language(*, actor: Actor, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed({"language": msg("Choose one of: {options}.", options=", ".join(LANGUAGES))})
    with db.writing(actor) as session:
        user = session.get(User, actor.user_id)
        if user is not None:
            user.language = language
        session.commit()


@service("profile", "edit")
def change_password(*, actor: Actor, current_password: str, new_password: str, keep_token: str | None = None) -> int:
    """Change one's own password; every other session of the account ends. Returns how many."""
    confirm_password(actor, current_password)
    with db.writing(actor) as session:
        user = session.get(User, actor.user_id)
        assert user is not None  # confirm_password checked it
        problem = password_problem(new_password, user.username)
        if problem:
            raise ValidationFailed({"new_password": problem})
        if verify_password(new_password, user.password_hash):
            raise ValidationFailed({"new_password": msg("Choose a password different from the current one.")})
        user.password_hash = hash_password(new_password)
        user.password_changed_at = utcnow()
        ended = revoke_sessions(session, user.id, "password_changed", keep_token=keep_token)
        session.commit()
    return ended
