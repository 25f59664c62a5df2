"""`make loadtest`: many people at once on a real Opsdesk server, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/loadtest.py                                  # 60 s, 20 users, 5 browsers, both
    .venv/bin/python benchmarks/loadtest.py --seconds 5 --users 4 --browsers 1 --database sqlite

For each database it seeds a fresh demo company (the default demo: 2,000 customers and 15,000 orders,
or --orders of them; PostgreSQL in a scratch database that is dropped afterwards), starts
`python -m ui.serve` on a free port with it, and for --seconds runs at once:
- --users service-level users (benchmarks/loadtest_users.py), each logged in with its own session,
  calling the core services the pages call with no think time: clerks take orders, issue stock to
  them, receive stock and search orders; managers, analysts and executives read the dashboard, the
  KPIs and the rows behind a bar. Every clerk issues and receives the SAME --items items.
- --browsers real chromium sessions (benchmarks/loadtest_browsers.py) opening their role's pages,
  clerks also saving orders through the New order form.
Then it checks, each printed PASS or FAIL (the exit status is 1 on any FAIL): no unexpected error
reached a user (a refusal with a clear message, "only N on hand", is counted apart); no browser page
showed an exception or error box or got stuck; no lost update (each contended item's balance is its
start minus the confirmed issues plus the confirmed receipts, equals the sum of its ledger, and it
has one movement per confirmed one); stock never went negative (sampled every 0.25 s and at the
end); every order a user was told was saved exists. It prints per action the count, throughput,
p50 and p95 (ms), refusals and errors, and writes them to --json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

import core.services  # noqa: E402,F401  (registers every service)
from benchmarks.loadtest_browsers import WARM_UP, BrowserSession  # noqa: E402
from benchmarks.loadtest_users import (  # noqa: E402
    Monitor,
    Recorder,
    User,
    World,
    balances,
    broken_chain,
    last_movement,
)
from core import config, db  # noqa: E402
from core.analytics import snapshot  # noqa: E402
from core.models import Order  # noqa: E402
from tests.e2e.conftest import running_server  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
READY_TIMEOUT = 300  # seconds for every browser to log in and open its pages once


@contextmanager
def database(kind: str, folder: Path, postgres: str) -> Iterator[str]:
    """The URL of a new, empty database: a file in `folder`, or a scratch PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'opsdesk.db'}"
        return
    server = create_engine(config.normalise_database_url(postgres), isolation_level="AUTOCOMMIT")
    name = f"opsdesk_load_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield config.normalise_database_url(postgres).rsplit("/", 1)[0] + f"/{name}"
    finally:
        db.use_engine(None)
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def configure(env: dict[str, str], url: str) -> None:
    """This process on the same store and settings as the server it loads."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("OPSDESK_", "DATABASE_URL"))})
    config.reset_settings()
    snapshot.close()
    db.use_engine(db.make_engine(url))


def run_load(kind: str, base: str, args: argparse.Namespace) -> dict[str, Any]:
    """Log everyone in, start them together, stop them after --seconds; returns what happened."""
    world = World.read(args.items)
    snapshot.current().refresh()  # the dashboard readers' first load of the snapshot is not measured
    recorder = Recorder()
    users = [User(i, world, recorder, args.seed) for i in range(args.users)]
    for user in users:
        user.log_in()
    shots = artifacts(args, kind)
    options = {"wait": int(args.page_wait * 1000), "shots": shots}
    sessions = [BrowserSession(i, base, world, recorder, args.seed, **options) for i in range(args.browsers)]
    go, stop = threading.Event(), threading.Event()
    threads = [threading.Thread(target=s.run, args=(go, stop), name=f"browser-{s.role}") for s in sessions]
    for thread in threads:
        thread.start()
    for session in sessions:
        if not session.ready.wait(READY_TIMEOUT):
            recorder.error(WARM_UP, f"not ready after {READY_TIMEOUT} s")
    print(f"  {len(users)} users logged in, {len(sessions)} browsers ready; running for {args.seconds} s")
    since = last_movement()
    monitor = Monitor(since)
    start = balances(world.items)
    workers = [threading.Thread(target=u.run, args=(go, stop), name=f"user-{u.role}") for u in users]
    workers.append(threading.Thread(target=monitor.run, args=(go, stop), name="monitor"))
    for thread in workers:
        thread.start()
    began = time.perf_counter()
    go.set()
    stop.wait(args.seconds)
    stop.set()
    window = time.perf_counter() - began  # throughput is over the run; actions under way then still count
    for thread in workers + threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - began
    stuck = [t.name for t in workers + threads if t.is_alive()]
    if stuck:
        recorder.error("load test user", f"still running 120 s after the end: {', '.join(stuck)}")
    end = balances(world.items)
    broken = broken_chain(world.items, since, {item: start[item][0] for item in world.items})
    return {
        "seconds": window,
        "finished_after": elapsed,
        "actions": recorder.table(window),
        "notes": recorder.notes,
        "checks": checks(recorder, monitor, world.items, (start, end, broken), args),
    }


def checks(
    recorder: Recorder,
    monitor: Monitor,
    items: list[int],
    ledger: tuple[dict, dict, list[str]],
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """`ledger`: the contended items' balances at the start and at the end, and the broken chain."""
    start, end, broken = ledger
    found: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        found.append({"check": name, "passed": ok, "detail": detail})

    service_errors = [f"{a}: {e}" for a, o in recorder.actions.items() if not a.startswith("browser") for e in o.errors]
    refused = sum(sum(o.refused.values()) for o in recorder.actions.values())
    check(
        "no unexpected error reached a service-level user",
        not service_errors,
        f"{len(service_errors)} errors; {refused} business refusals with a clear message"
        + "".join(f"\n      {e}" for e in service_errors[:5]),
    )
    browser_errors = [f"{a}: {e}" for a, o in recorder.actions.items() if a.startswith("browser") for e in o.errors]
    check(
        "no browser page showed an exception or error box or got stuck",
        not browser_errors,
        f"{len(browser_errors)} errors" + "".join(f"\n      {e}" for e in browser_errors[:5]),
    )
    lost = []
    for item in items:
        (begin, _ledger, moves), (on_hand, ledger, moves_after) = start[item], end[item]
        expected = begin - recorder.issued.get(item, 0) + recorder.received.get(item, 0)
        if not (on_hand == expected == ledger and moves_after - moves == recorder.moves.get(item, 0)):
            lost.append(
                f"item {item}: on hand {on_hand}, expected {expected}, ledger {ledger}, "
                f"{moves_after - moves} new movements for {recorder.moves.get(item, 0)} confirmed"
            )
    lost += broken[:5]
    check(
        "no lost update on the contended items",
        not lost,
        "; ".join(lost)
        or ", ".join(
            f"item {i}: {start[i][0]} - {recorder.issued.get(i, 0)} + {recorder.received.get(i, 0)} = {end[i][0]}"
            for i in items
        ),
    )
    check(
        "stock never negative",
        not monitor.negative and monitor.lowest is not None and monitor.lowest >= 0,
        f"{monitor.samples} samples, lowest balance {monitor.lowest}" + "".join(f"; {n}" for n in monitor.negative[:5]),
    )
    ids = list(recorder.orders)
    with db.reading() as session:
        stored = {}
        for at in range(0, len(ids), 1000):
            chunk = ids[at : at + 1000]
            stored.update(session.execute(select(Order.id, Order.number).where(Order.id.in_(chunk))).all())
        shown = set(
            session.execute(select(Order.number).where(Order.number.in_(recorder.browser_orders))).scalars().all()
        )
    missing = [n for i, n in recorder.orders.items() if stored.get(i) != n]
    missing += [n for n in recorder.browser_orders if n not in shown]
    check(
        "every order a user was told was saved exists",
        not missing,
        f"{len(ids)} from services, {len(recorder.browser_orders)} from browsers; missing: {missing[:5]}",
    )
    done = {a: len(o.seconds) for a, o in recorder.actions.items()}
    wanted = ["create order", "issue stock"] if args.users else []
    wanted += ["read dashboard"] if args.users > 1 else []
    idle = [a for a in wanted if not done.get(a)]
    if args.browsers and not any(done[a] for a in done if a.startswith("browser: open")):
        idle.append("browser: open any page")
    check("the work was done", not idle, f"nothing succeeded for: {idle}" if idle else "every kind of work ran")
    return found


