"""Stock items: what the store holds, found by SKU, barcode or name."""

from core.services.stock import items
from ui.entity_pages import list_page

list_page(items, detail="stock-item", new="stock-item-new")
