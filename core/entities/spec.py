"""The vocabulary of an entity description: fields with types, labels in both languages,
validation rules, choices and where each field appears."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from core.i18n import Bilingual

Kind = Literal[
    "text", "longtext", "phone", "email", "choice", "multichoice", "ref", "multiref", "bool", "int", "decimal", "date"
]


@dataclass(frozen=True)
class Choice:
    value: str
    label: Bilingual


@dataclass(frozen=True)
class Field:
    name: str
    label: Bilingual
    kind: Kind = "text"
    required: bool = False
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    ref: str | None = None  # name of a reference list, e.g. "service_areas"
    default: object = None
    searchable: bool = False
    listed: bool = True  # shown as a column in tables
    editable: bool = True  # shown in create/edit forms
    past_only: bool = False  # for dates: today or earlier
    create_only: bool = False  # typed when the record is created; afterwards Opsdesk keeps it
    system: bool = False  # assigned by Opsdesk (codes), never typed
    help: Bilingual | None = None
    unique: bool = False  # no two records may share the value
    minimum: Decimal | None = None  # for numbers
    pattern: str | None = None  # a regular expression the whole text must match
    pattern_hint: Bilingual | None = None  # said when it does not

    def choice_label(self, value: object, language: str) -> str:
        if isinstance(value, list | tuple | set | frozenset):
            return ", ".join(self.choice_label(item, language) for item in sorted(value))
        for choice in self.choices:
            if choice.value == value:
                return choice.label.get(language)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Entity:
    name: str  # also the permission module
    label: Bilingual  # plural, for titles
    singular: Bilingual
    model: type
    fields: tuple[Field, ...]
    title_field: str = "name"
    code_field: str | None = None
    code_prefix: str | None = None  # numbers new records as PREFIX-000001
    duplicate_fields: tuple[str, ...] = ()  # a match on any of these flags a possible duplicate
    masked_fields: tuple[str, ...] = ()  # answered masked by every service (core.masking); see `contacts`
    archivable: bool = False
    default_sort: tuple[str, ...] = ("id",)
    permissions: str = ""  # the permission module, when it is not the entity's own name
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.permissions or self.name

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def form_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.editable and not f.system)

    @property
    def edit_fields(self) -> tuple[Field, ...]:
        """The fields a stored record's form changes (the create-only ones are kept by Opsdesk)."""
        return tuple(f for f in self.form_fields if not f.create_only)

    @property
    def list_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.listed)

    @property
    def search_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.searchable)

    @property
    def import_fields(self) -> tuple[Field, ...]:
        return self.form_fields

    @property
    def export_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.listed or f.editable)
