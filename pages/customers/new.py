"""A new customer, with a warning when the phone or email is already known."""

from core.services.customers import customers
from ui.entity_pages import new_page

new_page(customers, detail="customer")
