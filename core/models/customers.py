"""Customers and the service areas they live in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, ForeignKey, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from core.crypto import EncryptedText, index_values
from core.models.base import Base, Stamped, UTCDateTime


class ServiceArea(Stamped, Base):
    __tablename__ = "service_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Stamped, Base):
    __tablename__ = "customers"
    __audit_masked__ = frozenset({"phone", "phone_alt", "email", "address"})
    # Encrypted contact -> (its blind-index column, how it is normalised): see core/crypto.py. The
    # audit trail leaves the hashes out (they follow their contact, recorded masked).
    __blind_index__: ClassVar[dict[str, tuple[str, str]]] = {
        "phone": ("phone_hash", "phone"),
        "phone_alt": ("phone_alt_hash", "phone"),
        "email": ("email_hash", "email"),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    # Codes are unique and set before insert, so SQLite can bulk-insert many customers in one
    # statement and still match the returned ids to the rows (SQLAlchemy's "insert sentinel").
    code: Mapped[str] = mapped_column(String(20), unique=True, insert_sentinel=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), index=True)
    contact_person: Mapped[str | None] = mapped_column(String(100))
    # Contacts are stored encrypted (tokens are longer than the 32/254/300 characters the forms allow).
    phone: Mapped[str] = mapped_column(EncryptedText)
    phone_alt: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_alt_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    preferences: Mapped[str | None] = mapped_column(String(1000))
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EncryptionCanary(Base):
    """A Fernet token of a known text, written with the first key: a start with a key that cannot
    decrypt it stops before touching anything (core/crypto_store.py). Holds no customer data."""

    __tablename__ = "encryption_canary"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(Text)


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _keep_blind_index(_mapper: Any, _connection: Any, customer: Customer) -> None:
    """The hashes follow the contacts on every ORM write (bulk inserts call `index_values` themselves);
    on an update only those of the contacts that changed (nothing unloaded is read during the flush)."""
    state = inspect(customer)
    changed = [name for name in Customer.__blind_index__ if state.pending or state.attrs[name].history.has_changes()]
    values = {name: getattr(customer, name) for name in changed}
    for column, digest in index_values(Customer, values).items():
        setattr(customer, column, digest)
