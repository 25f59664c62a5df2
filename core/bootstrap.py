"""Getting a database ready to serve: `python -m core.bootstrap` (run by `make run`).

Migrates to the newest schema, then on first start either seeds the demo company
(OPSDESK_DEMO=1, the default) or creates the company's first administrator from
OPSDESK_ADMIN_USERNAME / OPSDESK_ADMIN_PASSWORD, or by asking at the terminal.
"""

from __future__ import annotations

import getpass
import sys

from core import crypto_store, db, migrate
from core.actor import SYSTEM
from core.config import get_settings
from core.crypto import KeyProblem
from core.demo.__main__ import print_logins
from core.demo.generate import is_seeded, seed
from core.errors import ValidationFailed
from core.i18n import translate
from core.reviews import WeightsInvalid, parse_weights
from core.services import users


def create_first_admin(username: str, password: str, name: str) -> None:
    users.create_user(
        actor=SYSTEM,
        values={
            "username": username,
            "display_name": name or username,
            "language": get_settings().language,
            "roles": ["admin"],
        },
        password=password,
    )


def _ask_for_admin() -> None:
    print("No users yet. Create the first administrator (or set OPSDESK_DEMO=1 for the demo company).")
    while True:
        username = input("Username: ").strip().lower()
        name = input("Full name: ").strip()
        password = getpass.getpass("Password (at least 8 characters): ")
        try:
            create_first_admin(username, password, name)
            return
        except ValidationFailed as failed:
            for field, message in failed.errors.items():
                print(f"  {field}: {translate(message, 'en')}")


def main() -> int:
    settings = get_settings()
    try:  # a setting that would break a page later stops the start instead
        parse_weights(settings.review_weights)
    except WeightsInvalid as invalid:
        print(translate(invalid.message, "en"), file=sys.stderr)
        return 1
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:  # a wrong encryption key stops the start before anything is written
        crypto_store.check_key()
    except KeyProblem as problem:
        print(f"Encryption key problem: {problem}", file=sys.stderr)
        return 1
    migrate.upgrade()
    with db.reading() as session:
        seeded = is_seeded(session)
    if not seeded:
        if settings.demo:
            made = seed()
            print(f"Seeded the demo company: {made['customers']} customers.")
        elif settings.admin_username and settings.admin_password:
            try:
                create_first_admin(settings.admin_username, settings.admin_password, settings.admin_name)
            except ValidationFailed as failed:
                for field, message in failed.errors.items():
                    print(f"OPSDESK_ADMIN_{field.upper()}: {translate(message, 'en')}", file=sys.stderr)
                return 1
            print(f"Created the first administrator, {settings.admin_username}.")
        elif sys.stdin.isatty():
            _ask_for_admin()
        else:
            print(
                "No users yet: set OPSDESK_ADMIN_USERNAME and OPSDESK_ADMIN_PASSWORD, "
                "or OPSDESK_DEMO=1 for the demo company.",
                file=sys.stderr,
            )
            return 1
    if settings.demo:
        print_logins()
    return 0


if __name__ == "__main__":
    sys.exit(main())
