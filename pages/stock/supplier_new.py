"""A new supplier."""

from core.services.stock import suppliers
from ui.entity_pages import new_page

new_page(suppliers, detail="supplier")
