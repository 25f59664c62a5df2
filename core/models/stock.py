"""Stock: items and suppliers, the append-only ledger of movements, purchase orders,
stock counts, and the materials each service consumes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Fixed, Money, Stamped, UTCDateTime


class Supplier(Stamped, Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text)


class Item(Stamped, Base):
    """A stock item. `on_hand` is the ledger's running balance, changed only with a movement
    in the same transaction; `unit_cost` is the moving average cost of what is on hand."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    reorder_level: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal(0))
    reorder_quantity: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal(0))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_hand: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal(0))


class Movement(Base):
    """One change of stock: + in, - out. Never updated or deleted (database triggers refuse);
    a mistake is corrected by a movement that reverses it."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    kind: Mapped[str] = mapped_column(String(12))  # receipt, issue, return, adjustment, count
    quantity: Mapped[Decimal] = mapped_column(Fixed(2))
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    balance_after: Mapped[Decimal] = mapped_column(Fixed(2))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(300))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    stock_count_id: Mapped[int | None] = mapped_column(ForeignKey("stock_counts.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"), unique=True)

    __table_args__ = (Index("ix_stock_movements_item_at", "item_id", "at"),)


class ServiceMaterial(Base):
    """How much of an item a catalogue service typically uses per unit sold (per m², per seat)."""

    __tablename__ = "service_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity_per_unit: Mapped[Decimal] = mapped_column(Fixed(4))

    __table_args__ = (UniqueConstraint("service_id", "item_id", name="uq_service_materials_service_item"),)


class PurchaseOrder(Stamped, Base):
    __tablename__ = "purchase_orders"
    __audit_collections__: ClassVar[dict[str, tuple[str, str]]] = {"lines": ("lines", "summary")}

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(String(1000))

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PurchaseOrderLine.id"
    )


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[Decimal] = mapped_column(Fixed(2))
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    received: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal(0))

    @property
    def summary(self) -> str:
        """How the line reads in the audit trail."""
        return f"item {self.item_id} × {self.quantity} @ {self.unit_cost}"


class StockAdjustment(Stamped, Base):
    """A change of stock outside receipts, issues and counts (damage, loss, found). Asked for by
    one person and posted only when someone else approves it."""

    __tablename__ = "stock_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[Decimal] = mapped_column(Fixed(2))  # + found, - lost
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))  # pending, approved, rejected
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"))


class StockCount(Stamped, Base):
    """A physical count. Counting does not stop issuing: each line keeps the book quantity at
    the moment it was counted, so the adjustment is what the count found missing or extra."""

    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str | None] = mapped_column(String(20))  # None: every item
    status: Mapped[str] = mapped_column(String(12))  # open, submitted, approved, cancelled
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[StockCountLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StockCountLine.id"
    )


class StockCountLine(Base):
    __tablename__ = "stock_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    counted: Mapped[Decimal | None] = mapped_column(Fixed(2))
    book: Mapped[Decimal | None] = mapped_column(Fixed(2))  # on hand when counted
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counted_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("stock_count_id", "item_id", name="uq_stock_count_lines_count_item"),)
