"""One stock item: details, its movements in the ledger, edit, history."""

from collections.abc import Mapping
from typing import Any

from core.services import stock
from core.services.stock import items
from ui.context import current_actor
from ui.entity_pages import detail_page
from ui.stock_widgets import movements_frame
from ui.tables import paged_frame


def movements(item: Mapping[str, Any]) -> None:
    actor = current_actor()
    paged_frame(
        f"stock-item.{item['id']}.movements",
        lambda number, size: stock.ledger(actor=actor, item_id=item["id"], page=number, page_size=size),
        lambda page: movements_frame(page.rows, with_item=False),
        selectable=False,
    )


detail_page(items, back="stock-items", extra_tabs={"Movements": movements})
