"""Daily jobs run at start, then once a day from their hour (company time), and one failing
job does not stop the others."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import core.scheduler as scheduler
from core.scheduler import Job, Scheduler


def at_shanghai(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def test_a_job_runs_at_start_then_once_a_day_from_its_hour(monkeypatch):
    runs = []
    job = Job("count", hour=2, run=lambda: runs.append(1))
    clock = iter([at_shanghai(24, 10), at_shanghai(24, 23), at_shanghai(25, 1), at_shanghai(25, 2), at_shanghai(25, 9)])
    monkeypatch.setattr(scheduler, "utcnow", lambda: next(clock))
    work = Scheduler([job])
    for _ in range(5):
        work.tick()
    assert len(runs) == 2  # at start on the 24th, then at 02:00 on the 25th


def test_a_failing_job_is_logged_and_the_others_still_run(monkeypatch, caplog):
    runs = []

    def broken() -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(scheduler, "utcnow", lambda: at_shanghai(24, 10))
    Scheduler([Job("broken", 2, broken), Job("fine", 2, lambda: runs.append(1))]).tick()
    assert runs == [1]
    assert "broken" in caplog.text
