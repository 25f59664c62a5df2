"""The one table with pagination: a page of rows fetched by the server, shown with
labels in the reader's language; clicking a row selects it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.entities.records import Page
from core.entities.refs import RefOption
from core.entities.spec import Field
from ui.context import language, t

PAGE_SIZES = (25, 50, 100)


def page_number(key: str) -> int:
    return int(st.session_state.get(f"{key}.page", 1))


def page_size(key: str) -> int:
    return int(st.session_state.get(f"{key}.size", PAGE_SIZES[0]))


def first_page(key: str) -> None:
    """Callback for filters: a new search starts on page 1."""
    st.session_state[f"{key}.page"] = 1


def _move(key: str, to: int) -> None:
    st.session_state[f"{key}.page"] = to


def display_value(field: Field, value: Any, options: Mapping[str, list[RefOption]]) -> Any:
    if value is None:
        return ""
    if field.kind in {"choice", "multichoice"}:
        return field.choice_label(value, language())
    if field.kind in {"ref", "multiref"}:
        labels = {option.id: option.label.get(language()) for option in options.get(field.ref or "", [])}
        if field.kind == "multiref":
            return ", ".join(labels.get(item, str(item)) for item in value)
        return labels.get(value, str(value))
    if field.kind == "decimal":
        return formatting.number(value)
    if field.kind == "bool":
        return "✓" if value else "✗"
    if field.kind == "date":
        return formatting.day(value)
    return value


def records_frame(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[Field], options: Mapping[str, list[RefOption]] | None = None
) -> pd.DataFrame:
    options = options or {}
    data = {
        field.label.get(language()): [display_value(field, row.get(field.name), options) for row in rows]
        for field in fields
    }
    return pd.DataFrame(data, dtype=object)


def paged_table(
    key: str,
    fetch: Callable[[int, int], Page],
    fields: Sequence[Field],
    *,
    options: Mapping[str, list[RefOption]] | None = None,
) -> tuple[Page, Mapping[str, Any] | None]:
    """A page of declared records; returns it and the row the person clicked, if any."""
    return paged_frame(key, fetch, lambda page: records_frame(page.rows, fields, options))


def paged_frame(
    key: str,
    fetch: Callable[[int, int], Page],
    to_frame: Callable[[Page], pd.DataFrame],
    *,
    selectable: bool = True,
) -> tuple[Page, Mapping[str, Any] | None]:
    """Fetch one page from the server and show it with the pager under it."""
    page = fetch(page_number(key), page_size(key))
    if page.total == 0:
        st.info(t("Nothing found."))
        return page, None
    frame = to_frame(page)
    if not selectable:
        st.dataframe(frame, hide_index=True, width="stretch", height="content")
        _pager(key, page)
        return page, None
    chosen = pick_row(key, frame, page.rows)
    _pager(key, page)
    return page, chosen


def pick_row(
    key: str, frame: pd.DataFrame, rows: Sequence[Mapping[str, Any]], show: Callable[[], None] | None = None
) -> Mapping[str, Any] | None:
    """A table whose rows can be clicked; returns the clicked row's record once."""
    # A fresh widget key after each pick, so coming back to the page does not pick the row again.
    nonce = st.session_state.get(f"{key}.nonce", 0)
    event = st.dataframe(
        frame,
        key=f"{key}.table.{nonce}",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height="content",
    )
    chosen = event.selection.rows if event and event.selection else []
    if not chosen or chosen[0] >= len(rows):
        return None
    st.session_state[f"{key}.nonce"] = nonce + 1
    return rows[chosen[0]]


def _pager(key: str, page: Page) -> None:
    left, middle, right, size = st.columns([1, 3, 1, 1.4], vertical_alignment="center")
    left.button(
        "‹",
        key=f"{key}.prev",
        disabled=page.page <= 1,
        on_click=_move,
        args=(key, page.page - 1),
        help=t("Previous page"),
    )
    middle.caption(t("Page {page} of {pages} · {total} records", page=page.page, pages=page.pages, total=page.total))
    right.button(
        "›",
        key=f"{key}.next",
        disabled=page.page >= page.pages,
        on_click=_move,
        args=(key, page.page + 1),
        help=t("Next page"),
    )
    size.selectbox(
        t("Rows per page"),
        PAGE_SIZES,
        key=f"{key}.size",
        on_change=first_page,
        args=(key,),
        label_visibility="collapsed",
    )
