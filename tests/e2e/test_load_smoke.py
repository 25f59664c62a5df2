"""`make loadtest` keeps working: a short run of benchmarks/loadtest.py (a few service-level users and
one real browser, on SQLite, against a server of its own) must pass every one of its checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ROOT

pytestmark = pytest.mark.e2e


def test_a_short_load_test_passes_its_checks(browser: object, tmp_path: Path) -> None:
    # `browser` only for its rule: skipped without chromium, a failure without it under CI=true.
    results = tmp_path / "results.json"
    command = [sys.executable, "benchmarks/loadtest.py", "--seconds", "4", "--users", "4", "--browsers", "1"]
    command += ["--database", "sqlite", "--orders", "2000", "--json", str(results)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-4000:]}"
    found = json.loads(results.read_text(encoding="utf-8"))["sqlite"]
    assert [c["check"] for c in found["checks"] if not c["passed"]] == []
    assert len(found["checks"]) == 6
    counted = {row["action"]: row["count"] for row in found["actions"]}
    # The clerk's browser starts with the New order form, so even a short run saves an order there.
    for action in ("create order", "issue stock", "read dashboard", "browser: open New order", "browser: save order"):
        assert counted.get(action, 0) > 0, (action, counted)
    assert all(row["errors"] == 0 for row in found["actions"])
