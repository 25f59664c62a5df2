"""Bring a database to the newest schema: `python -m core.migrate`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from core import db
from core.config import ROOT


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade(engine: Engine | None = None) -> None:
    config = alembic_config()
    engine = engine or db.get_engine()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


if __name__ == "__main__":
    upgrade()
    print("Database is at the newest schema.")
