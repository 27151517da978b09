"""Item master and warehouses."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, Money, UTCDateTime, utcnow

UNITS = ("ea", "box", "pack", "kg", "g", "l", "ml", "m", "pair", "set")


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("abc_class IN ('A','B','C')", name="abc_class"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_nonneg"),
        CheckConstraint("forecast_freq IN ('D','W','M')", name="forecast_freq"),
        Index("ix_items_name", "name"),
        Index("ix_items_category_sku", "category", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(16), default="ea")
    category: Mapped[str] = mapped_column(String(80), default="")
    unit_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    abc_class: Mapped[str] = mapped_column(String(1), default="C")
    is_core: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Demand is forecast in weekly buckets unless an item says otherwise (D daily, M monthly).
    forecast_freq: Mapped[str] = mapped_column(String(1), default="W", server_default="W")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Warehouse(Base):
    __tablename__ = "warehouses"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(400), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
