"""What the analytics layer keeps of its own: the targets managers set for the KPIs."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Fixed, Stamped


class KpiTarget(Stamped, Base):
    """A manager's target for one KPI; `higher_is_better` says which side of it is off target."""

    __tablename__ = "kpi_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi: Mapped[str] = mapped_column(String(40), unique=True)
    target: Mapped[Decimal] = mapped_column(Fixed(4))
    higher_is_better: Mapped[bool] = mapped_column(default=True)
