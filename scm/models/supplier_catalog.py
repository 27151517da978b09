"""The supplier catalog: what each supplier sells us, on which terms, and its price breaks."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, Money, Percent, Quantity, UTCDateTime, utcnow

SOURCING_ROLES = ("primary", "backup", "alternate")


class CatalogEntry(Base):
    """One item as one supplier sells it. At most one entry per (supplier, item).

    `order_multiple` 0 means any quantity; `split_share` (percent, optional) asks the sourcing service
    to give this supplier that share of every order. Percent columns are stored ×100, so the CHECK
    below compares 100.00 % as 10000.
    """

    __tablename__ = "catalog_entries"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id", name="uq_catalog_entries_supplier_item"),
        CheckConstraint("role IN ('primary','backup','alternate')", name="role"),
        CheckConstraint("moq >= 0", name="moq_nonneg"),
        CheckConstraint("order_multiple >= 0", name="multiple_nonneg"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonneg"),
        CheckConstraint("capacity_per_week > 0", name="capacity_positive"),
        CheckConstraint("split_share IS NULL OR (split_share > 0 AND split_share <= 10000)", name="split_share"),
        Index("ix_catalog_entries_item_role", "item_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    supplier_sku: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16), default="alternate")
    moq: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    order_multiple: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("1"))
    lead_time_days: Mapped[int] = mapped_column(default=14)
    capacity_per_week: Mapped[Decimal] = mapped_column(Quantity())
    split_share: Mapped[Decimal | None] = mapped_column(Percent())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PriceBreak(Base):
    """From `min_qty` up, the unit price (in `currency`) between the validity dates (open when empty)."""

    __tablename__ = "price_breaks"
    __table_args__ = (
        CheckConstraint("min_qty >= 0", name="min_qty_nonneg"),
        CheckConstraint("unit_price >= 0", name="unit_price_nonneg"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="dates_ordered"),
        Index("ix_price_breaks_entry_min_qty", "entry_id", "min_qty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("catalog_entries.id"))
    min_qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
