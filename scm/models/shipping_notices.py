"""Advance shipping notices: a supplier announces which lines of a purchase order it has shipped.

Only `scm.services.portal` writes these tables. A notice line never exceeds the line's confirmed (or,
unconfirmed, ordered) quantity minus what earlier notices already announced; the service checks it.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scm.models.base import Base, Quantity, UTCDateTime, utcnow


class ShippingNotice(Base):
    __tablename__ = "shipping_notices"
    __table_args__ = (
        CheckConstraint("expected_arrival >= ship_date", name="dates_ordered"),
        Index("ix_shipping_notices_supplier_po", "supplier_id", "po_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    carrier: Mapped[str] = mapped_column(String(80))
    tracking_number: Mapped[str] = mapped_column(String(80))
    ship_date: Mapped[date] = mapped_column(Date)
    expected_arrival: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list[ShippingNoticeLine]] = relationship(lazy="selectin", order_by="ShippingNoticeLine.id")


class ShippingNoticeLine(Base):
    __tablename__ = "shipping_notice_lines"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        UniqueConstraint("notice_id", "po_line_id", name="uq_shipping_notice_lines_notice_po_line"),
        Index("ix_shipping_notice_lines_po_line_id", "po_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("shipping_notices.id"))
    po_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
