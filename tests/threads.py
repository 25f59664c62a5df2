"""Running work in several threads at once, released together, for the concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_in_threads(work: Callable[[int], Any], count: int) -> list[Any]:
    """Run `work(index)` in `count` threads started at the same moment; re-raise any failure."""
    start = threading.Barrier(count)

    def task(index: int) -> Any:
        start.wait()
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(task, i) for i in range(count)]
        return [future.result() for future in futures]
