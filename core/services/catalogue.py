"""The service catalogue: the standard entity services (managers edit; orders copy prices)."""

from __future__ import annotations

from core.entities.catalogue import CATALOGUE
from core.services.records import entity_services

catalogue = entity_services(CATALOGUE)
