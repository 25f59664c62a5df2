"""One stock count: counted quantities entered by scanning or in the list of its items, the
discrepancy report with its value, and the steps: submit, a manager approves, or cancel."""

from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.errors import NotFound, OpsdeskError, ValidationFailed
from core.i18n import Message, msg
from core.permissions import allowed
from core.services import counts
from ui import forms
from ui.context import current_actor, md, query_id, t
from ui.downloads import download_table
from ui.feedback import flash, show_flash, succeeded
from ui.navigation import link
from ui.stock_widgets import (
    COUNT_STATUSES,
    category_name,
    chosen_item,
    item_label,
    item_name,
    quantity,
    scan_box,
    show_chosen,
    unit_name,
)
from ui.text import escape_markdown

KEY = "count"
actor = current_actor()
state = st.session_state


def done(message: str) -> None:
    flash(KEY, message)
    st.rerun()


def by_scan(count: dict[str, Any]) -> None:
    form = f"{KEY}.{count['id']}.scan"
    recorded = forms.result(form)
    if recorded is not None:
        item = chosen_item(form)
        state.pop(f"{form}.item", None)
        state.pop(f"{form}.counted", None)
        done(md("Counted {item}.", item=item_label(item)))
    in_count = {line["item_id"] for line in count["lines"]}

    def found(item: dict[str, Any]) -> Message | None:
        if item["id"] not in in_count:
            return msg("{sku} is not part of this count.", sku=item["sku"])
        state[f"{form}.item"] = item
        return None

    def record(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
        item = chosen_item(form)
        if item is None:
            raise ValidationFailed({"item_id": msg("Scan or type the item's code first.")})
        return counts.record_counted(actor=actor, count_id=count["id"], item_id=item["id"], **values)

    errors = forms.errors_of(form)
    scan_box(form, found)
    forms.error_under(errors.get("item_id"))
    show_chosen(form)
    with st.form(f"{form}.entry", border=False, enter_to_submit=True):
        st.text_input(t("Quantity found *"), key=f"{form}.counted")
        forms.error_under(errors.get("counted"))
        forms.show_notice(form)
        st.form_submit_button(
            t("Record"),
            type="primary",
            on_click=forms.run_action,
            args=(form, lambda: {"counted": state.get(f"{form}.counted") or ""}, record, False),
        )


def save_list(count: dict[str, Any], key: str, before: dict[int, str]) -> None:
    """Record every quantity changed in the list; what core refuses is listed by item."""
    edited = state[key]["edited_rows"]
    lines = count["lines"]
    problems: dict[str, Message] = {}
    for row, change in edited.items():
        line = lines[int(row)]
        typed = str(change.get("counted") or "").strip()
        if not typed or typed == before[line["item_id"]]:
            continue
        try:
            counts.record_counted(actor=actor, count_id=count["id"], item_id=line["item_id"], counted=typed)
        except ValidationFailed as failed:
            problems[line["sku"]] = next(iter(failed.errors.values()))
        except OpsdeskError as error:
            problems[line["sku"]] = error.message
    state[f"{KEY}.{count['id']}.problems"] = problems
    if not problems:  # a refused quantity stays in the list as typed, to be corrected
        state[f"{KEY}.{count['id']}.nonce"] = state.get(f"{KEY}.{count['id']}.nonce", 0) + 1


def by_list(count: dict[str, Any]) -> None:
    before = {line["item_id"]: "" if line["counted"] is None else str(line["counted"]) for line in count["lines"]}
    frame = pd.DataFrame(
        {
            t("SKU"): [line["sku"] for line in count["lines"]],
            t("Item"): [item_name(line) for line in count["lines"]],
            t("Unit"): [unit_name(line["unit"]) for line in count["lines"]],
            "counted": [before[line["item_id"]] for line in count["lines"]],
        },
        dtype=object,
    )
    nonce = state.get(f"{KEY}.{count['id']}.nonce", 0)  # a fresh editor once its changes are saved
    key = f"{KEY}.{count['id']}.list.{nonce}"
    st.data_editor(
        frame,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=[t("SKU"), t("Item"), t("Unit")],
        column_config={"counted": st.column_config.TextColumn(t("Quantity found"))},
    )
    for sku, problem in state.get(f"{KEY}.{count['id']}.problems", {}).items():
        st.error(f"{escape_markdown(sku)}: {md(problem)}", icon=":material/error:")
    st.button(t("Save the quantities"), type="primary", on_click=save_list, args=(count, key, before))


def report(count: dict[str, Any]) -> None:
    counted = [line for line in count["lines"] if line["counted"] is not None]
    left = len(count["lines"]) - len(counted)
    st.caption(t("{counted} of {total} items counted.", counted=len(counted), total=len(count["lines"])))
    if not counted:
        return
    frame = pd.DataFrame(
        [
            {
                t("Item"): item_label(line),
                t("Unit"): unit_name(line["unit"]),
                t("Counted"): quantity(line["counted"]),
                t("In the books"): quantity(line["book"]),
                t("Difference"): quantity(line["difference"]),
                t("Value"): formatting.money(line["value"]),
                t("Counted by"): line["counted_by"] or "",
            }
            for line in counted
        ],
        dtype=object,
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    st.markdown(md("Value of the differences: **{value}**", value=formatting.money(count["value"])))
    if left:
        st.caption(t("Items not counted keep their stock."))
    download_table(t("Download CSV"), frame, f"count-{count['number']}", key=f"{KEY}.{count['id']}.download")


def steps(count: dict[str, Any]) -> None:
    status, version, count_id = count["status"], count["version"], count["id"]
    buttons = st.container(horizontal=True)
    choices = (
        ("open", "stock", "edit", t("Submit for approval"), counts.submit_count, t("Submitted.")),
        ("submitted", "stock_approval", "edit", t("Approve and post"), counts.approve_count, t("Approved.")),
        ("open", "stock", "delete", t("Cancel the count"), counts.cancel_count, t("Cancelled.")),
        ("submitted", "stock", "delete", t("Cancel the count"), counts.cancel_count, t("Cancelled.")),
    )
    for when, module, action, label, step, said in choices:
        if status != when or not allowed(actor.roles, module, action):
            continue
        if buttons.button(label, key=f"{KEY}.{when}.{label}") and succeeded(
            lambda step=step: step(actor=actor, count_id=count_id, expected_version=version)
        ):
            done(said)
    if status == "submitted" and not allowed(actor.roles, "stock_approval", "edit"):
        st.caption(t("Waiting for a manager's approval."))


link("stock-counts", t("Stock counts"), icon=":material/arrow_back:")
count_id = query_id()
try:
    found_count = counts.get_count(actor=actor, count_id=count_id) if count_id is not None else None
except NotFound:
    found_count = None
if found_count is None:
    st.error(t("No record chosen."))
    st.stop()
st.title(f"{found_count['number']} · {t(COUNT_STATUSES[found_count['status']])}")
st.caption(category_name(found_count["category"]))
show_flash(KEY)
entering = found_count["status"] == "open" and allowed(actor.roles, "stock", "edit")
names = [*([t("Scan"), t("List")] if entering else []), t("Discrepancies")]
tabs = dict(zip(names, st.tabs(names), strict=True))
if entering:
    with tabs[t("Scan")]:
        by_scan(found_count)
    with tabs[t("List")]:
        by_list(found_count)
with tabs[t("Discrepancies")]:
    report(found_count)
steps(found_count)
