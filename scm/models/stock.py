"""The stock ledger: append-only moves, balances (a cache of the ledger), reservations, documents.

Only `scm.services.stock.ledger` writes these tables (tests/test_architecture.py enforces it).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scm.models.base import Base, Money, Quantity, UTCDateTime, utcnow
from scm.models.items import Item, Warehouse

MOVE_KINDS = ("receipt", "issue", "transfer_out", "transfer_in", "adjustment", "count", "reversal")
# Issues of these reasons are demand history for the forecaster.
DEMAND_REASONS = ("sale", "consumption")
ISSUE_REASONS = ("sale", "consumption", "scrap", "sample", "other")


class StockBalance(Base):
    __tablename__ = "stock_balances"
    __table_args__ = (
        UniqueConstraint("item_id", "warehouse_id", name="uq_stock_balances_item_warehouse"),
        CheckConstraint("on_hand >= 0", name="on_hand_nonneg"),
        CheckConstraint("reserved >= 0", name="reserved_nonneg"),
        CheckConstraint("reserved <= on_hand", name="reserved_le_on_hand"),
        Index("ix_stock_balances_warehouse_item", "warehouse_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    reserved: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[Item] = relationship(lazy="raise")
    warehouse: Mapped[Warehouse] = relationship(lazy="raise")

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMove(Base):
    """One posted change of on-hand stock. Never updated or deleted (database triggers refuse it)."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint("qty_delta <> 0", name="qty_nonzero"),
        CheckConstraint("balance_after >= 0", name="balance_after_nonneg"),
        CheckConstraint(
            "kind IN ('receipt','issue','transfer_out','transfer_in','adjustment','count','reversal')",
            name="kind",
        ),
        UniqueConstraint("reverses_move_id", name="uq_stock_moves_reverses_move_id"),
        Index("ix_stock_moves_item_warehouse_id", "item_id", "warehouse_id", "id"),
        Index("ix_stock_moves_warehouse_id", "warehouse_id", "id"),
        Index("ix_stock_moves_source", "source_type", "source_id"),
        Index("ix_stock_moves_posted_at", "posted_at"),   # the dashboard's time windows
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    qty_delta: Mapped[Decimal] = mapped_column(Quantity())
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32), default="")
    source_type: Mapped[str] = mapped_column(String(32), default="manual")
    source_id: Mapped[int | None] = mapped_column()
    reverses_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_moves.id"))
    balance_after: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")

    item: Mapped[Item] = relationship(lazy="raise")
    warehouse: Mapped[Warehouse] = relationship(lazy="raise")


class Reservation(Base):
    """Stock promised to a document; it lowers what is available without moving stock."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("status IN ('active','released')", name="status"),
        Index("ix_reservations_item_warehouse_status", "item_id", "warehouse_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    reference: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[Item] = relationship(lazy="raise")
    warehouse: Mapped[Warehouse] = relationship(lazy="raise")


class Transfer(Base):
    """A move of stock between two warehouses, posted as one atomic document (out and in legs)."""

    __tablename__ = "transfers"
    __table_args__ = (CheckConstraint("from_warehouse_id <> to_warehouse_id", name="distinct_warehouses"),
                      CheckConstraint("status IN ('posted','in_transit','delivered')", name="status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    from_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # posted: atomic (out and in at once); in_transit: shipped, only the out legs posted; delivered.
    status: Mapped[str] = mapped_column(String(12), default="posted", server_default="posted")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[TransferLine]] = relationship(lazy="selectin", order_by="TransferLine.id")
    from_warehouse: Mapped[Warehouse] = relationship(foreign_keys=[from_warehouse_id], lazy="joined")
    to_warehouse: Mapped[Warehouse] = relationship(foreign_keys=[to_warehouse_id], lazy="joined")


class TransferLine(Base):
    __tablename__ = "transfer_lines"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())

    item: Mapped[Item] = relationship(lazy="joined")


class StockCount(Base):
    """A cycle count: what was counted, what the system said, and the difference posted."""

    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[StockCountLine]] = relationship(lazy="selectin", order_by="StockCountLine.id")
    warehouse: Mapped[Warehouse] = relationship(lazy="joined")
    # Set by stock_ledger.post_count on the object it returns; not columns.
    differences_posted = 0
    changed_since_review = False

    @staticmethod
    def number_for(count_id: int) -> str:
        """The count document's number people quote: CNT-000012."""
        return f"CNT-{count_id:06d}"

    @property
    def number(self) -> str:
        return self.number_for(self.id)


class StockCountLine(Base):
    __tablename__ = "stock_count_lines"
    __table_args__ = (
        CheckConstraint("counted_qty >= 0", name="counted_nonneg"),
        UniqueConstraint("count_id", "item_id", name="uq_stock_count_lines_count_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    counted_qty: Mapped[Decimal] = mapped_column(Quantity())
    system_qty: Mapped[Decimal] = mapped_column(Quantity())

    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def difference(self) -> Decimal:
        return self.counted_qty - self.system_qty


class IdempotencyKey(Base):
    """An API post claimed by its Idempotency-Key; a repeat returns the stored response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column()
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DemandRecord(Base):
    """Past demand imported from spreadsheets or the API (ledger issues of kind sale/consumption
    are the other source). One row per item, warehouse, day and source."""

    __tablename__ = "demand_records"
    __table_args__ = (
        CheckConstraint("qty >= 0", name="qty_nonneg"),
        UniqueConstraint("item_id", "warehouse_id", "day", "source", name="uq_demand_records_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    day: Mapped[date] = mapped_column(Date)
    qty: Mapped[Decimal] = mapped_column(Quantity())
    stockout: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16), default="import")
