"""Replenishment: the policy of each item in each warehouse, plan runs, their suggestions, and stock warnings.

A missing policy row means "the defaults": service level by ABC class, review period and minimum
days of cover from `scm.services.planning.policies.DEFAULTS`. Only rows someone edited are stored.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, Money, Percent, Quantity, UTCDateTime, utcnow

SEVERITIES = ("critical", "warning", "watch")
WARNING_STATUSES = ("open", "acknowledged", "resolved")


class ReplenishmentPolicy(Base):
    """How one item is replenished in one warehouse (NULL fields fall back to the defaults)."""

    __tablename__ = "replenishment_policies"
    __table_args__ = (
        UniqueConstraint("item_id", "warehouse_id", name="uq_replenishment_policies_item_warehouse"),
        CheckConstraint("service_level IS NULL OR (service_level >= 5000 AND service_level <= 9990)",
                        name="service_level_range"),
        CheckConstraint("review_period_days IS NULL OR review_period_days BETWEEN 1 AND 90", name="review_period"),
        CheckConstraint("min_cover_days IS NULL OR min_cover_days BETWEEN 0 AND 90", name="min_cover"),
        CheckConstraint("safety_method IN ('formula','backtest')", name="safety_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    service_level: Mapped[Decimal | None] = mapped_column(Percent())  # e.g. 95.00; NULL: by ABC class
    review_period_days: Mapped[int | None] = mapped_column()
    min_cover_days: Mapped[int | None] = mapped_column()
    safety_method: Mapped[str] = mapped_column(String(16), default="formula")
    auto_order: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PlanRun(Base):
    """One replenishment planning run (nightly or on demand) and what it found."""

    __tablename__ = "replenishment_runs"
    __table_args__ = (CheckConstraint("status IN ('running','ok','error')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pairs: Mapped[int] = mapped_column(default=0)
    suggestions: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class PlanLock(Base):
    """A row the replenishment plan and every action on its suggestions update first, in their own
    transaction: the plan and an approval (or two approvals) then run one after the other, so a plan
    always sees the orders approved before it and an approval always sees a newer plan's suggestions.
    (An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite.)"""

    __tablename__ = "replenishment_locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_by: Mapped[str] = mapped_column(String(120), default="")


class Suggestion(Base):
    """A suggested transfer or purchase line of a plan run, with the arithmetic that produced it.

    `details` keeps every figure the buyer sees (forecast over lead time and review, sigma, lead time,
    safety stock, on hand, reserved, on order, in transit, reorder point, order-up-to).
    """

    __tablename__ = "replenishment_suggestions"
    __table_args__ = (
        CheckConstraint("kind IN ('buy','transfer')", name="kind"),
        CheckConstraint("status IN ('open','approved','dismissed','superseded')", name="status"),
        CheckConstraint("qty >= 0", name="qty_nonneg"),
        Index("ix_replenishment_suggestions_run_status", "run_id", "status"),
        Index("ix_replenishment_suggestions_item_warehouse", "item_id", "warehouse_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("replenishment_runs.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    kind: Mapped[str] = mapped_column(String(16))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    from_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    suggested_qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str | None] = mapped_column(String(3))
    expected_arrival: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON)
    auto_order: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    po_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))


class StockWarning(Base):
    """A projected stock problem of one item in one warehouse; at most one is unresolved per pair.

    Raised and updated by each plan, resolved by the plan when the projection recovers, acknowledged
    by a buyer; `notified_at` is set when buyers were e-mailed, so nobody is e-mailed twice.
    """

    __tablename__ = "stock_warnings"
    __table_args__ = (
        CheckConstraint("severity IN ('critical','warning','watch')", name="severity"),
        CheckConstraint("status IN ('open','acknowledged','resolved')", name="status"),
        Index("ix_stock_warnings_status_severity", "status", "severity"),
        Index("ix_stock_warnings_item_warehouse", "item_id", "warehouse_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    stockout_on: Mapped[date | None] = mapped_column(Date)
    qty_short: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    days_of_cover: Mapped[float | None] = mapped_column(Float)
    stockout_probability: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    open_orders: Mapped[list] = mapped_column(JSON)
    raised_on: Mapped[date] = mapped_column(Date)
    last_seen_on: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
