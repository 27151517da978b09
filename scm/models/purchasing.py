"""Purchase orders, their lines and history, and receipts (with quality inspection) against them.

Only `scm.services.purchasing.orders` and `scm.services.purchasing.receiving` write these tables. Stock enters the
warehouse through the ledger (`stock_moves` with source_type 'po_receipt'), never from here.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scm.models.base import Base, Money, Quantity, UTCDateTime, utcnow

PO_STATUSES = ("draft", "pending_approval", "approved", "sent", "confirmed", "partially_confirmed", "rejected",
               "in_transit", "partially_received", "received", "closed", "cancelled")
_STATUS_SQL = ",".join(f"'{s}'" for s in PO_STATUSES)
# The status sets every rule reads (one definition each; the README's glossary names them):
UNSENT_STATUSES = ("draft", "pending_approval", "approved")  # committed to, not yet with the supplier; hidden from it
AWAITING_GOODS_STATUSES = ("sent", "confirmed", "partially_confirmed", "in_transit", "partially_received")  # receivable
ON_ORDER_STATUSES = (*UNSENT_STATUSES, *AWAITING_GOODS_STATUSES)  # what the plan counts as on order
ENDED_STATUSES = ("closed", "cancelled", "rejected")  # nothing more will come


class PoSequence(Base):
    """Gap-free document counters: one row per series, bumped with one guarded UPDATE ... RETURNING.

    The row stays locked until the creating transaction ends, so two buyers never get the same
    number and a rolled-back order gives its number back.
    """

    __tablename__ = "po_sequences"
    __table_args__ = (CheckConstraint("last_value >= 0", name="last_value_nonneg"),)

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status"),
        Index("ix_purchase_orders_supplier_status", "supplier_id", "status"),
        Index("ix_purchase_orders_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24), default="draft")
    ordered_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    in_transit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    reject_reason: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    # Totals and open quantities are not computed here: `scm.services.purchasing.figures` is their one function.
    lines: Mapped[list[PurchaseOrderLine]] = relationship(lazy="selectin", order_by="PurchaseOrderLine.id")


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        CheckConstraint("qty_ordered > 0", name="qty_ordered_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_nonneg"),
        CheckConstraint("confirmed_qty IS NULL OR confirmed_qty >= 0", name="confirmed_qty_nonneg"),
        CheckConstraint("qty_received >= 0", name="qty_received_nonneg"),
        CheckConstraint("qty_accepted >= 0 AND qty_rejected >= 0", name="inspected_nonneg"),
        CheckConstraint("qty_accepted + qty_rejected = qty_received", name="inspection_split"),
        CheckConstraint("stated_lead_time_days >= 0", name="lead_time_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    qty_ordered: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    stated_lead_time_days: Mapped[int] = mapped_column(default=0)
    promised_date: Mapped[date | None] = mapped_column(Date)
    confirmed_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    confirmed_date: Mapped[date | None] = mapped_column(Date)
    qty_received: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    qty_accepted: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    qty_rejected: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))


class PurchaseOrderEvent(Base):
    """One status change of a purchase order: who, when, from what to what, and why."""

    __tablename__ = "purchase_order_events"
    __table_args__ = (Index("ix_purchase_order_events_po_id", "po_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(500), default="")


class Receipt(Base):
    """Goods received at the order's warehouse on one occasion, with one line per PO line."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")

    lines: Mapped[list[ReceiptLine]] = relationship(lazy="selectin", order_by="ReceiptLine.id")


class ReceiptLine(Base):
    """Received = accepted + rejected; only the accepted quantity entered stock (`stock_move_id`).
    Rejected quantity never entered stock, so returning it to the supplier moves no stock."""

    __tablename__ = "receipt_lines"
    __table_args__ = (
        CheckConstraint("qty_received > 0", name="qty_received_positive"),
        CheckConstraint("qty_accepted >= 0 AND qty_rejected >= 0", name="inspected_nonneg"),
        CheckConstraint("qty_accepted + qty_rejected = qty_received", name="inspection_split"),
        CheckConstraint("qty_rejected = 0 OR reject_reason <> ''", name="reject_reason_given"),
        CheckConstraint("qty_returned >= 0 AND qty_returned <= qty_rejected", name="returned_range"),
        UniqueConstraint("receipt_id", "po_line_id", name="uq_receipt_lines_receipt_po_line"),
        Index("ix_receipt_lines_po_line_id", "po_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"))
    po_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    qty_received: Mapped[Decimal] = mapped_column(Quantity())
    qty_accepted: Mapped[Decimal] = mapped_column(Quantity())
    qty_rejected: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))
    reject_reason: Mapped[str] = mapped_column(String(500), default="")
    qty_returned: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"))  # rejected, sent back
    stock_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_moves.id"))
