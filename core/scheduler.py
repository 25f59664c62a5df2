"""Daily work that must happen with nothing but `make run` running: a thread per server
process runs each job at start and then once a day at its hour (company time)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from core.clock import local, utcnow

log = logging.getLogger("opsdesk.scheduler")


@dataclass
class Job:
    name: str
    hour: int
    run: Callable[[], object]
    last_day: date | None = field(default=None)

    def due(self, now: datetime) -> bool:
        here = local(now)
        return self.last_day is None or (self.last_day < here.date() and here.hour >= self.hour)


class Scheduler:
    def __init__(self, jobs: list[Job], every_seconds: float = 60.0) -> None:
        self.jobs = jobs
        self.every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="opsdesk-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def tick(self) -> None:
        now = utcnow()
        for job in self.jobs:
            if job.due(now):
                try:
                    job.run()
                except Exception:  # a failed night must not stop the next ones; it is logged
                    log.exception("scheduled job %s failed", job.name)
                job.last_day = local(now).date()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.every)


def backup_job() -> Job:
    """The daily backup at OPSDESK_BACKUP_HOUR; at a server start only if no verified backup is
    younger than a day (its first run in a process is the one at start)."""
    from core import backups
    from core.config import get_settings

    job = Job("back up the database", hour=get_settings().backup_hour, run=lambda: None)
    job.run = lambda: backups.backup_if_due(at_start=job.last_day is None)
    return job


def standard_jobs() -> list[Job]:
    from core.actor import SYSTEM
    from core.forecasting import runs
    from core.services import contracts

    return [
        Job("generate contract orders", hour=2, run=lambda: contracts.generate_orders(actor=SYSTEM)),
        Job("forecast demand and consumption weekly", hour=3, run=lambda: runs.run_if_due(SYSTEM)),
        backup_job(),
    ]
