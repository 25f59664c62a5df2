"""The problem-report part of the service permission examples: one valid call per service (a report
to read or close is made fresh for each call, with a small PNG screenshot)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.actor import SYSTEM
from core.services import problems

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # the signature is all the service checks


def _report(_c: Any) -> dict[str, Any]:
    return problems.report_problem(actor=SYSTEM, page="orders", description="The list does not load.", screenshot=PNG)


def _to_close(c: Any) -> dict[str, Any]:
    row = _report(c)
    return {"report_id": row["id"], "resolution": "Fixed the filter.", "expected_version": row["version"]}


PROBLEM_EXAMPLES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "core.services.problems.report_problem": lambda c: {
        "page": "customers",
        "description": "The search box ignores my typing.",
    },
    "core.services.problems.problems": lambda c: {"status": "all"},
    "core.services.problems.screenshot_of": lambda c: {"report_id": _report(c)["id"]},
    "core.services.problems.close_problem": _to_close,
}
