"""The service catalogue: what the company sells, by unit, with its price and duration."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Fixed, Money, Stamped


class Service(Stamped, Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(10))  # m2, piece, hour, visit
    unit_price: Mapped[Decimal] = mapped_column(Money())
    minutes_per_unit: Mapped[Decimal] = mapped_column(Fixed(2))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
