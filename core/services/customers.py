"""Customer services: the standard entity services of the customer description (their answers
carry the contacts masked, for every role), and the one way to see a customer's contacts in full."""

from __future__ import annotations

from typing import Any

from core import db
from core.actor import Actor
from core.audit import record_event
from core.entities import records
from core.entities.customers import CUSTOMERS
from core.masking import CONTACT_FIELDS
from core.permissions import service
from core.services.records import entity_services

customers = entity_services(CUSTOMERS)


@service("contacts", "view")
def reveal_contacts(customer_id: int, *, actor: Actor) -> dict[str, Any]:
    """One customer's phones and email in full, for someone who must call them (contacts.view).

    The view is written in the audit trail first (who, when, which customer; never the
    values): if that cannot be written, nothing is revealed."""
    with db.reading() as session:
        customer = records.get(session, CUSTOMERS, customer_id)
        code, name = customer.code, customer.name
        contacts = {field: getattr(customer, field) for field in CONTACT_FIELDS}
    record_event(actor, "contacts_viewed", entity="customers", entity_id=customer_id, detail=code)
    return {"id": customer_id, "code": code, "name": name, **contacts}
