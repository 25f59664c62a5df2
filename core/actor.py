"""Who is acting: every service call carries one, and the store stamps and audits with it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    language: str = "en"
    session: str | None = None  # the hash of the browser session acting, checked on every service call

    @property
    def is_system(self) -> bool:
        return "system" in self.roles


# Opsdesk itself, for set-up, demo data and command-line maintenance; never a login.
SYSTEM = Actor(user_id=None, username="system", display_name="System", roles=frozenset({"system"}))
