"""The one translation function, with English and Simplified Chinese catalogues.

English text is the message id; `locales/zh.json` maps it to Chinese. Core code
marks user-facing text with `msg()` so that the page, which knows the reader's
language, translates it; pages call `translate()` through `ui.context.t`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
LOCALES_DIR = Path(__file__).parent / "locales"


@dataclass(frozen=True)
class Message:
    """Text to show a user, translated later in the reader's language."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return translate(self, "en")


@dataclass(frozen=True)
class Bilingual:
    """Text defined in both languages at once (entity labels, choices, demo data)."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def msg(text: str, **params: Any) -> Message:
    return Message(text, params)


@cache
def catalogue(language: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{language}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def translate(text: str | Message | Bilingual, language: str, /, **params: Any) -> str:
    if isinstance(text, Bilingual):
        return text.get(language)
    if isinstance(text, Message):
        params = {**text.params, **params}
        text = text.text
    template = catalogue(language).get(text, text) if language != "en" else text
    translated = {key: _param(value, language) for key, value in params.items()}
    return template.format(**translated) if translated else template


def _param(value: Any, language: str) -> Any:
    if isinstance(value, Message | Bilingual):
        return translate(value, language)
    return value
