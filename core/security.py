"""Password hashing (bcrypt), the password policy and session tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

import bcrypt

from core.config import get_settings
from core.i18n import Message, msg

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt looks at no more than this


def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(password.encode()[:MAX_BYTES], bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode()[:MAX_BYTES], hashed.encode())
    except ValueError:  # not a bcrypt hash
        return False


@cache
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds)).decode()


def dummy_hash() -> str:
    """A hash no password matches: checking an unknown username costs as much as a known one."""
    return _dummy_hash(get_settings().bcrypt_rounds)


def password_problem(password: str, username: str = "") -> Message | None:
    if password != password.strip():
        # The login form trims what is typed; a password kept with its spaces could never log in.
        return msg("Do not begin or end the password with a space.")
    if len(password) < MIN_LENGTH:
        return msg("Use at least {count} characters.", count=MIN_LENGTH)
    if len(password.encode()) > MAX_BYTES:
        return msg("Use at most {count} bytes (about 24 Chinese characters).", count=MAX_BYTES)
    if username and password.strip().lower() == username.strip().lower():
        return msg("The password must not be the username.")
    if len(set(password)) < 4:
        return msg("Use a less repetitive password.")
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Sessions are stored by hash, so a copy of the database holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
