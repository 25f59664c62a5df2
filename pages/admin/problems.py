"""Problem reports: what people reported from their pages, open or closed; pick one to read it, see
its screenshot and close it with what was done."""

from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.entities.records import Page
from core.errors import OpsdeskError, ValidationFailed
from core.i18n import msg
from core.services import problems
from ui import forms
from ui.context import current_actor, md, t
from ui.feedback import flash, show_flash
from ui.tables import first_page, paged_frame
from ui.text import escape_markdown

KEY = "problems"
CLOSE = f"{KEY}.close"
STATUS_LABELS = {"open": msg("Open reports"), "closed": msg("Closed reports")}
actor = current_actor()
state = st.session_state


def frame(found: Page) -> pd.DataFrame:
    lines = [
        {
            t("Reported"): formatting.moment(row["created_at"]),
            t("Page"): row["page"],
            t("Reported by"): row["reporter"] or "",
            t("Description"): row["description"][:120],
            t("Screenshot"): "✓" if row["has_screenshot"] else "",
        }
        for row in found.rows
    ]
    return pd.DataFrame(lines, dtype=object)


def closer(versions: dict[int, int]) -> forms.Action:
    """The close button's action, with the versions of the rows as this run showed them."""

    def close(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
        chosen = values["report_id"]
        if chosen not in versions:
            raise ValidationFailed({"report_id": msg("Choose the problem report to close.")})
        return problems.close_problem(
            actor=actor, report_id=chosen, resolution=values["resolution"] or "", expected_version=versions[chosen]
        )

    return close


def collect_close() -> dict[str, Any]:
    return {"report_id": state.get(f"{CLOSE}.report_id"), "resolution": state.get(f"{CLOSE}.resolution")}


def details(row: dict[str, Any]) -> None:
    """The chosen report in full: who, where, when, what, the screenshot, and how it was closed."""
    st.caption(
        t(
            "Reported by {who} on the page {page}, {when}",
            who=row["reporter"] or "system",
            page=row["page"],
            when=formatting.moment(row["created_at"]),
        )
    )
    st.markdown(escape_markdown(row["description"]))
    if row["has_screenshot"]:
        try:
            data, _kind = problems.screenshot_of(actor=actor, report_id=row["id"])
            st.image(data, caption=t("Screenshot"))
        except OpsdeskError as missing:
            st.warning(md(missing.message))
    if row["status"] == "closed":
        st.info(
            t(
                "Closed by {who}, {when}: {resolution}",
                who=row["closed_by"] or "system",
                when=formatting.moment(row["closed_at"]),
                resolution=row["resolution"] or "",
            )
        )


def close_form(rows: list[dict[str, Any]]) -> None:
    errors = forms.errors_of(CLOSE)
    labels = {row["id"]: f"#{row['id']} · {row['page']} · {row['description'][:60]}" for row in rows}
    if state.get(f"{CLOSE}.report_id") not in labels:
        state.pop(f"{CLOSE}.report_id", None)
    with st.container(border=True):
        st.selectbox(
            t("Problem report"),
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            key=f"{CLOSE}.report_id",
            placeholder=t("Choose…"),
            help=t("Or click its row in the table."),
        )
        forms.error_under(errors.get("report_id"))
        chosen = next((row for row in rows if row["id"] == state.get(f"{CLOSE}.report_id")), None)
        if chosen is None:
            forms.show_notice(CLOSE)
            return
        details(chosen)
        if chosen["status"] != "open":
            return
        st.text_area(t("Resolution *"), key=f"{CLOSE}.resolution", height=70, placeholder=t("What was done about it"))
        forms.error_under(errors.get("resolution"))
        forms.show_notice(CLOSE)
        st.button(
            t("Close the report"),
            key=f"{CLOSE}.save",
            type="primary",
            on_click=forms.run_action,
            args=(CLOSE, collect_close, closer({row["id"]: row["version"] for row in rows}), False),
        )


closed = forms.result(CLOSE)
if closed is not None:
    for name in ("report_id", "resolution"):
        state.pop(f"{CLOSE}.{name}", None)
    flash(KEY, md("Closed problem report {id}.", id=closed["id"]))
st.title(t("Problem reports"))
show_flash(KEY)
shown = {value: t(label) for value, label in STATUS_LABELS.items()}
status = st.radio(
    t("Show"),
    list(shown),
    format_func=shown.__getitem__,
    horizontal=True,
    key=f"{KEY}.status",
    on_change=first_page,
    args=(KEY,),
)
page, picked = paged_frame(
    KEY,
    lambda number, size: problems.problems(actor=actor, status=status, page=number, per_page=size),
    frame,
)
if picked is not None:
    state[f"{CLOSE}.report_id"] = picked["id"]
if page.rows:
    close_form(page.rows)
else:
    forms.show_notice(CLOSE)  # why the last close was refused, though the row has left the list
