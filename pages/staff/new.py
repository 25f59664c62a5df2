"""A new staff member."""

from core.services.staff import staff
from ui.entity_pages import new_page

new_page(staff, detail="staff-member")
