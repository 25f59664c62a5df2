"""A new catalogue service."""

from core.services.catalogue import catalogue
from ui.entity_pages import new_page

new_page(catalogue, detail="service")
