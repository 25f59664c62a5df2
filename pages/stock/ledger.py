"""The stock ledger: every movement, filtered by item, kind and dates. A manager corrects a
mistaken movement by reversing it; an adjustment (damage, loss, found) is asked for by one
person and decided by a manager."""

from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.clock import today
from core.errors import ValidationFailed
from core.i18n import msg
from core.permissions import allowed
from core.services import counts, stock
from core.stock import KINDS
from ui import forms
from ui.context import current_actor, md, t
from ui.feedback import flash, show_flash, succeeded
from ui.stock_widgets import (
    choose,
    chosen_item,
    item_label,
    kind_name,
    movements_frame,
    quantity,
    scan_box,
    show_chosen,
    unit_name,
)
from ui.tables import first_page, paged_frame

KEY = "ledger"
REVERSE = "ledger.reverse"
ADJUST = "ledger.adjust"
actor = current_actor()
state = st.session_state


def movements() -> None:
    code_box, kind_box, dates_box = st.columns([2, 1.5, 2])
    code = code_box.text_input(
        t("Item (barcode or SKU)"), key=f"{KEY}.code", on_change=first_page, args=(KEY,), type="search"
    ).strip()
    kinds = {"": t("All"), **{kind: kind_name(kind) for kind in KINDS}}
    kind = kind_box.selectbox(
        t("Kind"),
        list(kinds),
        format_func=kinds.__getitem__,
        key=f"{KEY}.kind",
        on_change=first_page,
        args=(KEY,),
    )
    period = dates_box.date_input(
        t("Between"),
        value=(today() - timedelta(days=90), today()),
        key=f"{KEY}.dates",
        on_change=first_page,
        args=(KEY,),
    )
    item = stock.find_item(actor=actor, code=code) if code else None
    reversing = allowed(actor.roles, "stock", "delete")
    if code and item is None:
        with code_box:
            forms.error_under(msg("No item has the code {code}.", code=code))
        return
    _page, chosen = paged_frame(
        KEY,
        lambda number, size: stock.ledger(
            actor=actor,
            item_id=item["id"] if item else None,
            kind=kind,
            date_from=period[0] if period else None,
            date_to=period[1] if len(period) > 1 else None,
            page=number,
            page_size=size,
        ),
        lambda page: movements_frame(page.rows),
        selectable=reversing,
    )
    if chosen is not None:
        state[f"{KEY}.chosen"] = dict(chosen)
    if reversing:
        reverse(state.get(f"{KEY}.chosen"))


def reverse(movement: dict[str, Any] | None) -> None:
    if forms.result(REVERSE) is not None:
        state.pop(f"{KEY}.chosen", None)
        state.pop(f"{REVERSE}.reason", None)
        flash(KEY, t("Reversed."))
        st.rerun()
    if movement is None:
        st.caption(t("Click a movement to reverse it."))
        return
    with st.container(border=True):
        st.markdown(
            md(
                "Reverse {kind} of {quantity} {unit} of {item} ({when})",
                kind=kind_name(movement["kind"]),
                quantity=quantity(movement["quantity"]),
                unit=unit_name(movement["unit"]),
                item=item_label(movement),
                when=formatting.moment(movement["at"]),
            )
        )
        st.text_input(t("Why is it reversed? *"), key=f"{REVERSE}.reason")
        forms.error_under(forms.errors_of(REVERSE).get("reason"))
        forms.show_notice(REVERSE)
        action = lambda values, _c: stock.reverse(actor=actor, movement_id=movement["id"], **values)  # noqa: E731
        st.button(
            t("Reverse the movement"),
            on_click=forms.run_action,
            args=(REVERSE, lambda: {"reason": state.get(f"{REVERSE}.reason") or ""}, action, False),
        )


def ask(values: dict[str, Any], _confirmed: bool) -> dict[str, Any]:
    item = chosen_item(ADJUST)
    if item is None:
        raise ValidationFailed({"item_id": msg("Scan or type the item's code first.")})
    return counts.request_adjustment(actor=actor, item_id=item["id"], **values)


def request_adjustment() -> None:
    if forms.result(ADJUST) is not None:
        for name in ("item", "quantity", "reason"):
            state.pop(f"{ADJUST}.{name}", None)
        flash(KEY, t("The adjustment waits for a manager's decision."))
        st.rerun()
    errors = forms.errors_of(ADJUST)
    with st.expander(t("Ask for an adjustment"), expanded=bool(errors)):
        scan_box(ADJUST, choose(ADJUST))
        forms.error_under(errors.get("item_id"))
        show_chosen(ADJUST)
        st.text_input(
            t("Change *"), key=f"{ADJUST}.quantity", help=t("More than zero for stock found, less for stock lost.")
        )
        forms.error_under(errors.get("quantity"))
        st.text_input(t("Reason *"), key=f"{ADJUST}.reason")
        forms.error_under(errors.get("reason"))
        forms.show_notice(ADJUST)
        collect = lambda: {name: state.get(f"{ADJUST}.{name}") or "" for name in ("quantity", "reason")}  # noqa: E731
        st.button(t("Ask for the adjustment"), on_click=forms.run_action, args=(ADJUST, collect, ask, False))


def adjustments() -> None:
    if allowed(actor.roles, "stock", "create"):
        request_adjustment()
    pending = counts.list_adjustments(actor=actor, status="pending")
    st.subheader(t("Waiting for a decision ({count})", count=len(pending)))
    deciding = allowed(actor.roles, "stock_approval", "edit")
    if not pending:
        st.info(t("No adjustment is waiting."))
    for row in pending:
        with st.container(border=True):
            st.markdown(
                md(
                    "{item}: {change} {unit} · {reason} · asked {when}",
                    item=item_label(row),
                    change=quantity(row["quantity"]),
                    unit=unit_name(row["unit"]),
                    reason=row["reason"],
                    when=formatting.moment(row["created_at"]),
                )
            )
            if deciding:
                decide(row)
    decided = counts.list_adjustments(actor=actor, status="approved") + counts.list_adjustments(
        actor=actor, status="rejected"
    )
    if decided:
        st.subheader(t("Decided"))
        frame = [
            {
                t("Item"): item_label(row),
                t("Change"): quantity(row["quantity"], row["unit"]),
                t("Reason"): row["reason"],
                t("Status"): t("Approved") if row["status"] == "approved" else t("Refused"),
                t("When"): formatting.moment(row["decided_at"]),
            }
            for row in sorted(decided, key=lambda row: row["id"], reverse=True)
        ]
        st.dataframe(pd.DataFrame(frame, dtype=object), hide_index=True, width="stretch")


def decide(row: dict[str, Any]) -> None:
    buttons = st.container(horizontal=True)
    for approve, label in ((True, t("Approve")), (False, t("Refuse"))):
        if buttons.button(label, key=f"{KEY}.decide.{row['id']}.{approve}") and succeeded(
            lambda approve=approve: counts.decide_adjustment(actor=actor, adjustment_id=row["id"], approve=approve)
        ):
            flash(KEY, t("Adjustment approved and posted.") if approve else t("Adjustment refused."))
            st.rerun()


st.title(t("Stock ledger"))
show_flash(KEY)
shown = dict(zip(("movements", "adjustments"), st.tabs([t("Movements"), t("Adjustments")]), strict=True))
with shown["movements"]:
    movements()
with shown["adjustments"]:
    adjustments()
