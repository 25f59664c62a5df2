"""Rules about the code base itself, which a careless change could silently break."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.permissions import MATRIX
from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


CORE_FILES = sorted((ROOT / "core").rglob("*.py"))


def test_the_scan_finds_the_core_package():
    assert ROOT / "core" / "permissions.py" in CORE_FILES


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_streamlit(path):
    streamlit = {
        name for name in imported_modules(path) if name.split(".")[0] in {"streamlit", "streamlit_authenticator"}
    }
    assert not streamlit, f"{path.relative_to(ROOT)} imports {streamlit}"


def test_no_page_script_lies_directly_in_pages():
    # Streamlit runs top-level pages/*.py as old-style pages, possibly without app.py's login gate.
    assert sorted(p.name for p in (ROOT / "pages").glob("*.py")) == []


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.url)
def test_every_navigation_page_exists_and_its_permission_is_in_the_matrix(spec):
    assert (ROOT / spec.script).is_file()
    assert spec.script.startswith("pages/") and spec.script.count("/") == 2
    if spec.public:  # open without login: it must not be behind a module of the matrix
        assert spec.module not in MATRIX
        return
    assert spec.action in MATRIX.get(spec.module, {}), f"{spec.module}.{spec.action}"


def test_every_page_script_is_in_the_navigation():
    scripts = {str(p.relative_to(ROOT)) for p in (ROOT / "pages").rglob("*.py") if p.name != "__init__.py"}
    assert scripts == {spec.script for spec in PAGES}


def test_page_addresses_are_unique_and_there_is_one_default():
    assert len({spec.url for spec in PAGES}) == len(PAGES)
    assert sum(spec.default for spec in PAGES) == 1


REQUIREMENT_FILES = sorted(ROOT.glob("requirements*.txt"))


def test_both_requirement_files_are_there():
    assert {p.name for p in REQUIREMENT_FILES} >= {"requirements.txt", "requirements-dev.txt"}


@pytest.mark.parametrize("path", REQUIREMENT_FILES, ids=lambda p: p.name)
def test_every_requirement_is_pinned_exactly(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-r ", "-c ")):
            continue
        assert re.fullmatch(r"[A-Za-z0-9._-]+(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!-]+", line), f"{path.name}: {line}"
