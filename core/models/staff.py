"""Staff: who covers which areas with which skills and certificates, their trainings, shifts,
leave, attendance and performance reviews."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Fixed, Money, Stamped, UTCDateTime


class Staff(Stamped, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    public_name: Mapped[str] = mapped_column(String(50))  # what customers see: "刘师傅"
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    birth_date: Mapped[date | None] = mapped_column(Date)
    hire_date: Mapped[date | None] = mapped_column(Date)
    team: Mapped[str | None] = mapped_column(String(50))
    hourly_cost: Mapped[Decimal | None] = mapped_column(Money())
    left_on: Mapped[date | None] = mapped_column(Date)
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
    role: Mapped[str] = mapped_column(String(20), default="technician")

    __table_args__ = (Index("ix_shifts_staff_starts", "staff_id", "starts_at"),)


class Qualification(Stamped, Base):
    """A certificate a person holds, e.g. for work at height; with a skill it licenses, dispatch
    uses that skill only while the certificate is valid (no expiry date: valid for good)."""

    __tablename__ = "qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    skill: Mapped[str | None] = mapped_column(String(30))
    obtained_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class Training(Stamped, Base):
    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    taken_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(10))  # passed, failed, attended
    notes: Mapped[str | None] = mapped_column(String(500))


class Attendance(Stamped, Base):
    """One stretch of work as clocked: in and out are instants taken by the server (a night
    shift simply ends the next day); an open entry has no clock-out yet. A manager's correction
    keeps its reason here and its before/after in the audit trail."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    clock_in: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_out: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correction_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_attendance_staff_in", "staff_id", "clock_in"),)


class LeaveRequest(Stamped, Base):
    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # annual, sick, personal, unpaid
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, approved, refused, cancelled
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))


class Review(Stamped, Base):
    """A performance review of one person for one period: the figures computed from the data,
    the weights and score they gave, the manager's comments. Once final it never changes."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[Decimal] = mapped_column(Fixed(2))
    comments: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft, final
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("staff_id", "period_from", "period_to"),)
