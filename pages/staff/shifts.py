"""Shifts: one team's week (Monday to Sunday), a row per person and a column per day, with
approved leave shown as leave; a manager adds shifts (a night shift is ticked as ending the next day) and
removes them. Dispatch only books technicians on shift. Below the week: the hours the demand
forecast needs per area and day against those rostered, and suggested shifts to accept one by one."""

from datetime import date, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core.clock import local, today
from core.entities.staff import POSITIONS
from core.errors import ValidationFailed
from core.i18n import msg
from core.permissions import allowed
from core.rosters import monday
from core.services import reference
from core.services import staff as staff_services
from core.services.leave import KINDS
from ui import forms
from ui.context import current_actor, language, t
from ui.downloads import download_table
from ui.feedback import flash, show_flash, succeeded
from ui.staffing import needs_section

KEY = "shifts"
FORM = "shifts.add"
WEEK = f"{KEY}.week"
actor = current_actor()
state = st.session_state
WEEKDAYS = (t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun"))
ROLES = {choice.value: choice.label.get(language()) for choice in POSITIONS}
KIND_NAMES = {code: label.get(language()) for code, label in KINDS.items()}


def move(weeks: int) -> None:
    state[WEEK] = monday(state.get(WEEK) or today()) + timedelta(weeks=weeks)


def column_title(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day:%m-%d}"


def span(row: dict[str, Any]) -> str:
    return f"{local(row['starts_at']):%H:%M}–{local(row['ends_at']):%H:%M}"


def cell(row: dict[str, Any], areas: dict[int, str]) -> str:
    parts = [span(row), areas.get(row["area_id"], ""), ROLES.get(row["role"], row["role"])]
    return " · ".join(part for part in parts if part)


def grid(week: dict[str, Any], areas: dict[int, str]) -> pd.DataFrame:
    """People × days: each day's shifts, or the leave that day."""
    rows = []
    for person in week["people"]:
        row: dict[str, str] = {t("Staff member"): person["name"], t("Team"): person["team"] or ""}
        for day in week["days"]:
            shifts = [cell(s, areas) for s in week["shifts"] if s["staff_id"] == person["id"] and s["day"] == day]
            away = [
                f"{t('Leave')} ({KIND_NAMES.get(item['kind'], item['kind'])})"
                for item in week["leave"]
                if item["staff_id"] == person["id"] and item["starts_on"] <= day <= item["ends_on"]
            ]
            row[column_title(day)] = "; ".join(away + shifts)
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def add_form(people: dict[int, str], areas: dict[int, str]) -> None:
    if forms.result(FORM) is not None:
        flash(KEY, t("Shift added."))
        st.rerun()
    errors = forms.errors_of(FORM)
    with st.expander(t("Add a shift"), expanded=bool(errors)), st.form(FORM, enter_to_submit=False):
        left, right = st.columns(2)
        with left:
            st.selectbox(
                t("Staff member *"),
                list(people),
                format_func=people.__getitem__,
                index=None,
                placeholder=t("Choose…"),
                key=f"{FORM}.staff_id",
            )
            forms.error_under(errors.get("staff_id"))
        with right:
            st.date_input(t("Day *"), value=state.get(WEEK) or today(), key=f"{FORM}.day")
            forms.error_under(errors.get("day"))
        begin, end = st.columns(2)
        with begin:
            st.time_input(t("From *"), value=time(8), step=1800, key=f"{FORM}.start")
            forms.error_under(errors.get("start"))
        with end:
            st.time_input(
                t("To *"),
                value=time(17),
                step=1800,
                key=f"{FORM}.end",
            )
            forms.error_under(errors.get("end"))
            st.checkbox(t("Ends the next day"), key=f"{FORM}.overnight", help=t("A night shift across midnight."))
        where, role = st.columns(2)
        with where:
            st.selectbox(
                t("Service area"), [None, *areas], format_func={None: "—", **areas}.__getitem__, key=f"{FORM}.area_id"
            )
            forms.error_under(errors.get("area_id"))
        with role:
            st.selectbox(
                t("Role"),
                [None, *ROLES],
                format_func={None: t("Their position"), **ROLES}.__getitem__,
                key=f"{FORM}.role",
            )
            forms.error_under(errors.get("role"))
        forms.show_notice(FORM)
        st.form_submit_button(t("Add"), type="primary", on_click=forms.run_action, args=(FORM, collect, add, False))


def collect() -> dict[str, Any]:
    return {name: state.get(f"{FORM}.{name}") for name in ("staff_id", "day", "start", "end", "area_id", "role")} | {
        "overnight": bool(state.get(f"{FORM}.overnight"))
    }


def add(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
    missing = {name: msg("This field is required.") for name in ("day", "start", "end") if values[name] is None}
    if values["staff_id"] is None:
        missing["staff_id"] = msg("Choose someone who still works here.")
    if missing:
        raise ValidationFailed(missing)
    return staff_services.add_shift(actor=actor, **values)


def removal(week: dict[str, Any], areas: dict[int, str]) -> None:
    shifts = {s["id"]: f"{s['staff_name']} · {column_title(s['day'])} {cell(s, areas)}" for s in week["shifts"]}
    if not shifts:
        return
    with st.expander(t("Remove a shift")):
        chosen = st.selectbox(
            t("Shift"), list(shifts), format_func=shifts.__getitem__, index=None, placeholder=t("Choose…")
        )
        if st.button(t("Remove the shift"), key=f"{KEY}.remove", disabled=chosen is None) and succeeded(
            lambda: staff_services.remove_shift(actor=actor, shift_id=chosen)
        ):
            flash(KEY, t("Shift removed."))
            st.rerun()


st.title(t("Shifts"))
show_flash(KEY)
if WEEK not in state:
    state[WEEK] = monday(today())
picker, back, forward, team_box = st.columns([3, 1, 1, 3], vertical_alignment="bottom")
picker.date_input(t("Week of"), key=WEEK, help=t("Any day: its week, Monday to Sunday, is shown."))
back.button(t("Previous week"), key=f"{KEY}.back", on_click=move, args=(-1,), width="stretch")
forward.button(t("Next week"), key=f"{KEY}.next", on_click=move, args=(1,), width="stretch")
areas = {o.id: o.label.get(language()) for o in reference.service_areas(actor=actor)}
team = state.get(f"{KEY}.team") or ""
week = staff_services.roster_week(actor=actor, day=state[WEEK] or today(), team=team or None)
teams = ["", *sorted({*week["teams"], team} - {""})]
team_names = {name: name or t("All teams") for name in teams}
team_box.selectbox(t("Team"), teams, format_func=team_names.__getitem__, key=f"{KEY}.team")
st.caption(t("Week from {first} to {last}.", first=f"{week['days'][0]:%Y-%m-%d}", last=f"{week['days'][-1]:%Y-%m-%d}"))

if not week["people"]:
    st.info(t("Nobody in this team."))
else:
    frame = grid(week, areas)
    st.dataframe(frame, hide_index=True, width="stretch")
    download_table(t("Export CSV"), frame, f"roster-{week['days'][0]:%Y%m%d}", key=f"{KEY}.export")

needs_section(actor, state[WEEK] or today(), KEY)
if allowed(actor.roles, "staff", "create"):
    add_form({p["id"]: p["name"] for p in week["people"] if p["status"] != "left"}, areas)
if allowed(actor.roles, "staff", "delete"):
    removal(week, areas)
