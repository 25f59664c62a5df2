"""Backups, for admins: every backup with its time, size and verification, an alarm when the last
attempt failed, a warning when no verified backup is younger than 26 hours, a "Back up now" button,
where the backups go and how long they are kept, and how to restore one (at the command line)."""

import pandas as pd
import streamlit as st

from core import formatting
from core.backup_files import directory
from core.backups import BackupInfo
from core.config import get_settings
from core.services import backups
from ui.backup_alarm import backup_alarm
from ui.context import current_actor, md, t
from ui.feedback import attempt, flash, show_flash

KEY = "backups"
actor = current_actor()
settings = get_settings()


def frame(rows: list[BackupInfo]) -> pd.DataFrame:
    marks = {True: "✓", False: "✗", None: "–"}
    lines = [
        {
            t("Taken"): formatting.moment(info.taken_at),
            t("Backup"): info.name,
            t("Size"): formatting.file_size(info.size_bytes),
            t("Verified"): marks[info.verified],
            t("Detail"): info.detail,
        }
        for info in rows
    ]
    return pd.DataFrame(lines, dtype=object)


st.title(t("Backups"))
show_flash(KEY)
if st.button(t("Back up now"), type="primary", key=f"{KEY}.now"):
    with st.spinner(t("Taking and verifying a backup…")):
        taken = attempt(lambda: backups.back_up_now(actor=actor))
    if taken is not None:
        flash(KEY, md("Backup {name} was taken and verified.", name=taken.name))
        st.rerun()

status = backups.backup_status(actor=actor)
backup_alarm(status)
daily, weekly, monthly = [*settings.backup_keep.split(","), "", "", ""][:3]
st.caption(
    t(
        "Backups go to {path} (OPSDESK_BACKUP_DIR; best a mount off this machine), every day at {hour}:00. "
        "Kept: the newest of the last {daily} days, {weekly} weeks and {monthly} months (OPSDESK_BACKUP_KEEP).",
        path=str(directory(settings)),
        hour=f"{settings.backup_hour:02d}",
        daily=daily.strip(),
        weekly=weekly.strip(),
        monthly=monthly.strip(),
    )
)
if status.backups:
    st.dataframe(frame(status.backups), hide_index=True, width="stretch")
else:
    st.info(t("No backups yet."))

st.subheader(t("Restoring a backup"))
st.markdown(
    t(
        "A restore replaces the whole database, so it is done at the server's command line: stop Opsdesk, "
        "then run the command below with the backup's name. It verifies the backup first (a damaged one "
        "is refused and nothing changes) and backs the current database up before replacing it."
    )
)
st.code(".venv/bin/python -m core.backups restore NAME\n# or: make restore BACKUP=NAME", language="bash")
