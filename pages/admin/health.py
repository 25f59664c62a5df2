"""System health, for admins: the database, the backups, the last errors, who is signed in and how fresh
the analytics snapshot is. Read when the page opens (or on Refresh); nothing here changes anything."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.backups import BackupStatus
from core.health import DatabaseFigures, SessionFigures, SnapshotFigures
from core.permissions import ROLES
from core.services.health import system_health
from ui.backup_alarm import backup_alarm
from ui.context import current_actor, md, t
from ui.navigation import link
from ui.text import escape_markdown

actor = current_actor()


def age(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 120:
        return t("{count} s", count=seconds)
    if seconds < 2 * 3600:
        return t("{count} min", count=seconds // 60)
    if seconds < 2 * 86400:
        return t("{count} h", count=seconds // 3600)
    return t("{count} days", count=seconds // 86400)


def when(moment: datetime | None, now: datetime) -> str:
    """The company's time of `moment` and how long ago it was."""
    if moment is None:
        return ""
    return t("{time} ({age} ago)", time=formatting.moment(moment), age=age(now - moment))


def table(rows: list[dict[str, Any]]) -> None:
    st.dataframe(pd.DataFrame(rows, dtype=object), hide_index=True, width="stretch", height="content")


def database(figures: DatabaseFigures, _now: datetime) -> None:
    left, right = st.columns(2)
    left.metric(t("Engine"), f"{figures.engine} {figures.version}")
    right.metric(t("Size"), formatting.file_size(figures.size_bytes))
    parts = " · ".join(
        f"{escape_markdown(Path(path).name)}: {formatting.file_size(bytes_)}" for path, bytes_ in figures.files.items()
    )
    st.caption(escape_markdown(figures.name) + (f" — {parts}" if parts else ""))
    rows_label = t("Rows") if figures.exact_rows else t("Rows (estimate)")
    lines = []
    for found in figures.tables:
        line = {t("Table"): found.name, rows_label: "" if found.rows is None else formatting.number(found.rows)}
        if not figures.exact_rows:
            line[t("Size")] = formatting.file_size(found.size_bytes)
        lines.append(line)
    st.markdown(t("**Largest tables**"))
    table(lines)
    if not figures.exact_rows:
        st.caption(t("Rows are PostgreSQL's estimate, kept up to date by ANALYZE and autovacuum."))


def backups(status: BackupStatus, now: datetime) -> None:
    backup_alarm(status)
    link("backups", t("Backups: take one now, every backup and how to restore"), icon=":material/backup:")
    if not status.backups:
        st.info(t("No backup has been taken yet."))
        return
    newest = status.backups[0]
    left, middle, right = st.columns(3)
    ago = t("{age} ago", age=age(now - newest.taken_at))
    left.metric(t("Newest backup"), formatting.moment(newest.taken_at), ago, delta_color="off", delta_arrow="off")
    middle.metric(t("Size"), formatting.file_size(newest.size_bytes))
    right.metric(t("Verified"), verification(newest.verified))
    if newest.verified is False:
        st.error(
            md("The newest backup failed its verification: {detail}", detail=newest.detail), icon=":material/error:"
        )
    elif newest.detail:
        st.caption(escape_markdown(newest.detail))
    if status.newest_verified is not None and status.newest_verified is not newest:
        st.caption(t("Newest verified backup: {time}", time=when(status.newest_verified.taken_at, now)))
    table(
        [
            {
                t("Taken"): formatting.moment(backup.taken_at),
                t("File"): backup.name,
                t("Size"): formatting.file_size(backup.size_bytes),
                t("Verified"): verification(backup.verified),
            }
            for backup in status.backups[:10]
        ]
    )


def verification(verified: bool | None) -> str:
    return {True: t("yes"), False: t("failed"), None: t("not yet")}[verified]


def errors(entries: list[Any], now: datetime) -> None:
    if not entries:
        st.success(t("No errors recorded."), icon=":material/check_circle:")
        return
    st.caption(
        t(
            "The newest {count} errors of this server process (and of earlier runs, kept in data/logs).",
            count=len(entries),
        )
    )
    table(
        [
            {
                t("When"): when(entry.at, now),
                t("Page"): entry.page or "",
                t("User"): entry.user or "",
                t("Message"): entry.message,
                t("Exception"): ": ".join(part for part in (entry.exception, entry.detail) if part),
                t("In the code"): entry.where or "",
                t("Logger"): entry.logger,
            }
            for entry in entries
        ]
    )


def sessions(figures: SessionFigures, now: datetime) -> None:
    left, right = st.columns(2)
    left.metric(t("Active sessions"), figures.active)
    right.metric(t("People"), len(figures.people))
    if figures.by_role:
        st.caption(
            " · ".join(
                f"{t(ROLES[role]) if role in ROLES else role}: {count}" for role, count in figures.by_role.items()
            )
        )
    table(
        [
            {
                t("Name"): person.display_name,
                t("Username"): person.username,
                t("Roles"): ", ".join(t(ROLES[role]) if role in ROLES else role for role in person.roles),
                t("Sessions"): person.sessions,
                t("Last seen"): when(person.last_seen, now),
            }
            for person in figures.people
        ]
    )
    st.caption(t("Sessions that are neither logged out nor expired; the last-seen time is written every few minutes."))


def snapshot(figures: SnapshotFigures, now: datetime) -> None:
    if not figures.loaded:
        st.info(t("Not loaded yet in this server process: it loads when someone first opens an analytics page."))
        return
    left, middle, right = st.columns(3)
    left.metric(
        t("Caught up with the store"),
        t("{age} ago", age=age(now - figures.refreshed_at)) if figures.refreshed_at else "",
    )
    middle.metric(t("Changes not read yet"), formatting.number(figures.pending))
    right.metric(t("Behind the store by"), age(figures.lag))
    st.caption(t("It catches up before every analytics view, so changes wait here only until the next one."))
    table(
        [
            {
                t("Table"): found.table,
                t("Rows"): formatting.number(found.rows),
                t("Newest change held"): formatting.moment(found.held_newest),
                t("Newest change in the store"): formatting.moment(found.store_newest),
                t("Not read yet"): formatting.number(found.pending),
            }
            for found in figures.tables
        ]
    )


st.title(t("System health"))
st.button(t("Refresh"), icon=":material/refresh:")  # a click reruns the page, which reads everything again
health = system_health(actor=actor)
st.caption(t("Read at {time}.", time=formatting.moment(health.checked_at)))
SECTIONS = (
    ("backups", t("Backups"), health.backups, backups),
    ("database", t("Database"), health.database, database),
    ("errors", t("Last errors"), health.errors, errors),
    ("sessions", t("Signed in"), health.sessions, sessions),
    ("snapshot", t("Analytics snapshot"), health.snapshot, snapshot),
)
for key, title, figures, draw in SECTIONS:
    st.subheader(title)
    if key in health.problems:
        st.warning(md(health.problems[key]), icon=":material/warning:")
    else:
        draw(figures, health.checked_at)
