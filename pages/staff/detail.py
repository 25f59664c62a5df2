"""One staff member."""

from core.services.staff import staff
from ui.entity_pages import detail_page

detail_page(staff, back="staff")
