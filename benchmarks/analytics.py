"""`make bench`: how fast Opsdesk's analytics answer at a million orders, against the usual ways.

    .venv/bin/python benchmarks/analytics.py                 # 1,000,000 orders (builds the database once)
    .venv/bin/python benchmarks/analytics.py --orders 2000   # a quick run on a small database

The benchmark database (`data/bench/opsdesk-1m.db`, SQLite) comes from the demo generator with
one customer per ten orders and its larger baskets (about three lines per order; the demo's own
average is 1.55); it is reused when it holds the size asked for. Each run inserts a few orders
into it (to measure the refresh after a new order).

For every aggregate of `benchmarks/analytics_queries.py` and every public figure of the dashboard
and KPI modules it measures, in one run: (a) Opsdesk's analytics layer, warm (`snapshot.reader()`,
which first checks the store for changes); (b) the same aggregate as SQL on the operational store;
(c) pandas `read_sql` of the rows then `groupby`, as a typical Streamlit page does; (d) the floor:
the same DuckDB SQL over Arrow tables already in memory. Then the snapshot's cold load, its refresh
with nothing new and after one new order, and each analytics page's AppTest rerun at that size.
It prints medians and ratios and writes `data/bench/results.json`. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.analytics_figures import floor_reader, make_floor, module_calls  # noqa: E402
from benchmarks.analytics_queries import QUERIES, Window, fingerprint  # noqa: E402
from core import config, db, migrate  # noqa: E402
from core.demo.catalogue import LARGE_BASKETS  # noqa: E402
from core.demo.generate import seed  # noqa: E402

BENCH_DIR = ROOT / "data" / "bench"
TARGETS = {"floor": 3.0, "store_sql": 30.0, "pandas": 100.0, "refresh_after_one_order": 0.050, "page": 0.500}
LINES_PER_ORDER = 2.8  # at least, for a benchmark database to be reused (LARGE_BASKETS give about 3)
PAGES = ("pages/analytics/dashboard.py", "pages/analytics/kpis.py")


def database_path(orders: int) -> Path:
    label = f"{orders // 1_000_000}m" if orders % 1_000_000 == 0 else f"{orders}"
    return BENCH_DIR / f"opsdesk-{label}.db"


def counts(path: Path) -> tuple[int, int, int] | None:
    """(orders, customers, order lines) in an existing benchmark database, None when it is not usable."""
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
            customers = con.execute("SELECT count(*) FROM customers").fetchone()[0]
            lines = con.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    except sqlite3.Error:
        return None
    return orders, customers, lines


def ensure_database(orders: int, seed_value: int) -> Path:
    """The benchmark database of this size: reused when it holds the right counts, else built."""
    path = database_path(orders)
    customers = orders // 10
    found = counts(path)
    if found is not None and found[0] >= orders and found[1] == customers and found[2] >= LINES_PER_ORDER * orders:
        print(f"Reusing {path.relative_to(ROOT)}: {found[0]:,} orders, {found[1]:,} customers, {found[2]:,} lines")
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for stale in BENCH_DIR.glob(building.name + "*"):
        stale.unlink()
    print(f"Building {path.relative_to(ROOT)}: {orders:,} orders, {customers:,} customers (takes a while)...")
    config.override_settings(data_dir=BENCH_DIR, database_url=f"sqlite:///{building}", bcrypt_rounds=4)
    engine = db.make_engine(f"sqlite:///{building}")
    migrate.upgrade(engine)
    db.use_engine(engine)
    began = time.perf_counter()
    seed(customers=customers, orders=orders, seed_value=seed_value, lines_per_order=LARGE_BASKETS)
    db.use_engine(None)
    con = sqlite3.connect(building)  # fold the write-ahead log in before the rename
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for stale in BENCH_DIR.glob(building.name + "-*"):
        stale.unlink()
    for old in BENCH_DIR.glob(path.name + "*"):
        old.unlink()
    building.rename(path)
    print(f"  built in {time.perf_counter() - began:.0f} s")
    return path


def timed(action: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        action()
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        spent.append(time.perf_counter() - began)
    return spent


class Bench:
    """The measured figures, printed and written as they come."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, name: str, method: str, seconds: list[float], **extra: Any) -> dict[str, Any]:
        entry = {"name": name, "method": method, "median_s": statistics.median(seconds), "runs": len(seconds)}
        entry.update(extra)
        self.entries.append(entry)
        print(f"  {name:<34} {method:<11} {entry['median_s'] * 1000:>10.1f} ms  (median of {len(seconds)})")
        return entry

    def ratios(self) -> None:
        """Each entry's median over each baseline's median for the same figure."""
        by_name: dict[str, dict[str, float]] = {}
        for entry in self.entries:
            by_name.setdefault(entry["name"], {})[entry["method"]] = entry["median_s"]
        for entry in self.entries:
            base = by_name[entry["name"]]
            entry["ratio_to"] = {
                label: entry["median_s"] / base[method]
                for label, method in (("floor", "d_floor"), ("store_sql", "b_store_sql"), ("pandas", "c_pandas"))
                if method in base and base[method] > 0
            }


