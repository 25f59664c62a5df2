"""Encryption at rest of customers' contacts: keys, the encrypted column type and the blind index.

Phones, emails and addresses are stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256 tag:
authenticated, so a changed byte is refused, never decrypted into something else). The keys are
never stored in the database nor in anything a backup copies: they come from the setting
OPSDESK_ENCRYPTION_KEYS (comma-separated, newest first) or else from a key file (OPSDESK_KEY_FILE,
default data_dir/encryption.keys) generated once with mode 0600. MultiFernet encrypts with the
newest key and decrypts with any, so keys rotate without downtime (core/crypto_store.py).

Exact search and the duplicate check by phone or email go through a blind index: a keyed hash
(HMAC-SHA256 with a key of its own) of the normalised value, stored beside the token.

Commands: `python -m core.crypto check | rotate | reencrypt` (see core/crypto_store.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import sys
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from core.config import Settings, get_settings

KEYS_SETTING = "OPSDESK_ENCRYPTION_KEYS"
BLIND_SETTING = "OPSDESK_BLIND_INDEX_KEY"
FILE_SETTING = "OPSDESK_KEY_FILE"
HEADER = (
    "# Opsdesk encryption keys (customers' phones, emails and addresses).\n"
    "# Keep a copy of this file apart from the database and its backups: without it the encrypted\n"
    "# contacts cannot be read. Fernet keys newest first; `python -m core.crypto rotate` adds and retires keys.\n"
)


class KeyProblem(RuntimeError):
    """The keys are missing, malformed or do not open this database's data; the text says what to do."""


@dataclass(frozen=True)
class Keys:
    fernet: tuple[bytes, ...]  # newest first
    blind: bytes
    source: str  # where they came from, for messages: the setting or the key file's path
    from_file: Path | None = None

    @cached_property
    def multi(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.fernet])

    @cached_property
    def newest(self) -> MultiFernet:
        return MultiFernet([Fernet(self.fernet[0])])


