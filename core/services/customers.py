"""Customer services: the standard entity services of the customer description."""

from __future__ import annotations

from core.entities.customers import CUSTOMERS
from core.services.records import entity_services

customers = entity_services(CUSTOMERS)