# --- the pieces measured -------------------------------------------------------------------------


def cold_load(path: Path) -> None:
    """In a child process: time one first load of a new snapshot of `path`, print it as JSON."""
    from core.analytics import snapshot

    configure(path)
    began = time.perf_counter()
    rows = snapshot.Snapshot(db.get_engine()).refresh()
    print(json.dumps({"seconds": time.perf_counter() - began, "rows": rows}))


def measure_snapshot(bench: Bench, path: Path, runs: int, cold_runs: int) -> list[str]:
    """Cold load, refresh with nothing new, refresh after one new order; returns freshness misses.

    Each cold load runs in a process of its own, as a server's first view after a start does, and
    gives its memory back when it ends."""
    from core.analytics import snapshot

    print("Snapshot:")
    cold, loaded = [], {}
    for _ in range(cold_runs):
        child = [sys.executable, str(Path(__file__).resolve()), "--cold-load", str(path)]
        done = subprocess.run(child, capture_output=True, text=True, check=True)
        found = json.loads(done.stdout.strip().splitlines()[-1])
        cold.append(found["seconds"])
        loaded = found["rows"]
    bench.add("snapshot_cold_load", "a_opsdesk", cold, rows=loaded)
    current = snapshot.current()
    current.refresh()
    bench.add("snapshot_refresh_nothing_new", "a_opsdesk", timed(current.refresh, runs))
    new_order = one_new_order(db.get_engine())
    spent, missed = [], []
    for _ in range(runs):
        number = new_order()
        began = time.perf_counter()
        current.refresh()
        spent.append(time.perf_counter() - began)
        with current.reader() as con:
            if con.execute("SELECT count(*) FROM orders WHERE number = ?", [number]).fetchall()[0][0] != 1:
                missed.append(f"freshness: order {number} was not in the snapshot after its refresh")
    bench.add("snapshot_refresh_after_one_order", "a_opsdesk", spent, target_s=TARGETS["refresh_after_one_order"])
    return missed


def one_new_order(engine: Any) -> Callable[[], str]:
    """A function that saves one order through the order service, as a clerk's form does."""
    from core.actor import SYSTEM
    from core.clock import today
    from core.services.orders import create_order

    with engine.connect() as con:
        customer, area = con.execute(text("SELECT id, area_id FROM customers ORDER BY id LIMIT 1")).one()
        service = con.execute(text("SELECT id FROM services WHERE active ORDER BY id LIMIT 1")).scalar_one()

    def place() -> str:
        values = {
            "customer_id": customer,
            "channel": "phone",
            "address": "上海市徐汇区漕溪北路100号",
            "area_id": area,
            "requested_date": today() + timedelta(days=3),
            "window_start": datetime.strptime("09:00", "%H:%M").time(),
            "window_end": datetime.strptime("12:00", "%H:%M").time(),
            "discount_pct": Decimal(0),
            "notes": "benchmark",
        }
        lines = [{"service_id": service, "quantity": Decimal(10)}]
        order = create_order(actor=SYSTEM, values=values, lines=lines, idempotency_key=str(uuid.uuid4()))
        return order["number"]

    return place


