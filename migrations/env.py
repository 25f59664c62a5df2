"""Alembic environment: migrates the database Opsdesk is configured for, or a given connection."""

from __future__ import annotations

from alembic import context

from core import db
from core.models import Base

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with db.get_engine().connect() as own:
        _run(own)
        own.commit()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Opsdesk migrates online only: run `python -m core.migrate`.")
run_migrations()
