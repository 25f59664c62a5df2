"""Staff: who covers which areas with which skills (dispatch reads this)."""

from core.services.staff import staff
from ui.entity_pages import list_page

list_page(staff, detail="staff-member", new="staff-new")
