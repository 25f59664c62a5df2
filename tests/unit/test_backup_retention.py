"""The retention policy (OPSDESK_BACKUP_KEEP = daily,weekly,monthly): the newest backup of each of the
newest days, ISO weeks and months that have one; the newest verified backup always; failed ones go
once a newer verified one exists; files without a manifest stay. And its setting, when mistyped."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from core import backup_files, backups, config
from core.errors import OpsdeskError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def backup(day: datetime, verified: bool | None = True) -> SimpleNamespace:
    return SimpleNamespace(name=f"opsdesk-{day:%Y%m%d}", taken_at=day.astimezone(UTC), verified=verified)


def daily(first: datetime, count: int) -> list[SimpleNamespace]:
    return [backup(first - timedelta(days=n)) for n in range(count)]


def names(found: list[SimpleNamespace]) -> set[str]:
    return {info.name for info in found}


def test_the_newest_of_each_newest_day_week_and_month_is_kept():
    everything = daily(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), 31)  # 1 December back to 1 November
    doomed = backup_files.to_delete(everything, (2, 2, 2))
    kept = names(everything) - names(doomed)
    # days: 1 Dec, 30 Nov; weeks: 1 Dec (week of 30 Nov), 29 Nov (the week before); months: 1 Dec, 30 Nov
    assert kept == {"opsdesk-20261201", "opsdesk-20261130", "opsdesk-20261129"}


def test_the_default_policy_over_a_year_of_daily_backups():
    everything = daily(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), 400)
    kept = names(everything) - names(backup_files.to_delete(everything, backup_files.parse_keep("7,4,12")))
    assert {f"opsdesk-202611{day:02d}" for day in range(25, 31)} < kept  # the 7 newest days
    assert "opsdesk-20261122" in kept and "opsdesk-20261115" in kept  # Sundays of the weeks before
    assert "opsdesk-20260131" in kept and "opsdesk-20251231" not in kept  # 12 months: December back to January
    assert len(kept) == 7 + 2 + 10  # the newest weeks and months start with days already kept


def test_the_newest_verified_backup_is_never_deleted_and_failed_or_unknown_ones_are_judged_apart():
    now = datetime(2026, 12, 1, 1, tzinfo=SHANGHAI)
    good, older = backup(now - timedelta(days=1)), backup(now - timedelta(days=2))
    failed_before, failed_after = backup(now - timedelta(days=3), False), backup(now, False)
    unknown = backup(now - timedelta(days=30), None)
    doomed = backup_files.to_delete([failed_after, good, older, failed_before, unknown], (0, 0, 0))
    assert names(doomed) == {older.name, failed_before.name}


@pytest.mark.parametrize("value", ["7,4", "7,4,x", "7,-1,12", ""])
def test_a_mistyped_policy_is_refused_with_what_it_should_look_like(value):
    with pytest.raises(OpsdeskError) as refused:
        backup_files.parse_keep(value)
    assert 'like "7,4,12"' in str(refused.value.message) and f'it is "{value}"' in str(refused.value.message)


def test_pruning_deletes_the_files_of_what_is_not_kept(tmp_path):
    settings = replace(config.get_settings(), data_dir=tmp_path, backup_keep="1,0,0")
    where = tmp_path / "backups"
    where.mkdir()
    for day, verified in ((3, True), (2, True), (1, False)):
        name = f"opsdesk-202611{day:02d}T000000Z"
        (where / f"{name}.sqlite3").write_bytes(b"data")
        taken = datetime(2026, 11, day, tzinfo=UTC).isoformat()
        (where / f"{name}.json").write_text(json.dumps({"taken_at": taken, "verified": verified}))
    (where / "opsdesk-20261031T000000Z.sqlite3").write_bytes(b"no manifest")
    assert backups._prune(settings) == ["opsdesk-20261102T000000Z", "opsdesk-20261101T000000Z"]
    left = sorted(path.name for path in where.iterdir())
    assert left == [
        "opsdesk-20261031T000000Z.sqlite3",
        "opsdesk-20261103T000000Z.json",
        "opsdesk-20261103T000000Z.sqlite3",
    ]
