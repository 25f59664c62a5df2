"""The roster's week view, continued: hours the demand forecast needs per area and day against
the hours rostered, and the suggested shifts a manager accepts one by one
(core.services.staffing_needs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.actor import Actor
from core.clock import today
from core.permissions import allowed
from core.rosters import monday
from core.services import staffing_needs
from ui.context import language, md, t
from ui.feedback import attempt, flash, succeeded

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _hours(value: Decimal | None) -> str:
    return "—" if value is None else formatting.number(value)


def _cell(day: dict[str, Any]) -> str:
    """needed / rostered, and the gap: + short, − surplus."""
    if day["needed"] is None:
        return f"— / {_hours(day['rostered'])}"
    gap = day["gap"]
    sign = "+" if gap > 0 else "−" if gap < 0 else "±"
    return f"{_hours(day['needed'])} / {_hours(day['rostered'])} ({sign}{_hours(abs(gap))})"


def _table(needs: dict[str, Any]) -> pd.DataFrame:
    columns = [f"{t(WEEKDAYS[d.weekday()])} {d:%m-%d}" for d in needs["days"]]
    rows = []
    for area in [*needs["areas"], {"area": None, **needs["totals"]}]:
        name = area["area"].get(language()) if area["area"] is not None else t("All areas")
        row = {t("Service area"): name}
        row.update({column: _cell(day) for column, day in zip(columns, area["days"], strict=True)})
        row[t("Week")] = _cell(area)
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def needs_section(actor: Actor, week_of: date, key: str) -> None:
    """The week's staffing needs against its roster; with the suggestion for managers."""
    first = monday(week_of)
    if first < monday(today()):
        return  # a week already over: nothing to plan
    needs = attempt(lambda: staffing_needs.staffing_needs(actor=actor, week_of=first))
    if needs is None:
        return
    st.subheader(t("Staffing needs"))
    if needs["message"] is not None:
        st.info(md(needs["message"]))
    st.caption(
        t(
            "Hours needed by the demand forecast (jobs × their usual duration, plus {allowance} % for travel) / "
            "hours rostered, and the gap: + short, − more than needed.",
            allowance=formatting.number(needs["allowance"] * 100),
        )
    )
    st.dataframe(_table(needs), hide_index=True, width="stretch")
    for note in needs["notes"]:
        st.caption(md(note))
    if allowed(actor.roles, "staff", "create"):
        _suggestions(actor, first, key)


def _suggestions(actor: Actor, first: date, key: str) -> None:
    plan = attempt(lambda: staffing_needs.suggested_roster(actor=actor, week_of=first))
    if plan is None or plan["message"] is not None:
        return
    with st.expander(t("Suggested shifts ({count})", count=len(plan["proposals"])), expanded=bool(plan["proposals"])):
        if not plan["proposals"]:
            st.write(t("No shift to suggest: the roster covers what the forecast needs, or nobody fits."))
        for index, proposal in enumerate(plan["proposals"]):
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.markdown(
                f"**{proposal['name']}** · {t(WEEKDAYS[proposal['day'].weekday()])} {proposal['day']:%m-%d} · "
                f"{proposal['start']:%H:%M}–{proposal['end']:%H:%M} · {proposal['area'].get(language())}"
            )
            text.caption(md(proposal["reason"]))
            if button.button(t("Accept"), key=f"{key}.accept.{index}") and succeeded(
                lambda p=proposal: staffing_needs.accept_suggested_shift(
                    actor=actor,
                    staff_id=p["staff_id"],
                    day=p["day"],
                    start=p["start"],
                    end=p["end"],
                    area_id=p["area_id"],
                )
            ):
                flash(key, t("Shift added."))
                st.rerun()
        for gap in plan["uncovered"]:
            st.warning(
                t(
                    "{area}, {day}: {hours} h stay uncovered.",
                    area=gap["area"].get(language()) if gap["area"] is not None else "—",
                    day=f"{t(WEEKDAYS[gap['day'].weekday()])} {gap['day']:%m-%d}",
                    hours=_hours(gap["hours"]),
                )
                + " "
                + md(gap["reason"])
            )
        for note in plan["notes"]:
            st.caption(md(note))
