"""Orders, their lines, their status history and their payments."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.models.base import Base, Fixed, Money, Stamped, UTCDateTime


class Order(Stamped, Base):
    __tablename__ = "orders"
    __audit_masked__ = frozenset({"address"})
    __audit_collections__: ClassVar[dict[str, tuple[str, str]]] = {"lines": ("lines", "summary")}

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True, insert_sentinel=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(EncryptedText)  # a copy of the customer's address
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    requested_date: Mapped[date] = mapped_column(Date, index=True)
    window_start: Mapped[time] = mapped_column(Time)  # company wall-clock time
    window_end: Mapped[time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(12), index=True)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignment_reason: Mapped[dict[str, str] | None] = mapped_column(JSON)  # {"en": ..., "zh": ...}
    discount_pct: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal(0))
    discount_state: Mapped[str] = mapped_column(String(10), default="none")  # none, pending, approved, rejected
    discount_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    discount_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    discount_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount_amount: Mapped[Decimal] = mapped_column(Money())
    tax_rate: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_amount: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # sum of payments
    refunded: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # sum of refunds
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(String(500))
    materials_used: Mapped[str | None] = mapped_column(String(1000))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrderLine.id"
    )

    __table_args__ = (
        UniqueConstraint("contract_id", "occurrence_date", name="uq_orders_contract_occurrence"),
        Index("ix_orders_technician_start", "technician_id", "scheduled_start"),
    )


class OrderLine(Base):
    """A line copies the service's name, unit and price, so catalogue changes never alter an order."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    service_code: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(10))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    quantity: Mapped[Decimal] = mapped_column(Fixed(2))
    minutes: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money())

    @property
    def summary(self) -> str:
        """How the line reads in the audit trail."""
        return f"{self.service_code} × {self.quantity} @ {self.unit_price}"


class OrderEvent(Base):
    """One step of the status flow: from, to, who, when and why. Append-only."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(500))


class Payment(Stamped, Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # payment, refund
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money())  # always positive; the kind says which way
    reference: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Contract(Stamped, Base):
    """A recurring job (weekly office cleaning...) that generates its orders ahead."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(12))  # weekly, fortnightly, monthly
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    window_start: Mapped[time] = mapped_column(Time)
    window_end: Mapped[time] = mapped_column(Time)
    address: Mapped[str] = mapped_column(EncryptedText)  # a copy of the customer's address
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(String(1000))

    lines: Mapped[list[ContractLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ContractLine.id"
    )


class ContractLine(Base):
    __tablename__ = "contract_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    quantity: Mapped[Decimal] = mapped_column(Fixed(2))


class LookupAttempt(Base):
    """Failed public order lookups per client and per order number, to stop guessing."""

    __tablename__ = "lookup_attempts"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
