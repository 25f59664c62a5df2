"""The backup alarm admins see on the Backups and System health pages: the last attempt failed, or
no verified backup is younger than 26 hours."""

from __future__ import annotations

import streamlit as st

from core import backups, formatting
from core.backups import BackupStatus
from ui.context import md, t


def backup_alarm(status: BackupStatus) -> None:
    if status.failure is not None:
        st.error(
            md(
                "The last backup attempt failed at {when}: {message}",
                when=formatting.moment(status.failure.at),
                message=status.failure.message,
            ),
            icon=":material/error:",
        )
    if not status.overdue:
        return
    hours = int(backups.OVERDUE_AFTER.total_seconds() // 3600)
    newest = status.newest_verified
    st.warning(
        t("There is no verified backup from the last {hours} hours.", hours=hours)
        if newest is None
        else t(
            "The newest verified backup is from {when}, more than {hours} hours ago.",
            when=formatting.moment(newest.taken_at),
            hours=hours,
        ),
        icon=":material/warning:",
    )
