"""What segmentation and forecasting keep: clerks' follow-ups with customers, and each forecast
run with its series, their accuracy and their weekly points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Stamped, UTCDateTime


class FollowUp(Stamped, Base):
    """A reminder to get back to a customer on a day: set by a clerk by hand, or for every
    customer of a segment at once (`origin` says which), closed with what came of it."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(500))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin: Mapped[str | None] = mapped_column(String(60))  # e.g. "segment:at_risk", "cluster:3"
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(500))


class ForecastRun(Base):
    """One background forecast: its progress while it runs, then its models and overall accuracy.
    Pages read the newest run whose status is 'done'; a run that fails or is interrupted leaves
    the previous one in force. Not Stamped: progress is written many times and is not audited."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # running, done, failed, interrupted
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)  # a running run that stops beating was interrupted
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    as_of: Mapped[date] = mapped_column(Date)  # the last day of the history used (a Sunday: whole weeks)
    horizon_weeks: Mapped[int] = mapped_column(Integer)
    series_total: Mapped[int] = mapped_column(Integer, default=0)
    series_done: Mapped[int] = mapped_column(Integer, default=0)
    models: Mapped[list[str] | None] = mapped_column(JSON)
    accuracy: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {model: {"wape": .., "mase": ..}} overall
    seconds: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str | None] = mapped_column(String(500))


class ForecastSeries(Base):
    """One forecast series of a run: weekly jobs of a service in an area ('demand'), or weekly
    consumption of a stock item ('consumption'), with the model chosen by backtest."""

    __tablename__ = "forecast_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # demand, consumption
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("service_areas.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    history_weeks: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(40))  # the one used: best by backtest, or the baseline
    accuracy: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {model: {"wape": .., "mase": ..}}
    note: Mapped[str | None] = mapped_column(String(300))  # e.g. why only the baseline could be used

    __table_args__ = (Index("ix_forecast_series_run_kind", "run_id", "kind"),)


class ForecastPoint(Base):
    """A week of a series: the forecast (mean) and its prediction interval at `level` percent."""

    __tablename__ = "forecast_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("forecast_series.id", ondelete="CASCADE"), index=True)
    week: Mapped[date] = mapped_column(Date)  # the Monday of the week
    value: Mapped[float] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None] = mapped_column(Integer)
