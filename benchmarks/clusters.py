"""How long the customer clusters take at 100,000 customers (1,000,000 orders), and what they find.

    .venv/bin/python benchmarks/clusters.py            # data/bench/opsdesk-1m.db (make bench builds it)
    .venv/bin/python benchmarks/clusters.py --runs 1

Loads the snapshot of the benchmark database once (timed, not part of the clusters' figure), then
times `core.analytics.clusters.clustering()` with an empty cache (reading the features, fitting
KMeans for k = 2..8 with the silhouette of each, describing), checks that every run gives the same
labels, and times a cached rerun (what a page rerun costs). Prints the figures and the clusters'
descriptions in both languages and writes data/bench/clusters.json. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.analytics import BENCH_DIR, configure, counts, database_path  # noqa: E402
from core.analytics import clusters, snapshot  # noqa: E402
from core.i18n import translate  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000, help="which benchmark database (make bench builds it)")
    parser.add_argument("--runs", type=int, default=3, help="timed fits with an empty cache")
    args = parser.parse_args(argv)
    path = database_path(args.orders)
    found = counts(path)
    if found is None:
        sys.exit(f"{path} is missing: build it with `make bench` (benchmarks/analytics.py) first.")
    configure(path)
    began = time.perf_counter()
    with snapshot.reader() as con:
        con.sql("SELECT count(*) FROM orders").fetchall()
    load = time.perf_counter() - began
    print(
        f"Database {path.name}: {found[0]:,} orders, {found[1]:,} customers, {found[2]:,} lines; cpus {os.cpu_count()}"
    )
    print(f"Snapshot first load: {load:.1f} s (not part of the figures below)")

    totals, parts, labels, same_every_run = [], [], None, True
    result = None
    for run in range(args.runs):
        clusters.forget()
        began = time.perf_counter()
        result = clusters.clustering()
        totals.append(time.perf_counter() - began)
        parts.append(dict(result.seconds))
        labels = result.labels if labels is None else labels
        same = bool(np.array_equal(labels, result.labels))
        same_every_run = same and (run == 0 or same_every_run)
        print(
            f"run {run + 1}: {totals[-1]:.2f} s (read {result.seconds['read']:.2f}, choose k and fit "
            f"{result.seconds['choose']:.2f}, describe {result.seconds['describe']:.3f}); same labels: {same}"
        )
    assert result is not None
    began = time.perf_counter()
    clusters.clustering()
    cached = time.perf_counter() - began
    print(f"cached rerun: {cached * 1000:.1f} ms")
    print(
        f"{result.customers:,} customers as of {result.as_of}; k = {result.k} (silhouette {result.silhouette}); "
        f"screened {result.silhouettes}"
    )
    described = []
    for cluster in result.clusters:
        en, zh = translate(cluster.description, "en"), translate(cluster.description, "zh")
        print(f"  {cluster.number}. {en}\n     {zh}")
        described.append(
            {"number": cluster.number, "size": cluster.size, "centroid": cluster.centroid, "en": en, "zh": zh}
        )
    load_average = os.getloadavg()
    out = BENCH_DIR / "clusters.json"
    report = {
        "database": path.name,
        "orders": found[0],
        "customers_in_database": found[1],
        "customers_clustered": result.customers,
        "as_of": str(result.as_of),
        "cpus": os.cpu_count(),
        "load_average_at_end": load_average,
        "snapshot_first_load_seconds": load,
        "fit_seconds": totals,
        "fit_seconds_median": statistics.median(totals),
        "parts": parts,
        "cached_rerun_seconds": cached,
        "same_labels_every_run": same_every_run,
        "k": result.k,
        "silhouette": result.silhouette,
        "silhouettes_screened": result.silhouettes,
        "clusters": described,
    }
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n")
    print(f"Written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
