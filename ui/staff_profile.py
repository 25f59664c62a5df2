"""The staff page's tabs for a person's certificates (expired ones in red: dispatch no longer uses
the skill they license) and training records, with their add forms for those who keep the staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from core.entities.people import QUALIFICATION, TRAINING
from core.entities.spec import Entity
from core.permissions import allowed
from core.services import people
from ui import forms
from ui.context import current_actor, t
from ui.feedback import flash, show_flash, succeeded
from ui.tables import records_frame

COLOURS = {"expired": "color: #c62828; font-weight: 600", "expiring": "color: #e65100"}


def _states() -> dict[str, str]:
    return {"expired": t("Expired"), "expiring": t("Expires soon"), "valid": t("Valid")}


def _can_edit() -> bool:
    return allowed(current_actor().roles, "staff", "edit")


def _add_form(form: str, entity: Entity, action: Any, title: str, done: str) -> None:
    """An add form whose values stay on a refusal and are cleared after a save."""
    if forms.result(form) is not None:
        forms.reset(form, entity)
        flash(form, done)
        st.rerun()
    show_flash(form)
    forms.load_once(form, entity, {})
    with st.expander(title, expanded=bool(forms.errors_of(form))):
        forms.entity_form(form, entity, action, submit_label=t("Add"))


def certificates_tab(person: Mapping[str, Any]) -> None:
    actor = current_actor()
    form = f"staff.{person['id']}.certificate"
    rows = people.qualifications_of(actor=actor, staff_id=person["id"])
    states = _states()
    expired = sum(1 for row in rows if row["expired"])
    expiring = sum(1 for row in rows if row["expiring"])
    if expired:
        st.error(
            t("{count} certificate(s) have expired: dispatch no longer uses the skills they license.", count=expired)
        )
    if expiring:
        st.warning(t("{count} certificate(s) expire within 30 days.", count=expiring))
    if not rows:
        st.info(t("No certificates recorded."))
    else:
        frame = records_frame(rows, QUALIFICATION.fields)
        frame[t("State")] = [states[row["state"]] for row in rows]
        marks = {states[state]: colour for state, colour in COLOURS.items()}
        st.dataframe(
            frame.style.map(lambda value: marks.get(value, ""), subset=[t("State")]), hide_index=True, width="stretch"
        )
    if not _can_edit():
        return
    _add_form(
        form,
        QUALIFICATION,
        lambda values, _confirmed: people.add_qualification(actor=actor, staff_id=person["id"], values=values),
        t("Add a certificate"),
        t("Certificate added."),
    )
    if rows:
        _remove(form, rows)


def _remove(form: str, rows: list[dict[str, Any]]) -> None:
    actor = current_actor()
    labels = {row["id"]: f"{row['name']} ({row['expires_on'] or '—'})" for row in rows}
    chosen = st.selectbox(
        t("Certificate to remove"),
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        placeholder=t("Choose…"),
        key=f"{form}.remove",
    )
    if st.button(t("Remove the certificate"), key=f"{form}.remove.button", disabled=chosen is None) and succeeded(
        lambda: people.remove_qualification(actor=actor, qualification_id=chosen)
    ):
        st.session_state.pop(f"{form}.remove", None)
        flash(form, t("Certificate removed."))
        st.rerun()


def trainings_tab(person: Mapping[str, Any]) -> None:
    actor = current_actor()
    form = f"staff.{person['id']}.training"
    rows = people.trainings_of(actor=actor, staff_id=person["id"])
    if rows:
        st.dataframe(pd.DataFrame(records_frame(rows, TRAINING.fields)), hide_index=True, width="stretch")
    else:
        st.info(t("No trainings recorded."))
    if _can_edit():
        _add_form(
            form,
            TRAINING,
            lambda values, _confirmed: people.add_training(actor=actor, staff_id=person["id"], values=values),
            t("Add a training"),
            t("Training added."),
        )
