"""Customers and the service areas they live in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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

    id: Mapped[int] = mapped_column(primary_key=True)
    # Codes are unique and set before insert, so SQLite can bulk-insert many customers in one
    # statement and still match the returned ids to the rows (SQLAlchemy's "insert sentinel").
    code: Mapped[str] = mapped_column(String(20), unique=True, insert_sentinel=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200), index=True)
    contact_person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    phone_alt: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(300))
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    preferences: Mapped[str | None] = mapped_column(String(1000))
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
