"""Reference lists that fields point at (service areas now; teams, items and more later)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import Bilingual
from core.models import ServiceArea, Supplier, User


@dataclass(frozen=True)
class RefSource:
    model: type
    code: str
    label_en: str
    label_zh: str


@dataclass(frozen=True)
class RefOption:
    id: int
    code: str
    label: Bilingual


REFS: dict[str, RefSource] = {
    "service_areas": RefSource(ServiceArea, "code", "name_en", "name_zh"),
    "users": RefSource(User, "username", "display_name", "display_name"),
    "suppliers": RefSource(Supplier, "code", "name", "name"),
}


def options(session: Session, ref: str) -> list[RefOption]:
    source = REFS[ref]
    model = source.model
    rows = session.execute(
        select(model).where(model.active.is_(True)).order_by(getattr(model, source.code))  # type: ignore[attr-defined]
    ).scalars()
    return [
        RefOption(
            row.id, getattr(row, source.code), Bilingual(getattr(row, source.label_en), getattr(row, source.label_zh))
        )
        for row in rows
    ]


def lookup_table(choices: list[RefOption]) -> dict[str, int]:
    """Every way a person may name an option (id, code, English or Chinese name) -> its id."""
    table: dict[str, int] = {}
    for option in choices:
        for token in (str(option.id), option.code, option.label.en, option.label.zh):
            table[token.strip().lower()] = option.id
    return table
