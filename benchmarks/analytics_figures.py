"""The dashboard's and the KPI page's own figures, as `benchmarks/analytics.py` calls them.

Each call is measured twice: as Opsdesk runs it (a), and with `snapshot.reader()` swapped for
the floor (d) — a bare DuckDB connection over Arrow copies of the snapshot's tables — so the very
same code and SQL run without the snapshot's freshness check and over Arrow instead of DuckDB's
own storage. A module or function that is not there (yet) is skipped with a note.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import duckdb

DASHBOARD_FIGURES = (
    "over_time",
    "by_area",
    "by_service",
    "by_channel",
    "funnel",
    "on_time",
    "ratings",
    "utilisation",
    "stock_consumption",
)


def make_floor(con: duckdb.DuckDBPyConnection, timezone: str) -> duckdb.DuckDBPyConnection:
    """A bare DuckDB connection with every snapshot table registered as an in-memory Arrow table."""
    floor = duckdb.connect(":memory:")
    floor.execute(f"SET GLOBAL TimeZone = '{timezone}'").fetchall()
    tables = [row[0] for row in con.sql("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    for table in tables:
        floor.register(table, con.sql(f"SELECT * FROM {table}").to_arrow_table())
    return floor


def floor_reader(floor: duckdb.DuckDBPyConnection) -> Callable[[], Any]:
    @contextmanager
    def reader() -> Iterator[duckdb.DuckDBPyConnection]:
        yield floor

    return reader


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception as failed:  # being written by someone else: measured when it imports
        print(f"  {name}: not measured ({failed!r})"[:200])
        return None


def module_calls(today: date) -> list[tuple[str, Callable[[], object]]]:
    """(figure name, a call that computes it through the module's public functions)."""
    from core.analytics import snapshot

    calls: list[tuple[str, Callable[[], object]]] = []
    dashboard = _module("core.analytics.dashboard")
    if dashboard is not None:
        for days in (90, 365):
            filters = dashboard.Filters(date_from=today - timedelta(days=days - 1), date_to=today)
            for name in DASHBOARD_FIGURES:
                function = getattr(dashboard, name, None)
                if function is None:
                    print(f"  dashboard.{name}: not there, skipped")
                    continue

                def one(function: Any = function, filters: Any = filters) -> object:
                    with snapshot.reader() as con:
                        return function(con, filters)

                calls.append((f"dashboard.{name} {days}d", one))
            calls.append((f"dashboard.figures {days}d (all)", lambda f=filters: dashboard.figures(f)))
        drill = dashboard.Drill("channel", "phone")
        filters = dashboard.Filters(date_from=today - timedelta(days=364), date_to=today)
        calls.append(("dashboard.drill_page 365d", lambda: dashboard.drill_page(filters, drill, 2)))
    kpis = _module("core.analytics.kpis")
    if kpis is not None:
        for kind in ("month", "quarter", "year"):  # the period, the previous one and the sparkline's points
            chosen = kpis.period(kind, anchor=today)
            spans = [(chosen.start, chosen.end), (chosen.previous_start, chosen.previous_end), *chosen.points]
            calls.append((f"kpis.figures {kind}", lambda s=spans: kpis.figures(s, today=today)))
    return calls
