"""Turning what a person typed (in a form or a CSV cell) into clean values, or saying why not.

Every message names the problem in words a clerk understands and is attached to
its field, so the page can show it right next to the input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.clock import today
from core.entities.spec import Entity, Field
from core.errors import ValidationFailed
from core.i18n import Message, msg

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
INTERNATIONAL = re.compile(r"^\+\d{7,15}$")
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
TRUE_WORDS = {"1", "true", "yes", "y", "是", "真"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "假"}


def normalise_phone(text: str) -> str | None:
    """A Chinese mobile as 11 digits, a landline as 021-61234567, others as +digits; None if not a phone."""
    compact = re.sub(r"[\s\-().]", "", text)
    if compact.startswith("0086"):
        compact = "+86" + compact[4:]
    if compact.startswith("+86"):
        compact = compact[3:]
        if not MOBILE.match(compact):
            compact = "0" + compact if not compact.startswith("0") else compact
    if MOBILE.match(compact):
        return compact
    if LANDLINE.match(compact):
        area = 3 if compact[:3] in {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"} else 4
        return f"{compact[:area]}-{compact[area:]}"
    if INTERNATIONAL.match(compact):
        return compact
    return None


def _has_control_characters(text: str, allow_newlines: bool) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else {"\t"}
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def clean_value(field: Field, raw: Any, refs: Mapping[str, Mapping[str, int]]) -> Any:
    """One field's clean value; raises ValueError carrying a Message when the input is wrong."""
    if isinstance(raw, str):
        raw = raw.strip()
    if field.kind in {"multichoice", "multiref"}:
        return _clean_many(field, raw, refs)
    if raw is None or raw == "":
        if field.required:
            raise FieldError(msg("This field is required."))
        return None
    kind = field.kind
    if kind in {"text", "longtext", "phone", "email"}:
        text = str(raw)
        if _has_control_characters(text, allow_newlines=kind == "longtext"):
            raise FieldError(msg("Remove the control characters (invisible characters) from this text."))
        if field.max_length is not None and len(text) > field.max_length:
            raise FieldError(
                msg("At most {limit} characters; this has {length}.", limit=field.max_length, length=len(text))
            )
        if kind == "phone":
            phone = normalise_phone(text)
            if phone is None:
                raise FieldError(
                    msg(
                        "Enter a mobile number (11 digits starting with 1) or a landline with its area code, "
                        "such as 021-61234567."
                    )
                )
            return phone
        if field.pattern and not re.fullmatch(field.pattern, text):
            raise FieldError(msg("{hint}", hint=field.pattern_hint or msg("This is not in the expected format.")))
        if kind == "email":
            if not EMAIL.match(text) or len(text) > 254:
                raise FieldError(msg("Enter an email address such as name@example.com."))
            return text.lower()
        return text
    if kind == "choice":
        return _choice(field, raw)
    if kind == "ref":
        return _ref(field, raw, refs)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        token = str(raw).strip().lower()
        if token in TRUE_WORDS:
            return True
        if token in FALSE_WORDS:
            return False
        raise FieldError(msg("Enter yes or no."))
    if kind == "int":
        try:
            return _at_least(field, int(str(raw).replace(",", "")))
        except ValueError:
            raise FieldError(msg("Enter a whole number.")) from None
    if kind == "decimal":
        try:
            number = Decimal(str(raw).replace(",", ""))
        except InvalidOperation:
            raise FieldError(msg("Enter a number.")) from None
        if not number.is_finite():  # Decimal reads "NaN" and "Infinity" too
            raise FieldError(msg("Enter a number."))
        return _at_least(field, number)
    if kind == "date":
        if isinstance(raw, date):
            day = raw
        else:
            try:
                day = date.fromisoformat(str(raw))
            except ValueError:
                raise FieldError(msg("Enter a date as YYYY-MM-DD.")) from None
        if field.past_only and day > today():
            raise FieldError(msg("This date cannot be in the future."))
        return day
    raise AssertionError(f"unknown field kind {kind}")


def _choice(field: Field, raw: Any) -> str:
    token = str(raw).strip().lower()
    for choice in field.choices:
        if token in {choice.value.lower(), choice.label.en.lower(), choice.label.zh.lower()}:
            return choice.value
    names = ", ".join(choice.label.en for choice in field.choices)
    raise FieldError(msg("Choose one of: {options}.", options=names))


def _ref(field: Field, raw: Any, refs: Mapping[str, Mapping[str, int]]) -> int:
    found = refs.get(field.ref or "", {}).get(str(raw).strip().lower())
    if found is None:
        raise FieldError(msg("“{value}” is not one of the choices.", value=str(raw)[:50]))
    return found


def _at_least(field: Field, number: Any) -> Any:
    if field.minimum is not None and number < field.minimum:
        raise FieldError(msg("Enter a number of at least {minimum}.", minimum=field.minimum))
    return number


def _clean_many(field: Field, raw: Any, refs: Mapping[str, Mapping[str, int]]) -> list[Any]:
    """Several choices or references, from a list (forms) or text separated by ; or , (CSV)."""
    if raw is None:
        items: list[Any] = []
    elif isinstance(raw, str):
        items = [part for part in re.split(r"[;,，；]", raw) if part.strip()]
    else:
        items = list(raw)
    if not items and field.required:
        raise FieldError(msg("Choose at least one."))
    one = (lambda item: _ref(field, item, refs)) if field.kind == "multiref" else (lambda item: _choice(field, item))
    return sorted({one(item) for item in items})


class FieldError(ValueError):
    """One field's input is wrong; `message` says why, in words for the person who typed it."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def clean(entity: Entity, raw: Mapping[str, Any], refs: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """All editable fields of `entity` cleaned at once; every bad field is reported, not just the first."""
    values: dict[str, Any] = {}
    errors: dict[str, Message] = {}
    for field in entity.form_fields:
        try:
            values[field.name] = clean_value(field, raw.get(field.name), refs)
        except FieldError as bad:
            errors[field.name] = bad.message
    if errors:
        raise ValidationFailed(errors)
    return values
