"""One customer: details, their orders and what they add up to, edit, archive, history."""

from core.permissions import allowed
from core.services.customers import customers
from ui.context import current_actor
from ui.customer_orders import customer_orders
from ui.entity_pages import detail_page

tabs = {"Orders": customer_orders} if allowed(current_actor().roles, "orders", "view") else {}
detail_page(customers, back="customers", extra_tabs=tabs)
