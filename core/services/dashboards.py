"""The managers' dashboard: its filter choices, its figures and the rows behind a bar, all read
from the columnar snapshot (see core.analytics.dashboard for what each figure means)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from core.actor import Actor
from core.analytics import dashboard, snapshot
from core.analytics.dashboard import LISTS, Drill, Filters
from core.clock import today
from core.entities.records import Page
from core.order_rules import CHANNELS
from core.permissions import service


@service("dashboards", "view")
def options(*, actor: Actor) -> dict[str, list[dict[str, Any]]]:
    """What each filter offers: areas, services, channels and technicians, by id."""
    with snapshot.reader() as con:
        areas = con.execute("SELECT id, name_en, name_zh FROM service_areas ORDER BY code").fetchall()
        services = con.execute("SELECT id, code, name_en, name_zh FROM services ORDER BY code").fetchall()
        technicians = con.execute(
            "SELECT id, name FROM staff WHERE position = 'technician' OR id IN"
            " (SELECT DISTINCT technician_id FROM orders WHERE technician_id IS NOT NULL) ORDER BY name, id"
        ).fetchall()
    return {
        "area": [{"id": i, "en": en, "zh": zh} for i, en, zh in areas],
        "service": [{"id": i, "en": f"{code} · {en}", "zh": f"{code} · {zh}"} for i, code, en, zh in services],
        "channel": [{"id": c} for c in CHANNELS],
        "tech": [{"id": i, "en": name, "zh": name} for i, name in technicians],
    }


@service("dashboards", "view")
def resolve(*, actor: Actor, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Read the filters of a link: unknown or malformed values are dropped and listed, dates that
    are missing or not dates fall back to the last 90 days. The dates are not checked against each
    other here (the page shows that problem under the date fields)."""
    choices = options(actor=actor)
    start, end = dashboard.default_period(today())
    dropped: dict[str, list[str]] = {}
    chosen: dict[str, tuple[Any, ...]] = {}
    for name, field in LISTS.items():
        known = {str(option["id"]): option["id"] for option in choices[name]}
        values = [str(v) for v in params.get(name, [])]
        chosen[field] = tuple(dict.fromkeys(known[v] for v in values if v in known))
        unknown = [v for v in values if v not in known]
        if unknown:
            dropped[name] = unknown
    grain = _first(params, "grain")
    drill_text = _first(params, "drill")
    drill = Drill.parse(drill_text)
    return {
        "filters": Filters(_date(params, "from") or start, _date(params, "to") or end, **chosen),
        "grain": grain if grain in dashboard.GRAINS else "week",
        "drill": drill,
        "bad_drill": drill_text if drill_text and drill is None else None,
        "dropped": dropped,
        "options": choices,
    }


def _first(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    return str(values[0]) if values else None


def _date(params: Mapping[str, Sequence[str]], name: str) -> date | None:
    text = _first(params, name) or ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@service("dashboards", "view")
def view(*, actor: Actor, filters: Filters, grain: str = "week") -> dict[str, Any]:
    """Every figure of the dashboard; a start after the end is refused on the field `dates`."""
    return dashboard.figures(filters, grain)


@service("dashboards", "view")
def drill_page(*, actor: Actor, filters: Filters, drill: Drill, page: int = 1, page_size: int = 25) -> Page:
    """One page of the rows behind a selected bar or point."""
    return dashboard.drill_page(filters, drill, page, page_size)


@service("dashboards", "view")
def drill_rows(*, actor: Actor, filters: Filters, drill: Drill) -> list[dict[str, Any]]:
    """Every row behind a selected bar, for a download (refused beyond the download limit)."""
    return dashboard.drill_all(filters, drill)
