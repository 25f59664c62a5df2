"""A catalogue service, described once for the managers' forms, tables, import and export."""

from __future__ import annotations

from decimal import Decimal

from core.entities.spec import Choice, Entity, Field
from core.i18n import Bilingual as B
from core.models import Service
from core.skills import SKILLS

UNITS = (
    Choice("m2", B("m²", "平方米")),
    Choice("piece", B("piece", "件")),
    Choice("hour", B("hour", "小时")),
    Choice("visit", B("visit", "次")),
)


def unit_label(unit: str, language: str) -> str:
    return next((choice.label.get(language) for choice in UNITS if choice.value == unit), unit)


CATALOGUE = Entity(
    name="catalogue",
    label=B("Service catalogue", "服务目录"),
    singular=B("Service", "服务"),
    model=Service,
    title_field="name_en",
    default_sort=("code",),
    fields=(
        Field(
            "code",
            B("Code", "编号"),
            required=True,
            max_length=20,
            searchable=True,
            unique=True,
            pattern=r"[A-Z0-9][A-Z0-9-]{1,19}",
            pattern_hint=B(
                "2 to 20 capital letters, digits or dashes, e.g. CARPET-DEEP.",
                "2 到 20 位大写字母、数字或横线，例如 CARPET-DEEP。",
            ),
        ),
        Field("name_en", B("Name (English)", "名称（英文）"), required=True, max_length=100, searchable=True),
        Field("name_zh", B("Name (Chinese)", "名称（中文）"), required=True, max_length=100, searchable=True),
        Field("unit", B("Unit", "单位"), kind="choice", required=True, choices=UNITS, default="m2"),
        Field(
            "unit_price",
            B("Unit price (before tax)", "单价（不含税）"),
            kind="decimal",
            required=True,
            minimum=Decimal(0),
        ),
        Field(
            "minutes_per_unit",
            B("Minutes per unit", "每单位用时（分钟）"),
            kind="decimal",
            required=True,
            minimum=Decimal(0),
            help=B("Used to estimate how long a job takes.", "用于估算工时。"),
        ),
        Field(
            "skills",
            B("Skills required", "所需技能"),
            kind="multichoice",
            choices=tuple(Choice(code, label) for code, label in SKILLS.items()),
        ),
        Field("active", B("Offered", "在售"), kind="bool", default=True),
    ),
)
