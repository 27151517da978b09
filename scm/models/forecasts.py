"""Promotions, forecast runs and the stored forecasts of each run (kept to compare with actuals)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime, utcnow


class Promotion(Base):
    """A planned promotion: the forecaster uses it as a regressor and the chart shows it."""

    __tablename__ = "promotions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("uplift > -1 AND uplift <= 10", name="uplift_range"),
        Index("ix_promotions_item_warehouse", "item_id", "warehouse_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    uplift: Mapped[float] = mapped_column(Float, default=0.2)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ForecastRun(Base):
    """One batch forecast; `series_done` moves while it runs so the planning page can show progress."""

    __tablename__ = "forecast_runs"
    __table_args__ = (CheckConstraint("status IN ('running','ok','error')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="running")
    trigger: Mapped[str] = mapped_column(String(16), default="cli")
    series_total: Mapped[int] = mapped_column(default=0)
    series_done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class Forecast(Base):
    """The chosen model's forecast of one item in one warehouse, from one run.

    Arrays are JSON lists aligned with `period_starts` (the forecast periods). `mase`, `wape` and
    `bias` are the chosen model's backtest scores; `sigma` its error spread per horizon step.
    """

    __tablename__ = "forecasts"
    __table_args__ = (
        UniqueConstraint("run_id", "item_id", "warehouse_id", name="uq_forecasts_run_item_warehouse"),
        Index("ix_forecasts_item_warehouse_run", "item_id", "warehouse_id", "run_id"),
        CheckConstraint("freq IN ('D','W','M')", name="freq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    freq: Mapped[str] = mapped_column(String(1))
    model: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(16))
    history_end: Mapped[date] = mapped_column(Date)
    period_starts: Mapped[list] = mapped_column(JSON)
    mean: Mapped[list] = mapped_column(JSON)
    lo80: Mapped[list] = mapped_column(JSON)
    hi80: Mapped[list] = mapped_column(JSON)
    lo95: Mapped[list] = mapped_column(JSON)
    hi95: Mapped[list] = mapped_column(JSON)
    sigma: Mapped[list] = mapped_column(JSON)
    backtest: Mapped[list] = mapped_column(JSON)
    params: Mapped[dict] = mapped_column(JSON)
    warnings: Mapped[list] = mapped_column(JSON)
    mase: Mapped[float | None] = mapped_column(Float)
    wape: Mapped[float | None] = mapped_column(Float)
    bias: Mapped[float | None] = mapped_column(Float)
