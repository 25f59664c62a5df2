"""What the stock pages share: an item's name and unit in the reader's language, the scan box
(a barcode scanner types the code and Enter), and the ledger's movements as a table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from core import formatting
from core.entities.stock import CATEGORIES, ITEMS
from core.i18n import Bilingual, Message, msg
from core.services import stock
from core.stock import KINDS
from ui import forms
from ui.context import current_actor, language, md, t

COUNT_STATUSES = {
    "open": Bilingual("Counting", "盘点中"),
    "submitted": Bilingual("Submitted", "已提交"),
    "approved": Bilingual("Approved", "已批准"),
    "cancelled": Bilingual("Cancelled", "已取消"),
}
Found = Callable[[dict[str, Any]], Message | None]  # the scanned item -> a problem to show, or None


def item_name(row: Mapping[str, Any]) -> str:
    return str(row["name_zh"] if language() == "zh" else row["name_en"])


def item_label(row: Mapping[str, Any]) -> str:
    return f"{row['sku']} · {item_name(row)}"


def unit_name(unit: str) -> str:
    return ITEMS.field("unit").choice_label(unit, language())


def category_name(category: str | None) -> str:
    return ITEMS.field("category").choice_label(category, language()) if category else t("All items")


CATEGORY_VALUES = tuple(choice.value for choice in CATEGORIES)


def quantity(value: Any, unit: str | None = None) -> str:
    """A quantity as the reader writes numbers, with its unit if given."""
    if value is None:
        return ""
    shown = formatting.number(value)
    return f"{shown} {unit_name(unit)}" if unit else shown


def kind_name(kind: str) -> str:
    return t(KINDS[kind]) if kind in KINDS else kind


def scan_box(key: str, found: Found, *, label: str | None = None) -> None:
    """A box a scanner types into: Enter looks the code up at once and hands the item to `found`;
    an unknown code, or what `found` says, shows right under the box."""
    st.text_input(
        label or t("Barcode or SKU"),
        key=f"{key}.code",
        on_change=_scanned,
        args=(key, found),
        placeholder=t("Scan, or type the code and press Enter"),
    )
    forms.error_under(st.session_state.get(f"{key}.problem"))


def _scanned(key: str, found: Found) -> None:
    state = st.session_state
    code = str(state.get(f"{key}.code") or "").strip()
    state[f"{key}.code"] = ""  # ready for the next scan: the same code again counts again
    state.pop(f"{key}.problem", None)
    if not code:
        return
    item = stock.find_item(actor=current_actor(), code=code)
    state[f"{key}.problem"] = msg("No item has the code {code}.", code=code) if item is None else found(item)


def chosen_item(key: str) -> dict[str, Any] | None:
    """The item a scan box chose (kept by `choose`), for pages that scan one item at a time."""
    return st.session_state.get(f"{key}.item")


def choose(key: str) -> Found:
    def keep(item: dict[str, Any]) -> Message | None:
        st.session_state[f"{key}.item"] = item
        return None

    return keep


def show_chosen(key: str) -> None:
    item = chosen_item(key)
    if item is None:
        st.caption(t("No item chosen yet."))
    else:
        st.caption(
            md(
                "{item} · on hand {on_hand}",
                item=item_label(item),
                on_hand=quantity(item["on_hand"], item["unit"]),
            )
        )


def movements_frame(rows: Sequence[Mapping[str, Any]], *, with_item: bool = True) -> pd.DataFrame:
    lines = []
    for row in rows:
        line = {t("When"): formatting.moment(row["at"]), t("Kind"): kind_name(row["kind"])}
        if with_item:
            line[t("Item")] = item_label(row)
        line |= {
            t("Quantity"): quantity(row["quantity"]),
            t("Unit"): unit_name(row["unit"]),
            t("Balance after"): quantity(row["balance_after"]),
            t("Unit cost"): formatting.money(row["unit_cost"]),
            t("Who"): row["actor_name"],
            t("Reason"): row["reason"] or "",
        }
        lines.append(line)
    return pd.DataFrame(lines, dtype=object)
