"""My jobs today, on a phone: clock in and out with one tap (the server takes the time); where to
go, what to do; start, then complete with the materials used and the customer's rating."""

from typing import Any

import streamlit as st

from core import formatting
from core.clock import local, today
from core.entities.catalogue import unit_label
from core.order_status import STATUSES
from core.services import attendance, jobs, materials
from ui import forms
from ui.context import current_actor, language, md, t
from ui.feedback import attempt, flash, show_flash, succeeded
from ui.stock_widgets import item_label, quantity, unit_name
from ui.text import escape_markdown

actor = current_actor()


def since(moment: Any) -> str:
    """A clock-in time: the hour today, the whole date on an earlier day."""
    return f"{local(moment):%H:%M}" if local(moment).date() == today() else formatting.moment(moment)


def tap(step: Any) -> None:
    """Button callback: the step the person saw (clock in, or out), whatever changed meanwhile."""
    forms.run_action("timeclock", dict, lambda _values, _confirmed: step(actor=actor), False)


def timeclock() -> None:
    """One tap to clock in or out; the server takes the time. Nothing shows for a login without
    a staff record (the jobs below say why)."""
    done = forms.result("timeclock")
    if done is not None:
        if done["clock_out"] is None:
            flash("jobs", t("Clocked in at {time}.", time=f"{local(done['clock_in']):%H:%M}"))
        else:
            flash("jobs", t("Clocked out at {time}.", time=f"{local(done['clock_out']):%H:%M}"))
        st.rerun()
    mine = attempt(lambda: attendance.my_attendance(actor=actor))
    if mine is None:
        return
    hours = formatting.number(mine["hours_today"])
    with st.container(border=True):
        current = mine["open"]
        if current is None:
            st.markdown(md("**Not clocked in** · today {hours} h", hours=hours))
        else:
            st.markdown(
                md("**Clocked in since {since}** · today {hours} h", since=since(current["clock_in"]), hours=hours)
            )
        if mine["stale"]:
            st.warning(t("You did not clock out after that; ask a manager to correct the entry."))
        notice = st.session_state.pop("timeclock.notice", None)
        if notice is not None:
            st.error(md(notice))
        opening = current is None
        st.button(
            t("Clock in") if opening else t("Clock out"),
            key="timeclock.in" if opening else "timeclock.out",
            type="primary",
            width="stretch",
            icon=":material/login:" if opening else ":material/logout:",
            disabled=mine["stale"],
            on_click=tap,
            args=(attendance.clock_in if opening else attendance.clock_out,),
        )


def card(job: dict[str, Any]) -> None:
    if forms.result(f"jobs.complete.{job['id']}") is not None:  # completed in the button's callback
        flash("jobs", t("Completed {number}. Thank you!", number=job["number"]))
        st.rerun()
    when = f"{local(job['scheduled_start']):%H:%M}–{local(job['scheduled_end']):%H:%M}"
    st.markdown(f"### {when} · {escape_markdown(job['customer_name'])}")
    st.caption(f"{job['number']} · {t(STATUSES[job['status']])}")
    st.markdown(escape_markdown(job["address"]))
    phone_line(job)
    for line in job["lines"]:
        name = line["name_zh"] if language() == "zh" else line["name_en"]
        st.markdown(
            f"- {escape_markdown(name)} × {formatting.number(line['quantity'])} {unit_label(line['unit'], language())}"
        )
    if job["notes"]:
        st.info(escape_markdown(job["notes"]))
    start = job["status"] == "scheduled" and st.button(
        t("Start"), key=f"jobs.start.{job['id']}", type="primary", width="stretch"
    )
    if start and succeeded(lambda: jobs.start_job(actor=actor, order_id=job["id"], expected_version=job["version"])):
        flash("jobs", t("Started {number}.", number=job["number"]))
        st.rerun()
    if job["status"] == "in_progress":
        complete(job)


def phone_line(job: dict[str, Any]) -> None:
    """The phone comes masked; on an open job, one tap shows it in full to call (audited in core)
    and it stays shown for this login until the page is left."""
    calls = st.session_state.setdefault(f"jobs.calls.{actor.user_id}", {})
    phone = calls.get(job["id"])
    if phone is not None:
        st.markdown(f"[{escape_markdown(phone)}](tel:{phone.replace(' ', '')})")
        return
    st.markdown(escape_markdown(job["customer_phone"] or ""))
    if job["status"] in {"scheduled", "in_progress"} and st.button(
        t("Show the phone to call"), key=f"jobs.call.{job['id']}", icon=":material/call:", width="stretch"
    ):
        found = attempt(lambda: jobs.call_customer(actor=actor, order_id=job["id"]))
        if found is not None:
            calls[job["id"]] = found
            st.rerun()


def complete(job: dict[str, Any]) -> None:
    form = f"jobs.complete.{job['id']}"
    proposed = materials.proposed_materials(actor=actor, order_id=job["id"])
    errors = forms.errors_of(form)
    with st.form(form):
        if proposed:
            st.caption(t("Materials taken from stock (0 if not used)"))
        for index, item in enumerate(proposed):
            key = f"{form}.used.{item['item_id']}"
            st.session_state.setdefault(key, str(item["quantity"]))
            st.text_input(
                escape_markdown(f"{item_label(item)} ({unit_name(item['unit'])})"),
                key=key,
                help=t("On hand: {on_hand}", on_hand=quantity(item["on_hand"], item["unit"])),
            )
            forms.error_under(errors.get(f"used.{index}.quantity"))
        st.text_area(t("Materials used"), height=70, key=f"{form}.materials")
        forms.error_under(errors.get("materials"))
        st.caption(t("The customer's rating"))
        st.feedback("stars", key=f"jobs.rating.{job['id']}")
        st.text_input(t("Customer's comment"), key=f"{form}.comment")
        forms.error_under(errors.get("comment"))
        forms.show_notice(form)

        def collect() -> dict[str, Any]:
            state = st.session_state
            stars = state.get(f"jobs.rating.{job['id']}")
            return {
                "materials": state.get(f"{form}.materials") or "",
                "comment": state.get(f"{form}.comment") or "",
                "rating": None if stars is None else stars + 1,
                "used": [
                    {"item_id": item["item_id"], "quantity": state.get(f"{form}.used.{item['item_id']}") or "0"}
                    for item in proposed
                ],
            }

        st.form_submit_button(
            t("Complete"),
            type="primary",
            width="stretch",
            on_click=forms.run_action,
            args=(
                form,
                collect,
                lambda values, _c: jobs.complete_job(
                    actor=actor, order_id=job["id"], expected_version=job["version"], **values
                ),
                False,
            ),
        )


st.title(t("My jobs today"))
show_flash("jobs")
timeclock()
today_jobs = attempt(lambda: jobs.my_jobs(actor=actor))
if today_jobs is not None and not today_jobs:
    st.info(t("No jobs today."))
for each in today_jobs or []:
    with st.container(border=True):
        card(each)
