"""Customers: search, page through, export; pick one to open it."""

from core.services.customers import customers
from ui.entity_pages import list_page

list_page(customers, detail="customer", new="customer-new", importer="customer-import")
