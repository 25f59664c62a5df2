"""Lines of stock items with quantities: a purchase order's lines (item, quantity, unit cost),
a service's materials (item, quantity per unit). Lines are added and removed like an order's,
numbers are typed as text (nothing is rounded before core checks them), and each line's
message appears under it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.i18n import Message
from core.services import stock
from ui import forms
from ui.context import current_actor, t
from ui.stock_widgets import item_label


def _k(form: str, name: str) -> str:
    return f"{form}.{name}"


def items_by_id() -> dict[int, dict[str, Any]]:
    """Every stock item, for choosing one in a line (a few hundred at most)."""
    rows = stock.items.search(actor=current_actor(), page_size=2000).rows
    return {row["id"]: row for row in rows}


def started(form: str, fields: tuple[str, ...]) -> bool:
    state = st.session_state
    ids = state.get(_k(form, "line_ids"))
    return ids is not None and all(_k(form, f"line.{i}.{name}") in state for i in ids for name in ("item_id", *fields))


def start(form: str, lines: list[Mapping[str, Any]], fields: tuple[str, ...]) -> None:
    """Fill the lines unless they already hold what the person is typing."""
    if started(form, fields):
        return
    state = st.session_state
    state[_k(form, "line_ids")] = list(range(len(lines)))
    for index, line in enumerate(lines):
        state[_k(form, f"line.{index}.item_id")] = line.get("item_id")
        for name in fields:
            value = line.get(name)
            state[_k(form, f"line.{index}.{name}")] = "" if value is None else str(value)


def clear(form: str) -> None:
    for key in [key for key in st.session_state if str(key).startswith(form + ".")]:
        del st.session_state[key]


def collect(form: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    state = st.session_state
    return [
        {name: state.get(_k(form, f"line.{i}.{name}")) for name in ("item_id", *fields)}
        for i in state.get(_k(form, "line_ids"), [])
    ]


def _add(form: str, fields: tuple[str, ...]) -> None:
    ids = st.session_state[_k(form, "line_ids")]
    new = max(ids, default=-1) + 1
    ids.append(new)
    st.session_state[_k(form, f"line.{new}.item_id")] = None
    for name in fields:
        st.session_state[_k(form, f"line.{new}.{name}")] = ""


def _remove(form: str, line: int) -> None:
    st.session_state[_k(form, "line_ids")].remove(line)


def _item_chosen(form: str, line: int, items: dict[int, dict[str, Any]]) -> None:
    """Choosing an item proposes its current cost for a purchase line (the clerk may change it)."""
    cost_key = _k(form, f"line.{line}.unit_cost")
    chosen = items.get(st.session_state.get(_k(form, f"line.{line}.item_id")))
    if chosen is not None and cost_key in st.session_state and not st.session_state[cost_key]:
        st.session_state[cost_key] = str(chosen["unit_cost"])


def editor(
    form: str,
    fields: Mapping[str, str],
    errors: Mapping[str, Message],
    *,
    prefix: str = "lines",
    add_label: str,
) -> None:
    """The lines; `fields`: the typed values of a line (name -> label), after its item."""
    items = items_by_id()
    labels = {item_id: item_label(row) for item_id, row in items.items()}
    names = tuple(fields)
    forms.error_under(errors.get(prefix))
    for position, line in enumerate(st.session_state[_k(form, "line_ids")]):
        columns = st.columns([5, *([2] * len(names)), 1], vertical_alignment="bottom")
        columns[0].selectbox(
            t("Item"),
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            key=_k(form, f"line.{line}.item_id"),
            placeholder=t("Choose…"),
            on_change=_item_chosen,
            args=(form, line, items),
        )
        for column, (name, label) in zip(columns[1:], fields.items(), strict=False):
            column.text_input(label, key=_k(form, f"line.{line}.{name}"))
        columns[-1].button(
            "✕", key=_k(form, f"line.{line}.remove"), on_click=_remove, args=(form, line), help=t("Remove this line")
        )
        problem = next(
            (errors[key] for key in (f"{prefix}.{position}.{n}" for n in ("item_id", *names)) if key in errors), None
        )
        forms.error_under(problem)
    st.button(add_label, key=_k(form, "add_line"), on_click=_add, args=(form, names), icon=":material/add:")
