"""A catalogue service's materials per unit sold, and, for those who keep the catalogue, the
editor of that list (the technician's job proposes these quantities)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from core.permissions import allowed
from core.services import materials
from ui import forms, item_lines
from ui.context import current_actor, t
from ui.feedback import flash, show_flash
from ui.stock_widgets import item_label, quantity, unit_name

FIELDS = ("quantity_per_unit",)


def materials_tab(service: Mapping[str, Any]) -> None:
    actor = current_actor()
    form = f"service.{service['id']}.materials"
    show_flash(form)
    if forms.result(form) is not None:
        item_lines.clear(form)
        flash(form, t("Saved."))
        st.rerun()
    rows = materials.service_materials(actor=actor, service_id=service["id"])
    if not allowed(actor.roles, "catalogue", "edit"):
        if not rows:
            st.info(t("This service uses no stock materials."))
            return
        frame = [
            {
                t("Item"): item_label(row),
                t("Per unit sold"): quantity(row["quantity_per_unit"]),
                t("Unit"): unit_name(row["unit"]),
            }
            for row in rows
        ]
        st.dataframe(pd.DataFrame(frame, dtype=object), hide_index=True, width="stretch")
        return
    st.caption(t("What one unit of this service typically uses; the technician confirms what was really used."))
    item_lines.start(form, rows, FIELDS)
    errors = forms.errors_of(form)
    item_lines.editor(
        form,
        {"quantity_per_unit": t("Per unit sold *")},
        errors,
        prefix="materials",
        add_label=t("Add an item"),
    )
    forms.show_notice(form)
    st.button(
        t("Save the materials"),
        type="primary",
        key=f"{form}.save",
        on_click=forms.run_action,
        args=(
            form,
            lambda: item_lines.collect(form, FIELDS),
            lambda lines, _c: materials.set_service_materials(actor=actor, service_id=service["id"], materials=lines),
            False,
        ),
    )
