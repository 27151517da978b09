"""Item master, units of measure and warehouses."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Float, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, Money, UTCDateTime, utcnow

# The units every installation starts with: (code, name, decimals a quantity may have). Migration
# 0011 writes the same list (migrations import no app code) plus every unit items already use.
STANDARD_UNITS = (
    ("ea", "each", 0), ("pcs", "pieces", 0), ("box", "box", 0), ("pack", "pack", 0), ("pair", "pair", 0),
    ("set", "set", 0), ("kg", "kilogram", 3), ("g", "gram", 1), ("l", "litre", 3), ("ml", "millilitre", 1),
    ("m", "metre", 3),
)
UNKNOWN_UNIT_DECIMALS = 3  # the ledger's own precision: what an unregistered unit allowed before units existed


class UnitOfMeasure(Base):
    """A unit items are counted in, and how many decimals a quantity in it may have (0 = whole numbers).

    `items.uom` holds the code. It is not a foreign key: adding one on SQLite means rebuilding the
    items table that every stock row references; masterdata refuses unknown codes instead.
    """

    __tablename__ = "units_of_measure"
    __table_args__ = (CheckConstraint("decimals BETWEEN 0 AND 3", name="decimals"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    decimals: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def standard_unit_rows() -> list[dict[str, Any]]:
    now = utcnow()
    return [{"code": c, "name": n, "decimals": d, "created_at": now} for c, n, d in STANDARD_UNITS]


@event.listens_for(UnitOfMeasure.__table__, "after_create")
def _seed_standard_units(table: Any, connection: Any, **_kw: Any) -> None:
    """A schema made by `create_all` (tests, benchmarks) starts with the standard units, as a migrated one."""
    connection.execute(table.insert(), standard_unit_rows())


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
