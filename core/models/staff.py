"""Staff as dispatch needs them: who covers which areas with which skills, and their shifts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Stamped, UTCDateTime


class Staff(Stamped, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    public_name: Mapped[str] = mapped_column(String(50))  # what customers see: "刘师傅"
    phone: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[str] = mapped_column(String(20), default="technician")
    status: Mapped[str] = mapped_column(String(10), default="active")  # active, on_leave, left
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    areas: Mapped[list[int]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)


class Shift(Stamped, Base):
    """A stretch of work; it may cross midnight, so it is two instants, not a day and hours."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"))

    __table_args__ = (Index("ix_shifts_staff_starts", "staff_id", "starts_at"),)
