"""Attendance: the monthly report per person (days, hours, overtime, late starts, absences),
downloadable; the missing clock-outs; the month's entries; and for a manager, the correction of
an entry, with the reason the audit trail keeps."""

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import at, local, today
from core.errors import ValidationFailed
from core.i18n import msg
from core.permissions import allowed
from core.services import attendance
from ui import forms
from ui.context import current_actor, t
from ui.downloads import download_table
from ui.feedback import flash, show_flash

KEY = "attendance"
FORM = "attendance.correct"
FIELDS = ("in_day", "in_time", "out_day", "out_time", "reason")
actor = current_actor()
state = st.session_state


def months(count: int = 24) -> list[tuple[int, int]]:
    """This month and the ones before it, newest first."""
    year, month = today().year, today().month
    chosen = []
    for _ in range(count):
        chosen.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return chosen


def hours(value: Any) -> str:
    return f"{value:.2f}"


def report_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("Employee no."): row["employee_no"],
                t("Name"): row["name"],
                t("Days"): row["days"],
                t("Hours"): hours(row["hours"]),
                t("Overtime"): hours(row["overtime"]),
                t("Late starts"): row["late_starts"],
                t("Absences"): row["absences"],
                t("Missing clock-outs"): row["missing_clock_outs"],
            }
            for row in rows
        ],
        dtype=object,
    )


def entries_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("Staff member"): row["staff_name"],
                t("Clock-in"): formatting.moment(row["clock_in"]),
                t("Clock-out"): formatting.moment(row["clock_out"]) if row["clock_out"] else t("(none)"),
                t("Hours"): hours(row["hours"]),
                t("Correction reason"): row["correction_reason"] or "",
            }
            for row in rows
        ],
        dtype=object,
    )


def entry_label(row: dict[str, Any]) -> str:
    out = formatting.moment(row["clock_out"]) if row["clock_out"] else t("(none)")
    return f"{row['staff_name']} · {formatting.moment(row['clock_in'])} – {out}"


def load(row: dict[str, Any] | None) -> None:
    """Put the chosen entry's times into the correction fields."""
    for name in FIELDS:
        state.pop(f"{FORM}.{name}", None)
    state[f"{FORM}.errors"] = {}
    state.pop(f"{FORM}.notice", None)
    if row is None:
        return
    clock_in = local(row["clock_in"])
    state[f"{FORM}.in_day"], state[f"{FORM}.in_time"] = (
        clock_in.date(),
        clock_in.time().replace(second=0, microsecond=0),
    )
    clock_out = local(row["clock_out"]) if row["clock_out"] else None
    state[f"{FORM}.out_day"] = clock_out.date() if clock_out else None
    state[f"{FORM}.out_time"] = clock_out.time().replace(second=0, microsecond=0) if clock_out else None
    state[f"{FORM}.reason"] = ""


def moment(day: date | None, wall_clock: Any) -> Any:
    return at(day, wall_clock) if day is not None and wall_clock is not None else None


def collect() -> dict[str, Any]:
    value = lambda name: state.get(f"{FORM}.{name}")  # noqa: E731
    return {
        "clock_in": moment(value("in_day"), value("in_time")),
        "clock_out": moment(value("out_day"), value("out_time")),
        "reason": value("reason") or "",
        "half_out": (value("out_day") is None) != (value("out_time") is None),
    }