def measure_queries(
    bench: Bench, floor: duckdb.DuckDBPyConnection, path: Path, window: Window, runs: int, slow_runs: int
) -> list[str]:
    """(a)–(d) for each aggregate; returns the disagreements found between the four."""
    from core.analytics import snapshot

    print("Aggregates:")
    plain = create_engine(f"sqlite:///{path}")  # a plain connection, as a typical app opens one
    problems = []
    with plain.connect() as store:
        for query in QUERIES:
            duck, sql = query.duck(window), query.store(window)

            def opsdesk(duck: str = duck) -> Any:
                with snapshot.reader() as con:
                    return con.sql(duck).to_arrow_table()

            answers = {
                "a_opsdesk": opsdesk().to_pandas(),
                "d_floor": floor.sql(duck).to_arrow_table().to_pandas(),
                "b_store_sql": pd.DataFrame(store.exec_driver_sql(sql).fetchall()),
            }
            bench.add(query.name, "a_opsdesk", timed(opsdesk, runs))
            bench.add(query.name, "d_floor", timed(lambda duck=duck: floor.sql(duck).to_arrow_table(), runs))
            bench.add(query.name, "b_store_sql", timed(lambda s=sql: store.exec_driver_sql(s).fetchall(), slow_runs))
            frames: list[pd.DataFrame] = []

            def frame(query: Any = query, frames: list[pd.DataFrame] = frames) -> None:
                frames.append(query.frame(store, window))

            bench.add(query.name, "c_pandas", timed(frame, slow_runs, 0))
            answers["c_pandas"] = frames[-1]
            prints = {method: fingerprint(frame) for method, frame in answers.items()}
            if len(set(prints.values())) != 1:
                problems.append(f"{query.name}: the four ways disagree (rows, sum of last column): {prints}")
    plain.dispose()
    return problems


def measure_modules(bench: Bench, floor: duckdb.DuckDBPyConnection, today: Any, runs: int) -> None:
    """The dashboard's and KPI page's own figures: (a) as Opsdesk runs them, (d) on the floor."""
    from core.analytics import snapshot

    print("Dashboard and KPI modules:")
    for name, call in module_calls(today):
        try:
            opsdesk = timed(call, runs)
            with mock.patch.object(snapshot, "reader", floor_reader(floor)):
                bottom = timed(call, runs)
        except Exception as failed:  # a module still being written must not stop the other figures
            print(f"  {name}: failed: {failed!r}"[:300])
            continue
        bench.add(name, "a_opsdesk", opsdesk)
        bench.add(name, "d_floor", bottom)


def measure_pages(bench: Bench, runs: int) -> None:
    """Each analytics page rerun through AppTest, logged in as the demo manager, warm."""
    from streamlit.testing.v1 import AppTest

    print("Pages (AppTest rerun of app.py with the page, warm):")
    for script in PAGES:
        if not (ROOT / script).exists():
            print(f"  {script}: not there yet, skipped")
            continue
        try:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
            by_label = {w.label: w for w in at.text_input}
            by_label["Username"].input("manager")
            by_label["Password"].input("manager-demo")
            next(b for b in at.button if b.label == "Log in").click()
            at.run()
            at.run()
            at.switch_page(script).run()
            seconds = timed(at.run, runs)
        except Exception as failed:  # a page still being written must not stop the other figures
            print(f"  {script}: could not run: {failed!r}"[:300])
            continue
        if at.exception:
            print(f"  {script}: the page failed: {at.exception}"[:300])
            continue
        bench.add(Path(script).stem + "_page", "a_opsdesk", seconds, target_s=TARGETS["page"])


# --- the run -------------------------------------------------------------------------------------


