"""The audit log: every change, login and refusal; filter, page through and download. Read-only."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from core import formatting
from core.audit import ACTIONS
from core.config import get_settings
from core.entities.records import Page
from core.services import audit
from ui.context import current_actor, language, t
from ui.downloads import download
from ui.tables import first_page, paged_frame

KEY = "audit.list"
actor = current_actor()
st.title(t("Audit log"))
st.caption(t("Every change, login, lockout and refusal. Nobody can edit or delete these rows."))

choices = audit.audit_choices(actor=actor)
who, action, entity, entity_id, dates = st.columns([1.2, 1.2, 1.2, 1, 2])
where_who = who.text_input(t("Who"), key=f"{KEY}.who", on_change=first_page, args=(KEY,))
where_action = action.selectbox(
    t("Action"),
    [""] + choices["actions"],
    key=f"{KEY}.action",
    on_change=first_page,
    args=(KEY,),
    format_func={
        a: ACTIONS[a].get(language()) if a in ACTIONS else (a or t("All")) for a in ["", *choices["actions"]]
    }.__getitem__,
)
where_entity = entity.selectbox(
    t("Record type"),
    [""] + choices["entities"],
    key=f"{KEY}.entity",
    on_change=first_page,
    args=(KEY,),
    format_func={e: e or t("All") for e in ["", *choices["entities"]]}.__getitem__,
)
where_id = entity_id.text_input(t("Record id"), key=f"{KEY}.id", on_change=first_page, args=(KEY,))
period = dates.date_input(t("Between"), value=(), key=f"{KEY}.dates", on_change=first_page, args=(KEY,))

zone = ZoneInfo(get_settings().timezone)
since = until = None
if len(period) >= 1:
    since = datetime.combine(period[0], time.min, zone).astimezone(UTC)
if len(period) == 2:
    until = datetime.combine(period[1] + timedelta(days=1), time.min, zone).astimezone(UTC)
where = audit.AuditFilter(
    who=where_who, action=where_action, entity=where_entity, entity_id=where_id, since=since, until=until
)

download(t("Export CSV"), lambda: audit.export_audit(actor=actor, where=where), "audit-log", key=f"{KEY}.export")


def _change(name: str, before: object, after: object) -> str:
    if before in (None, []):
        return f"{name}: {after}"
    return f"{name}: {before} → {'∅' if after in (None, []) else after}"


def _frame(page: Page) -> pd.DataFrame:
    rows = [
        {
            t("When"): formatting.moment(row["at"]),
            t("Who"): row["who"],
            t("Action"): ACTIONS[row["action"]].get(language()) if row["action"] in ACTIONS else row["action"],
            t("Record type"): row["entity"] or "",
            t("Record id"): row["entity_id"] or "",
            t("Changes"): "; ".join(_change(name, *values) for name, values in (row["changes"] or {}).items()),
            t("Detail"): row["detail"] or "",
        }
        for row in page.rows
    ]
    return pd.DataFrame(rows, dtype=object)


paged_frame(
    KEY,
    lambda number, size: audit.search_audit(actor=actor, where=where, page=number, page_size=size),
    _frame,
    selectable=False,
)