def key_file(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.key_file or settings.data_dir / "encryption.keys"


def new_fernet_key() -> bytes:
    return Fernet.generate_key()


def new_blind_key() -> bytes:
    return base64.urlsafe_b64encode(secrets.token_bytes(32))


def render_key_file(fernet: list[bytes] | tuple[bytes, ...], blind: bytes) -> str:
    lines = [f"fernet={key.decode()}" for key in fernet] + [f"blind_index={blind.decode()}"]
    return HEADER + "\n".join(lines) + "\n"


def read_key_file(path: Path) -> tuple[list[bytes], bytes | None]:
    fernet: list[bytes] = []
    blind: bytes | None = None
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if name.strip() == "fernet":
            fernet.append(value.strip().encode())
        elif name.strip() == "blind_index":
            blind = value.strip().encode()
        else:
            raise KeyProblem(
                f"The key file {path} has an unknown line {number}: expected fernet=... or blind_index=..."
            )
    return fernet, blind


def write_key_file(path: Path, text: str, *, exclusive: bool) -> bool:
    """Write the key file whole, mode 0600: `exclusive` only if none exists yet (False if another
    process made it first), else replacing it atomically. Readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if not exclusive:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # fails if the file exists: a race with another process is safe
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _checked(keys: list[bytes], where: str) -> tuple[bytes, ...]:
    if not keys:
        raise KeyProblem(f"{where} holds no Fernet key.")
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise KeyProblem(
                f"Key {number} of {where} is not a Fernet key (32 url-safe base64-encoded bytes, as "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` prints)."
            ) from None
    return tuple(keys)


_cache: dict[tuple[Any, ...], Keys] = {}
_cache_lock = threading.Lock()


def keys(settings: Settings | None = None, *, create: bool = True) -> Keys:
    """The keys in force; with `create`, a key file is generated when no key is configured at all.

    A key file is read again when it changes (a rotation run by another process)."""
    settings = settings or get_settings()
    path = key_file(settings)
    try:
        stat = path.stat()
        stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        stamp = None
    marker = (settings.encryption_keys, settings.blind_index_key, str(path), stamp)
    found = _cache.get(marker)
    if found is not None:
        return found
    with _cache_lock:
        found = _load(settings, path, stamp is not None, create)
        if stamp is None and found.from_file is not None:  # just generated: cache under its real stamp
            stat = path.stat()
            marker = (*marker[:3], (stat.st_mtime_ns, stat.st_size))
        _cache.clear()
        _cache[marker] = found
        return found


def _load(settings: Settings, path: Path, exists: bool, create: bool) -> Keys:
    if settings.encryption_keys.strip():
        fernet = _checked([k.strip().encode() for k in settings.encryption_keys.split(",") if k.strip()], KEYS_SETTING)
        if not settings.blind_index_key.strip():
            raise KeyProblem(f"{KEYS_SETTING} is set, so {BLIND_SETTING} must be set too (any secret of 32+ chars).")
        return Keys(fernet, settings.blind_index_key.strip().encode(), f"the setting {KEYS_SETTING}")
    if not exists:
        if not create:
            raise KeyProblem(
                f"No encryption key: {KEYS_SETTING} is not set and the key file {path} does not exist. "
                f"Restore the key file (or set {FILE_SETTING} to where it is)."
            )
        write_key_file(path, render_key_file([new_fernet_key()], new_blind_key()), exclusive=True)
    stored, blind = read_key_file(path)
    fernet = _checked(stored, f"the key file {path}")
    if settings.blind_index_key.strip():
        blind = settings.blind_index_key.strip().encode()
    if not blind:
        raise KeyProblem(f"The key file {path} has no blind_index= line and {BLIND_SETTING} is not set.")
    return Keys(fernet, blind, f"the key file {path}", from_file=path)


def reset() -> None:
    """Forget the keys read (tests, and after a rotation in this process)."""
    with _cache_lock:
        _cache.clear()


def encrypt(text: str) -> str:
    return keys().multi.encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    found = keys()
    try:
        return found.multi.decrypt(token.encode()).decode()
    except InvalidToken:
        raise KeyProblem(
            f"A stored value cannot be decrypted with the keys from {found.source}: "
            "the key is wrong, or the value was changed outside Opsdesk."
        ) from None


def decrypt_many(tokens: list[Any]) -> list[str | None]:
    """Many tokens at once (loading the analytics snapshot); None and "" stay as they are. A token
    repeated (bulk-written copies of one address) is decrypted once."""
    found = keys()
    opened: dict[str, str] = {}
    try:
        for token in tokens:
            if token and token not in opened:
                opened[token] = found.multi.decrypt(token.encode()).decode()
        return [opened[token] if token else token for token in tokens]
    except InvalidToken:
        raise KeyProblem(f"Stored customer data cannot be decrypted with the keys from {found.source}.") from None


def normalised(kind: str, value: str | None) -> str | None:
    """What the blind index hashes: a phone's digits (with a leading + for foreign numbers), as
    core.entities.validation.normalise_phone spells it; an email trimmed and lower-cased."""
    if value is None:
        return None
    text = str(value).strip()
    if kind == "email":
        return text.lower() or None
    from core.entities.validation import normalise_phone  # here: that module imports the models

    phone = normalise_phone(text) or text
    return re.sub(r"[^\d+]", "", phone) or None


def blind_index(kind: str, value: str | None) -> str | None:
    """The keyed hash (hex) of the normalised value, or None for an empty one."""
    plain = normalised(kind, value)
    if plain is None:
        return None
    message = f"{kind}:{plain}".encode()
    return hmac.new(keys().blind, message, hashlib.sha256).hexdigest()


def index_values(model: type, values: dict[str, Any]) -> dict[str, str | None]:
    """The blind-index columns of `model` (its `__blind_index__`) for the given plain values."""
    spec: dict[str, tuple[str, str]] = getattr(model, "__blind_index__", {})
    return {column: blind_index(kind, values.get(name)) for name, (column, kind) in spec.items() if name in values}


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token and handed back decrypted: ORM reads and writes stay plain.

    Never compare such a column with a value in SQL (each token differs): use its blind index."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


if __name__ == "__main__":
    from core.crypto_store import main

    sys.exit(main(sys.argv[1:]))
