"""The service catalogue: what the company sells, at what price; managers keep it."""

from core.services.catalogue import catalogue
from ui.entity_pages import list_page

list_page(catalogue, detail="service", new="service-new")
