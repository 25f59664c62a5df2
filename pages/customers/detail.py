"""One customer: details, their orders and what they add up to, their follow-ups, edit, archive, history."""

from core.permissions import allowed
from core.services.customers import customers
from ui.context import current_actor
from ui.customer_orders import customer_orders
from ui.entity_pages import detail_page
from ui.follow_ups import customer_follow_ups

tabs = {"Orders": customer_orders} if allowed(current_actor().roles, "orders", "view") else {}
if allowed(current_actor().roles, "follow_ups", "view"):
    tabs["Follow-ups"] = customer_follow_ups
detail_page(customers, back="customers", extra_tabs=tabs)
