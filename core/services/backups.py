"""Backups on the admin's page: the list with each one's verification, the newest failed attempt and
the 26-hour warning (view), and a backup taken now (create). Restoring is done at the command line
(`python -m core.backups restore NAME`, with the server stopped); see core/backups.py."""

from __future__ import annotations

from core import backups
from core.actor import Actor
from core.backups import BackupInfo, BackupStatus
from core.permissions import service


@service("backups", "view")
def backup_status(*, actor: Actor) -> BackupStatus:
    """The backups newest first, the newest verified one, the newest failed attempt if it came after
    it, and whether the newest verified backup is older than 26 hours."""
    return backups.status()


@service("backups", "create")
def back_up_now(*, actor: Actor) -> BackupInfo:
    """Take a full backup now and verify it (it can take a while on a large store); a failure is
    recorded and raised as an OpsdeskError saying what went wrong."""
    return backups.take_backup()
