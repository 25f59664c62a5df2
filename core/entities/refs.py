"""Reference lists that fields point at (service areas now; teams, items and more later)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_, select
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


def options(session: Session, ref: str, also: Collection[int] = ()) -> list[RefOption]:
    """The active records of a reference list, and those in `also` even if inactive (what a stored
    record already points at: a disabled login stays the login of the person who left)."""
    source = REFS[ref]
    model = source.model
    shown = model.active.is_(True)  # type: ignore[attr-defined]
    if also:
        shown = or_(shown, model.id.in_(list(also)))  # type: ignore[attr-defined]
    rows = session.execute(select(model).where(shown).order_by(getattr(model, source.code))).scalars()
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
