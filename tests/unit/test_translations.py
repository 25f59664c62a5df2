"""Every string a user reads has a Simplified Chinese translation with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from core.config import ROOT
from core.i18n import catalogue

TRANSLATED_CALLS = {"t", "md", "msg", "translate"}


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("core", "ui", "pages"):
        files.extend((ROOT / folder).rglob("*.py"))
    return files


def user_texts() -> dict[str, str]:
    """English message ids passed to t()/msg()/translate() and page titles, with where they are."""
    found: dict[str, str] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            candidates = []
            if name in TRANSLATED_CALLS and node.args:
                candidates.append(node.args[0])
            if name == "PageSpec":
                candidates.append(node.args[2])
                candidates.extend(k.value for k in node.keywords if k.arg == "section")
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    found.setdefault(candidate.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return {text: where for text, where in found.items() if re.search(r"[A-Za-z]", text)}


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_scan_finds_the_interface_strings():
    texts = user_texts()
    assert "Log in" in texts and "Customers" in texts and "This field is required." in texts


@pytest.mark.parametrize("text", sorted(user_texts()))
def test_every_interface_string_has_a_chinese_translation(text):
    chinese = catalogue("zh").get(text)
    assert chinese, f"missing Chinese for {text!r} (used at {user_texts()[text]})"
    assert _placeholders(chinese) == _placeholders(text)


def test_the_catalogue_holds_no_strings_the_code_no_longer_uses():
    unused = set(catalogue("zh")) - set(user_texts())
    assert not unused
