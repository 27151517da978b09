"""Supplier scorecards: the facts they are computed from, the editable settings, and stored snapshots.

Facts are written only through `scm.services.suppliers.scorecard_facts` (purchasing and receiving call it).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, Money, Percent, Quantity, UTCDateTime, utcnow

PERIOD_KINDS = ("month", "quarter")
STANDINGS = ("preferred", "approved", "watch", "probation")


class PoFact(Base):
    """A purchase order sent to a supplier, and when the supplier confirmed it (responsiveness)."""

    __tablename__ = "scorecard_po_facts"
    __table_args__ = (
        UniqueConstraint("supplier_id", "po_ref", name="uq_scorecard_po_facts_supplier_po"),
        Index("ix_scorecard_po_facts_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    po_ref: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryFact(Base):
    """One receipt against one purchase order line: when it was promised, when it came, what and at what price.

    `best_price` is the lowest catalog price of any supplier for the item, quantity and currency on the
    order date, captured when the fact is recorded (NULL when no catalog price applied).
    """

    __tablename__ = "scorecard_delivery_facts"
    __table_args__ = (
        UniqueConstraint("supplier_id", "receipt_ref", name="uq_scorecard_delivery_facts_supplier_receipt"),
        CheckConstraint("qty_ordered > 0", name="qty_ordered_positive"),
        CheckConstraint("qty_received >= 0", name="qty_received_nonneg"),
        CheckConstraint("stated_lead_time_days >= 0", name="stated_lead_time_nonneg"),
        Index("ix_scorecard_delivery_facts_supplier_received", "supplier_id", "received_on"),
        Index("ix_scorecard_delivery_facts_item_supplier", "item_id", "supplier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    po_ref: Mapped[str] = mapped_column(String(64), default="")
    line_ref: Mapped[str] = mapped_column(String(64), default="")
    receipt_ref: Mapped[str | None] = mapped_column(String(64))
    ordered_on: Mapped[date] = mapped_column(Date)
    promised_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)
    qty_ordered: Mapped[Decimal] = mapped_column(Quantity())
    qty_received: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    stated_lead_time_days: Mapped[int] = mapped_column()
    best_price: Mapped[Decimal | None] = mapped_column(Money())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InspectionFact(Base):
    """A quality inspection of received goods: how much was inspected and how much accepted."""

    __tablename__ = "scorecard_inspection_facts"
    __table_args__ = (
        UniqueConstraint("supplier_id", "receipt_ref", name="uq_scorecard_inspection_facts_supplier_receipt"),
        CheckConstraint("qty_inspected > 0", name="qty_inspected_positive"),
        CheckConstraint("qty_accepted >= 0 AND qty_accepted <= qty_inspected", name="accepted_range"),
        Index("ix_scorecard_inspection_facts_supplier_on", "supplier_id", "inspected_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    po_ref: Mapped[str] = mapped_column(String(64), default="")
    receipt_ref: Mapped[str | None] = mapped_column(String(64))
    inspected_on: Mapped[date] = mapped_column(Date)
    qty_inspected: Mapped[Decimal] = mapped_column(Quantity())
    qty_accepted: Mapped[Decimal] = mapped_column(Quantity())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScorecardSettings(Base):
    """Metric weights and standing thresholds (one row; the defaults apply until an admin saves)."""

    __tablename__ = "scorecard_settings"
    __table_args__ = (
        CheckConstraint("preferred_min >= approved_min AND approved_min >= watch_min AND watch_min >= 0 "
                        "AND preferred_min <= 100", name="thresholds_ordered"),
        CheckConstraint("replace_after >= 1", name="replace_after_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_on_time: Mapped[int] = mapped_column(default=25)
    weight_quality: Mapped[int] = mapped_column(default=25)
    weight_lead_time: Mapped[int] = mapped_column(default=15)
    weight_fill_rate: Mapped[int] = mapped_column(default=15)
    weight_price: Mapped[int] = mapped_column(default=10)
    weight_responsiveness: Mapped[int] = mapped_column(default=10)
    preferred_min: Mapped[int] = mapped_column(default=90)
    approved_min: Mapped[int] = mapped_column(default=75)
    watch_min: Mapped[int] = mapped_column(default=60)
    replace_after: Mapped[int] = mapped_column(default=3)
    # Evidence: a metric counts when it rests on at least `min_facts` facts; a supplier is ranked and
    # given a standing only when at least `min_metrics` metrics count (README "Scorecards").
    min_metrics: Mapped[int] = mapped_column(default=3, server_default="3")
    min_facts: Mapped[int] = mapped_column(default=3, server_default="3")
    # A standing at or below `block_standing` for `block_after` rated months in a row blocks new orders
    # (0 = never); an admin override lifts it.
    block_standing: Mapped[str] = mapped_column(String(16), default="probation", server_default="probation")
    block_after: Mapped[int] = mapped_column(default=3, server_default="3")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ScorecardSnapshot(Base):
    """One supplier's scores for one month or quarter. NULL metrics mean "no activity", never zero."""

    __tablename__ = "scorecard_snapshots"
    __table_args__ = (
        UniqueConstraint("supplier_id", "period", "period_start", name="uq_scorecard_snapshots_supplier_period"),
        CheckConstraint("period IN ('month','quarter')", name="period"),
        Index("ix_scorecard_snapshots_period_start", "period", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    on_time_lines: Mapped[Decimal | None] = mapped_column(Percent())
    on_time_qty: Mapped[Decimal | None] = mapped_column(Percent())
    on_time: Mapped[Decimal | None] = mapped_column(Percent())
    quality: Mapped[Decimal | None] = mapped_column(Percent())
    lead_time_mean_days: Mapped[Decimal | None] = mapped_column(Percent())
    lead_time_std_days: Mapped[Decimal | None] = mapped_column(Percent())
    lead_time_stated_days: Mapped[Decimal | None] = mapped_column(Percent())
    lead_time: Mapped[Decimal | None] = mapped_column(Percent())
    fill_rate: Mapped[Decimal | None] = mapped_column(Percent())
    price: Mapped[Decimal | None] = mapped_column(Percent())
    responsiveness_hours: Mapped[Decimal | None] = mapped_column(Percent())
    responsiveness: Mapped[Decimal | None] = mapped_column(Percent())
    overall: Mapped[Decimal | None] = mapped_column(Percent())
    standing: Mapped[str | None] = mapped_column(String(16))
    replace_candidate: Mapped[bool] = mapped_column(default=False)
    deliveries: Mapped[int] = mapped_column(default=0)
    inspections: Mapped[int] = mapped_column(default=0)
    orders: Mapped[int] = mapped_column(default=0)
    # The evidence each metric rests on (see scorecard_metrics.Evidence).
    lines: Mapped[int] = mapped_column(default=0, server_default="0")
    overdue_lines: Mapped[int] = mapped_column(default=0, server_default="0")
    received_receipts: Mapped[int] = mapped_column(default=0, server_default="0")
    priced_receipts: Mapped[int] = mapped_column(default=0, server_default="0")
    qty_inspected: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0), server_default="0")
    orders_scored: Mapped[int] = mapped_column(default=0, server_default="0")
    metrics_counted: Mapped[int] = mapped_column(default=0, server_default="0")
    rated: Mapped[bool] = mapped_column(default=False, server_default=false())
    blocking: Mapped[bool] = mapped_column(default=False, server_default=false())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
