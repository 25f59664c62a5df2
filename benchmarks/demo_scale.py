"""How fast the demo generator fills a fresh SQLite database, at benchmark size.

    .venv/bin/python benchmarks/demo_scale.py                      # 1,000,000 orders, baseline 100,000
    .venv/bin/python benchmarks/demo_scale.py --orders 300000 --baseline-orders 30000

Each run seeds a new, migrated SQLite file in a temporary folder (deleted afterwards
unless --keep): first the baseline, then the full size, with customers in the same
proportion (one per ten orders). It prints rows per table (the stock tables too, with the
movements by kind and the purchase orders by status), seconds per phase, orders per
second, and the full run's time per order against the baseline's: near 1.0 means the
generator scales linearly. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from core import config, db, migrate  # noqa: E402
from core.demo.generate import seed  # noqa: E402
from core.models import (  # noqa: E402
    Contract,
    Counter,
    Customer,
    Item,
    Movement,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PurchaseOrder,
    PurchaseOrderLine,
    Service,
    ServiceMaterial,
    Shift,
    Staff,
    StockAdjustment,
    StockCount,
    StockCountLine,
    Supplier,
)

TABLES = (Customer, Service, Staff, Shift, Contract, Order, OrderLine, OrderEvent, Payment, Counter)
STOCK_TABLES = (
    Supplier,
    Item,
    ServiceMaterial,
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockCountLine,
    StockAdjustment,
    Movement,
)


def run(folder: Path, name: str, customers: int, orders: int, seed_value: int) -> dict[str, object]:
    path = folder / f"{name}.db"
    engine = db.make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    db.use_engine(engine)
    timings: dict[str, float] = {}
    began, cpu = time.perf_counter(), time.process_time()
    seed(customers=customers, orders=orders, seed_value=seed_value, timings=timings)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    with db.reading() as session:
        rows = {
            m.__tablename__: session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in TABLES + STOCK_TABLES
        }
        kinds = dict(session.execute(select(Movement.kind, func.count()).group_by(Movement.kind)).all())
        statuses = dict(
            session.execute(select(PurchaseOrder.status, func.count()).group_by(PurchaseOrder.status)).all()
        )
    db.use_engine(None)
    size = sum(p.stat().st_size for p in folder.glob(f"{name}.db*"))
    return {
        "orders": orders,
        "seconds": seconds,
        "cpu": cpu,
        "timings": timings,
        "rows": rows,
        "movements": kinds,
        "purchase_orders": statuses,
        "megabytes": size / 2**20,
    }


def report(label: str, result: dict[str, object]) -> None:
    seconds = result["seconds"]
    print(f"\n{label}: {result['orders']:,} orders in {seconds:.1f} s ({result['orders'] / seconds:,.0f} orders/s)")
    print(f"  this process's CPU time: {result['cpu']:.1f} s (less than the above when others share the machine)")
    print(f"  database file: {result['megabytes']:,.0f} MB")
    print("  rows per table:")
    for table, count in result["rows"].items():
        print(f"    {table:<20} {count:>12,}")
    print("  stock movements by kind: " + ", ".join(f"{k} {n:,}" for k, n in sorted(result["movements"].items())))
    print(
        "  purchase orders by status: " + ", ".join(f"{k} {n:,}" for k, n in sorted(result["purchase_orders"].items()))
    )
    print("  seconds per phase:")
    for phase, spent in result["timings"].items():
        print(f"    {phase:<36} {spent:>7.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--baseline-orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the databases (their folder is printed)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="opsdesk-bench-"))
    # Demo logins hash their passwords; cheap rounds keep that out of the figures.
    config.override_settings(data_dir=folder, database_url=f"sqlite:///{folder / 'unused.db'}", bcrypt_rounds=4)
    try:
        baseline = run(folder, "baseline", args.baseline_orders // 10, args.baseline_orders, args.seed)
        report("Baseline", baseline)
        full = run(folder, "full", args.orders // 10, args.orders, args.seed)
        report("Full size", full)
        per_order = (full["seconds"] / full["orders"]) / (baseline["seconds"] / baseline["orders"])
        print(
            f"\nFull size vs baseline: {full['orders'] / baseline['orders']:.0f}× the orders in "
            f"{full['seconds'] / baseline['seconds']:.1f}× the time; time per order ×{per_order:.2f} "
            "(1.00 = linear)."
        )
    finally:
        if args.keep:
            print(f"Databases kept in {folder}")
        else:
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