def report(bench: Bench, problems: list[str], meta: dict[str, Any]) -> None:
    bench.ratios()
    meta["load_average_at_end"] = os.getloadavg()
    print("\nMedians (ms) and ratios; a = Opsdesk warm, b = SQL on the store, c = pandas, d = floor")
    print(f"{'figure':<34} {'a':>9} {'b':>9} {'c':>9} {'d':>9} {'a/d':>6} {'b/a':>7} {'c/a':>7}")
    rows: dict[str, dict[str, float]] = {}
    for entry in bench.entries:
        rows.setdefault(entry["name"], {})[entry["method"]] = entry["median_s"] * 1000
    for name, figures in rows.items():
        a, b, c, d = (figures.get(m) for m in ("a_opsdesk", "b_store_sql", "c_pandas", "d_floor"))
        cells = [f"{v:>9.1f}" if v is not None else f"{'':>9}" for v in (a, b, c, d)]
        ratio = [f"{x / y:>{w}.1f}" if x and y else f"{'':>{w}}" for x, y, w in ((a, d, 6), (b, a, 7), (c, a, 7))]
        print(f"{name:<34} {' '.join(cells)} {' '.join(ratio)}")
    print(
        f"Targets: a/d <= {TARGETS['floor']:.0f}, b/a >= {TARGETS['store_sql']:.0f}, c/a >= {TARGETS['pandas']:.0f}, "
        f"refresh after one order < {TARGETS['refresh_after_one_order'] * 1000:.0f} ms, "
        f"page rerun < {TARGETS['page'] * 1000:.0f} ms"
    )
    print(f"Load average (1, 5, 15 min) at the start {meta['load_average_at_start']}, at the end {os.getloadavg()}")
    for problem in problems:
        print("WARNING:", problem)
    out = BENCH_DIR / "results.json"
    out.write_text(json.dumps({**meta, "problems": problems, "entries": bench.entries}, indent=1, default=str) + "\n")
    print(f"Written {out.relative_to(ROOT)}")


def configure(path: Path) -> config.Settings:
    """Point this process (settings, engine, and the app run by AppTest) at the benchmark database."""
    url = f"sqlite:///{path}"
    os.environ.update(DATABASE_URL=url, OPSDESK_DATA_DIR=str(BENCH_DIR))
    settings = config.override_settings(
        data_dir=BENCH_DIR, database_url=url, bcrypt_rounds=4, language="en", demo=False, scheduler=False
    )
    db.use_engine(db.make_engine(url))
    return settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=9, help="timed runs of the fast figures (a, d, refresh)")
    parser.add_argument("--slow-runs", type=int, default=3, help="timed runs of (b) and (c)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold loads of the snapshot")
    parser.add_argument("--page-runs", type=int, default=5, help="timed reruns of each page")
    parser.add_argument("--cold-load", metavar="DB", help=argparse.SUPPRESS)  # the child process of a cold load
    args = parser.parse_args(argv)
    if args.cold_load:
        cold_load(Path(args.cold_load))
        return
    path = ensure_database(args.orders, args.seed)
    settings = configure(path)
    migrate.upgrade(db.get_engine())
    found = counts(path)
    lines = found[2] if found else 0
    now = datetime.now(ZoneInfo(settings.timezone))
    offset = now.utcoffset() or timedelta(0)
    window = Window(today=now.date(), offset_hours=int(offset.total_seconds() // 3600))
    meta = {
        "database": str(path.relative_to(ROOT)),
        "orders": found[0] if found else None,
        "customers": found[1] if found else None,
        "order_lines": lines,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "started": now.isoformat(timespec="seconds"),
        "targets": TARGETS,
    }
    print(f"{meta['orders']:,} orders, {lines:,} order lines, {meta['customers']:,} customers; {os.cpu_count()} CPUs")
    bench = Bench()
    missed = measure_snapshot(bench, path, args.runs, args.cold_runs)
    from core.analytics import snapshot

    with snapshot.reader() as con:
        floor = make_floor(con, settings.timezone)
    problems = missed + measure_queries(bench, floor, path, window, args.runs, args.slow_runs)
    measure_modules(bench, floor, window.today, args.runs)
    floor.close()
    measure_pages(bench, args.page_runs)
    report(bench, problems, meta)
    db.use_engine(None)


if __name__ == "__main__":
    main()
