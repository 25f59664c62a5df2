"""A new stock item; its stock starts at zero and changes only through movements."""

from core.services.stock import items
from ui.entity_pages import new_page

new_page(items, detail="stock-item")
