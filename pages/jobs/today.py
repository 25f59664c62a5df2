"""My jobs today, on a phone: where to go, what to do; start, then complete with the
materials used and the customer's rating."""

from typing import Any

import streamlit as st

from core import formatting
from core.clock import local
from core.entities.catalogue import unit_label
from core.order_status import STATUSES
from core.services import jobs, materials
from ui import forms
from ui.context import current_actor, language, t
from ui.feedback import attempt, flash, show_flash, succeeded
from ui.stock_widgets import item_label, quantity, unit_name
from ui.text import escape_markdown

actor = current_actor()


def card(job: dict[str, Any]) -> None:
    if forms.result(f"jobs.complete.{job['id']}") is not None:  # completed in the button's callback
        flash("jobs", t("Completed {number}. Thank you!", number=job["number"]))
        st.rerun()
    when = f"{local(job['scheduled_start']):%H:%M}–{local(job['scheduled_end']):%H:%M}"
    st.markdown(f"### {when} · {escape_markdown(job['customer_name'])}")
    st.caption(f"{job['number']} · {t(STATUSES[job['status']])}")
    st.markdown(
        f"{escape_markdown(job['address'])}  \n[{escape_markdown(job['customer_phone'])}](tel:{job['customer_phone']})"
    )
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
today_jobs = attempt(lambda: jobs.my_jobs(actor=actor))
if today_jobs is not None and not today_jobs:
    st.info(t("No jobs today."))
for each in today_jobs or []:
    with st.container(border=True):
        card(each)
