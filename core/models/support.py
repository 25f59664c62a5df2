"""Support: the problems people report from any page, kept until an admin closes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Stamped, UTCDateTime


class ProblemReport(Stamped, Base):
    """A problem someone met on a page: which page (its url path), what they say happened, and an
    optional screenshot (PNG or JPEG, checked by its bytes). The reporter and the time are the
    stamps' (created_by_id, created_at) and also kept in `reporter_id`; an admin closes it with
    what was done."""

    __tablename__ = "problem_reports"
    __audit_hidden__ = ("screenshot",)  # the trail notes that there is one, not its megabytes

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    screenshot: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    screenshot_type: Mapped[str | None] = mapped_column(String(20))  # image/png, image/jpeg
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open, closed
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(1000))
