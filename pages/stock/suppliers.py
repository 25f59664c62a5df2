"""Suppliers: who sells us the materials, their contacts and lead time."""

from core.services.stock import suppliers
from ui.entity_pages import list_page

list_page(suppliers, detail="supplier", new="supplier-new")
