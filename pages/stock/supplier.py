"""One supplier: details, edit, history."""

from core.services.stock import suppliers
from ui.entity_pages import detail_page

detail_page(suppliers, back="suppliers")