def correction(choices: dict[int, dict[str, Any]]) -> None:
    done = forms.result(FORM)
    if done is not None:
        state.pop(f"{FORM}.entry", None)
        load(None)
        flash(KEY, t("Entry of {name} corrected.", name=done["staff_name"]))
        st.rerun()
    st.subheader(t("Correct an entry"))
    if not choices:
        st.caption(t("No entry to correct in this month."))
        return
    chosen = st.selectbox(
        t("Entry *"),
        list(choices),
        format_func=lambda entry_id: entry_label(choices[entry_id]),
        index=None,
        placeholder=t("Choose…"),
        key=f"{FORM}.entry",
        on_change=lambda: load(choices.get(state.get(f"{FORM}.entry"))),
    )
    if chosen is None:
        return
    if f"{FORM}.in_day" not in state:  # came back to the page: the fields were forgotten
        load(choices[chosen])
    errors = forms.errors_of(FORM)
    with st.container(border=True):
        day_in, time_in = st.columns(2)
        day_in.date_input(t("Clock-in day *"), value=None, key=f"{FORM}.in_day")
        time_in.time_input(t("Clock-in time *"), value=None, step=60, key=f"{FORM}.in_time")
        with time_in:
            forms.error_under(errors.get("clock_in"))
        day_out, time_out = st.columns(2)
        day_out.date_input(t("Clock-out day"), value=None, key=f"{FORM}.out_day")
        time_out.time_input(
            t("Clock-out time"), value=None, step=60, key=f"{FORM}.out_time", help=t("Empty: the entry stays open.")
        )
        with time_out:
            forms.error_under(errors.get("clock_out"))
        st.text_input(t("Reason *"), key=f"{FORM}.reason", max_chars=500)
        forms.error_under(errors.get("reason"))
        forms.show_notice(FORM)

        def correct(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
            if values.pop("half_out"):
                raise ValidationFailed({"clock_out": msg("Give the clock-out's day and time, or neither.")})
            entry = choices[chosen]
            return attendance.correct_entry(
                actor=actor, entry_id=entry["id"], expected_version=entry["version"], **values
            )

        st.button(
            t("Save the correction"), type="primary", on_click=forms.run_action, args=(FORM, collect, correct, False)
        )


st.title(t("Attendance"))
show_flash(KEY)
month_box, person_box = st.columns(2)
year, month = month_box.selectbox(
    t("Month"), months(), format_func=lambda ym: f"{ym[0]}-{ym[1]:02d}", key=f"{KEY}.month"
)
everyone = attendance.monthly_report(actor=actor, year=year, month=month)
names = {row["staff_id"]: f"{row['name']} ({row['employee_no']})" for row in everyone}
person = person_box.selectbox(
    t("Staff member"),
    [None, *names],
    format_func=lambda staff_id: t("Everyone") if staff_id is None else names[staff_id],
    key=f"{KEY}.person",
)
rows = [row for row in everyone if person is None or row["staff_id"] == person]

st.subheader(t("Monthly report"))
if not rows:
    st.info(t("Nobody to report on in this month."))
else:
    if person is not None:  # one person: their month at a glance
        [mine] = rows
        figures = {
            t("Days"): mine["days"],
            t("Hours"): hours(mine["hours"]),
            t("Overtime"): hours(mine["overtime"]),
            t("Late starts"): mine["late_starts"],
            t("Absences"): mine["absences"],
        }
        for box, (label, value) in zip(st.columns(len(figures)), figures.items(), strict=True):
            box.metric(label, value)
    frame = report_frame(rows)
    st.dataframe(frame, hide_index=True, width="stretch")
    download_table(t("Download CSV"), frame, f"attendance-{year}-{month:02d}", key=f"{KEY}.export")

missing = [row for row in attendance.missing_clock_outs(actor=actor) if person is None or row["staff_id"] == person]
st.subheader(t("Missing clock-outs ({count})", count=len(missing)))
if missing:
    st.caption(t("Clocked in on an earlier day and never clocked out; a manager corrects them."))
    st.dataframe(entries_frame(missing), hide_index=True, width="stretch")
else:
    st.info(t("No missing clock-outs."))

entries = attendance.list_entries(actor=actor, year=year, month=month, staff_id=person)
st.subheader(t("Entries of the month ({count})", count=len(entries)))
if entries:
    st.dataframe(entries_frame(entries), hide_index=True, width="stretch")

if allowed(actor.roles, "attendance", "edit"):
    correction({row["id"]: row for row in [*missing, *entries]})
