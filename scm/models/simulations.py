"""Policy simulation runs: the replay of recent demand under the forecast policy and a min/max rule."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime, utcnow


class SimulationRun(Base):
    """One `flask scm simulate`: settings, headline figures and per-series rows (JSON).

    `summary` holds both policies at the nominal factor and calibrated to the target fill rate
    (forecasting.simulation.summary of each); `series` one row per item × warehouse. Fill rates and
    the saving are fractions; inventories are units averaged over the replayed periods.
    """

    __tablename__ = "simulation_runs"
    __table_args__ = (
        CheckConstraint("freq IN ('D','W','M')", name="freq"),
        CheckConstraint("service_level > 0 AND service_level < 1", name="service_level_range"),
        CheckConstraint("periods > 0 AND lead_time >= 0 AND review > 0", name="periods_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trigger: Mapped[str] = mapped_column(String(16), default="cli")
    freq: Mapped[str] = mapped_column(String(1), default="W")
    periods: Mapped[int] = mapped_column()
    lead_time: Mapped[int] = mapped_column(default=1)
    review: Mapped[int] = mapped_column(default=1)
    service_level: Mapped[float] = mapped_column(Float)
    series_total: Mapped[int] = mapped_column(default=0)
    series_skipped: Mapped[int] = mapped_column(default=0)
    fill_rate: Mapped[float | None] = mapped_column(Float)
    stockout_periods: Mapped[int] = mapped_column(default=0)
    avg_inventory: Mapped[float | None] = mapped_column(Float)
    minmax_fill_rate: Mapped[float | None] = mapped_column(Float)
    minmax_avg_inventory: Mapped[float | None] = mapped_column(Float)
    saving: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    series: Mapped[list] = mapped_column(JSON, default=list)
