"""How fast customer segments (RFM) and churn risk answer on the benchmark database.

    .venv/bin/python benchmarks/segments.py            # data/bench/opsdesk-1m.db: 100,000 customers, 1M orders
    .venv/bin/python benchmarks/segments.py --runs 3

The database is built by `benchmarks/analytics.py` (run that first if it is missing); this script
only reads it. It loads the snapshot once (cold, timed), then times, warm, each of: the RFM
segmentation (`core.services.segments.overview`: scores, segments, summary, unscored and the
movement since 90 days before, i.e. every customer scored at two dates), the summary alone (one
scoring), a page of customers with churn risk and lifetime value, the churn list with its
backtest (AUC over every customer), and every id of one segment. It prints medians, the segment
sizes and the backtest, and writes `data/bench/segments.json`. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.analytics import BENCH_DIR, configure, counts, database_path, timed  # noqa: E402
from core.actor import SYSTEM  # noqa: E402
from core.analytics import segments as rules  # noqa: E402
from core.analytics import snapshot  # noqa: E402
from core.clock import today  # noqa: E402
from core.services import segments  # noqa: E402

TARGET_S = 2.0  # segmentation of 100,000 customers, warm


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed warm runs of each figure")
    args = parser.parse_args(argv)
    path = database_path(args.orders)
    found = counts(path)
    if found is None:
        sys.exit(f"{path} is missing: build it with `.venv/bin/python benchmarks/analytics.py` first.")
    configure(path)
    began = time.perf_counter()
    with snapshot.reader() as con:
        con.execute("SELECT count(*) FROM orders").fetchall()
    cold = time.perf_counter() - began
    print(f"{path.relative_to(ROOT)}: {found[0]:,} orders, {found[1]:,} customers; snapshot cold load {cold:.1f} s")

    def summary_only() -> Any:
        with snapshot.reader() as con:
            return rules.summary(con, today())

    figures = {
        "segmentation_overview": lambda: segments.overview(actor=SYSTEM),
        "segment_summary_only": summary_only,
        "customers_page_with_churn": lambda: segments.customers(actor=SYSTEM, sort="value"),
        "churn_list_with_backtest": lambda: segments.churn(actor=SYSTEM),
        "segment_customer_ids": lambda: segments.segment_customer_ids(actor=SYSTEM, segment="champions"),
    }
    entries = []
    for name, action in figures.items():
        spent = timed(action, args.runs)
        median = statistics.median(spent)
        entries.append({"name": name, "median_s": median, "runs_s": spent})
        print(f"  {name:<28} median {median * 1000:8.1f} ms  ({', '.join(f'{s * 1000:.0f}' for s in spent)})")
    board = segments.overview(actor=SYSTEM)
    sizes = {row["key"]: row["customers"] for row in board["segments"]}
    test = segments.churn(actor=SYSTEM)["backtest"] or {}
    print(f"  scored {board['customers']:,} customers, unscored {board['unscored']:,}: {sizes}")
    if test:
        print(
            f"  backtest as of {test['as_of']} over {test['horizon_days']} days: AUC {test['auc']:.3f}; "
            f"{test['churned']:,} churned / {test['returned']:,} returned; churned {test['churned_share']:.1%} "
            f"overall, {test['top_decile_churned_share']:.1%} in the top risk decile"
        )
    overview_s = entries[0]["median_s"]
    print(f"  segmentation target < {TARGET_S} s warm: {'met' if overview_s < TARGET_S else 'NOT met'}")
    result = {
        "database": str(path.relative_to(ROOT)),
        "orders": found[0],
        "customers": found[1],
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "snapshot_cold_load_s": cold,
        "target_segmentation_s": TARGET_S,
        "entries": entries,
        "scored_customers": board["customers"],
        "unscored_customers": board["unscored"],
        "segment_sizes": sizes,
        "backtest": {k: str(v) if k in ("as_of", "until", "problem") else v for k, v in test.items()},
    }
    (BENCH_DIR / "segments.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"Wrote {(BENCH_DIR / 'segments.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