def artifacts(args: argparse.Namespace, kind: str) -> Path:
    """Where a database's server log and the screenshots of failed browser steps are kept."""
    return args.json.parent / f"{args.json.stem}-{kind}"


def machine() -> dict[str, Any]:
    model = ""
    with Path("/proc/cpuinfo").open() as info:
        model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def report(kind: str, result: dict[str, Any], args: argparse.Namespace) -> None:
    title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    print(
        f"\n{title}: {args.users} users and {args.browsers} browsers for {result['seconds']:.1f} s "
        f"(the actions under way at the end finished {result['finished_after'] - result['seconds']:.1f} s later)"
    )
    print("| action | count | per s | p50 ms | p95 ms | refused | errors |\n|---|--:|--:|--:|--:|--:|--:|")
    for row in result["actions"]:
        p50, p95 = (f"{row[k]:.0f}" if row[k] is not None else "–" for k in ("p50_ms", "p95_ms"))
        print(
            f"| {row['action']} | {row['count']} | {row['per_second']:.1f} | {p50} | {p95} "
            f"| {row['refused']} | {row['errors']} |"
        )
    for note in result["notes"]:
        print(f"  NOTE  {note}")
    for found in result["checks"]:
        print(f"  {'PASS' if found['passed'] else 'FAIL'}  {found['check']}: {found['detail']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20, help="service-level users (threads)")
    parser.add_argument("--browsers", type=int, default=5, help="real chromium sessions")
    parser.add_argument("--database", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument(
        "--orders", type=int, help="seed a demo of this many orders (one customer per 7) instead of the default demo"
    )
    parser.add_argument(
        "--page-wait", type=float, default=60, help="seconds before a browser page counts as stuck (default 60)"
    )
    parser.add_argument("--items", type=int, default=3, help="how many stock items every clerk issues and receives")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL server's maintenance database")
    parser.add_argument("--json", type=Path, default=ROOT / "data" / "loadtest" / "results.json")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.database.split(",") if k.strip()]
    if not kinds or set(kinds) - {"sqlite", "postgresql"}:
        parser.error("--database takes sqlite, postgresql or both, separated by a comma")
    for kind in kinds:  # what the previous run left: its server logs and screenshots
        for old in [artifacts(args, kind) / "server.log", *artifacts(args, kind).glob("browser-*.png")]:
            old.unlink(missing_ok=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = machine()
    print(f"{meta['cpus']} CPUs ({meta['cpu']}), {meta['memory_gb']} GB, load average {meta['load_average_at_start']}")
    results: dict[str, Any] = {"machine": meta, "arguments": {k: str(v) for k, v in vars(args).items()}}
    for kind in kinds:
        print(f"{kind}:")
        folder = Path(tempfile.mkdtemp(prefix=f"opsdesk-load-{kind}-"))
        try:
            with database(kind, folder, args.postgres) as url:
                env = {
                    **os.environ,
                    "OPSDESK_DATA_DIR": str(folder),
                    "DATABASE_URL": url,
                    "OPSDESK_DEMO": "1",
                    "OPSDESK_BCRYPT_ROUNDS": "4",
                    "OPSDESK_LANGUAGE": "en",
                    "OPSDESK_SCHEDULER": "0",
                    # as deployed: no reloading of modules when a source file changes under the server
                    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
                }
                began = time.perf_counter()
                if args.orders is not None:  # a demo of another size; the server's start then only migrates
                    size = ["--orders", str(args.orders), "--customers", str(max(1, args.orders // 7))]
                    demo = [sys.executable, "-m", "core.demo", *size]
                    subprocess.run(demo, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
                with running_server(env, folder / "server.log") as base:
                    print(f"  demo company seeded and server started in {time.perf_counter() - began:.1f} s")
                    configure(env, url)
                    results[kind] = run_load(kind, base, args)
                snapshot.close()
                db.use_engine(None)
        finally:
            if (folder / "server.log").exists():
                artifacts(args, kind).mkdir(parents=True, exist_ok=True)
                shutil.copy(folder / "server.log", artifacts(args, kind) / "server.log")
            shutil.rmtree(folder, ignore_errors=True)
        report(kind, results[kind], args)
    meta["load_average_at_end"] = os.getloadavg()
    args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")
    failed = [c["check"] for kind in kinds for c in results[kind]["checks"] if not c["passed"]]
    print(f"\nLoad average at the end {meta['load_average_at_end']}; written {args.json}")
    print(f"The servers' logs, and screenshots of failed browser steps: {artifacts(args, '<database>')}/")
    print("FAILED: " + "; ".join(failed) if failed else "Every check passed.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
