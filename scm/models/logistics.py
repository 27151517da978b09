"""Logistics: carriers, shipments (inbound, transfer, outbound), their lines and their status events.

Only `scm.services.logistics.shipments` (and its helpers) writes these tables. A shipment's status moves only
forward: the service updates it with one guarded statement on `status_rank`, so out-of-order or
concurrent events never move it back. Events are unique per (shipment, event id): a repeated delivery
of a webhook is one row. Tracking updates for unknown tracking numbers are kept for review.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scm.models.base import Base, Quantity, UTCDateTime, utcnow

SHIPMENT_KINDS = ("inbound", "transfer", "outbound")
# Progress statuses in rank order; "exception" is recorded as an event but never moves the rank.
# The last three are ours, never a carrier's: receiving sets partially_received and received on the
# inbound shipments of the order it receives against, and an order that ends (closed, cancelled) sets
# received (something arrived) or cancelled (nothing did). They rank above every carrier status, so
# a carrier event arriving after the receipt never moves a shipment back.
STATUS_RANK = {"created": 0, "picked_up": 1, "in_transit": 2, "at_hub": 3, "out_for_delivery": 4,
               "delivered": 5, "returned": 6, "partially_received": 7, "received": 8, "cancelled": 9}
RECEIPT_STATUSES = ("partially_received", "received", "cancelled")
EVENT_STATUSES = (*(s for s in STATUS_RANK if s not in RECEIPT_STATUSES), "exception")  # what others may report
CLOSED_STATUSES = ("delivered", "returned", "received", "cancelled")
_KINDS_SQL = ",".join(f"'{k}'" for k in SHIPMENT_KINDS)
_STATUS_SQL = ",".join(f"'{s}'" for s in STATUS_RANK)
_EVENT_SQL = ",".join(f"'{s}'" for s in (*EVENT_STATUSES, *RECEIPT_STATUSES))


class Carrier(Base):
    """A carrier as data: `tracking_url_template` contains `{tracking}`; `transit_days` maps a service
    name to the expected door-to-door days; no event for `event_interval_hours` counts as a delay."""

    __tablename__ = "carriers"
    __table_args__ = (CheckConstraint("event_interval_hours > 0", name="interval_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    tracking_url_template: Mapped[str] = mapped_column(String(300), default="")
    transit_days: Mapped[dict] = mapped_column(JSON, default=dict)
    event_interval_hours: Mapped[int] = mapped_column(default=48)
    active: Mapped[bool] = mapped_column(default=True)

    def tracking_url(self, tracking_number: str) -> str:
        from urllib.parse import quote
        if not self.tracking_url_template or not tracking_number:
            return ""
        return self.tracking_url_template.replace("{tracking}", quote(tracking_number, safe=""))


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status"),
        CheckConstraint("packages IS NULL OR packages >= 0", name="packages_nonneg"),
        CheckConstraint("weight_kg IS NULL OR weight_kg >= 0", name="weight_nonneg"),
        UniqueConstraint("notice_id", name="uq_shipments_notice_id"),
        Index("ix_shipments_tracking", "tracking_number"),
        Index("ix_shipments_kind_status", "kind", "status"),
        Index("ix_shipments_po_id", "po_id"),
        Index("ix_shipments_supplier_id", "supplier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    reference: Mapped[str] = mapped_column(String(80), default="")  # PO number, transfer no., sales order
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"))
    carrier_name: Mapped[str] = mapped_column(String(80), default="")  # free text when not in the table
    service: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str] = mapped_column(String(80), default="")
    ship_date: Mapped[date | None] = mapped_column(Date)
    promised_date: Mapped[date | None] = mapped_column(Date)
    eta: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="created")
    status_rank: Mapped[int] = mapped_column(default=0)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exception_reason: Mapped[str] = mapped_column(String(300), default="")  # open exception, "" when none
    exception_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(default=False)
    late_reason: Mapped[str] = mapped_column(String(300), default="")
    delay_detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    weight_kg: Mapped[Decimal | None] = mapped_column(Quantity())
    packages: Mapped[int | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    po_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_notices.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    from_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    customer: Mapped[str] = mapped_column(String(120), default="")
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list[ShipmentLine]] = relationship(lazy="selectin", order_by="ShipmentLine.id")
    carrier: Mapped[Carrier | None] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def carrier_label(self) -> str:
        return self.carrier.name if self.carrier is not None else self.carrier_name

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url(self.tracking_number) if self.carrier is not None else ""


class ShipmentLine(Base):
    """What a shipment carries: a PO line (inbound), a transfer line, or an outbound line (reserved stock)."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("qty_received >= 0 AND qty_received <= qty", name="qty_received_range"),
        Index("ix_shipment_lines_shipment_id", "shipment_id"),
        Index("ix_shipment_lines_po_line_id", "po_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    # Inbound: how much of `qty` our receipts booked against this line (receipts fill the order's
    # shipments earliest ETA first); the rest is still expected on this shipment.
    qty_received: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0"), server_default="0")
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_lines.id"))
    transfer_line_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_lines.id"))
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservations.id"))

    @property
    def qty_pending(self) -> Decimal:
        """Still expected on this line (inbound): carried minus received here."""
        return max(self.qty - self.qty_received, Decimal("0"))


class ShipmentEvent(Base):
    """One tracking event. `event_id` is the source's id (webhook id, carrier event id) or one we make."""

    __tablename__ = "shipment_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "event_id", name="uq_shipment_events_shipment_event"),
        CheckConstraint(f"status IN ({_EVENT_SQL})", name="status"),
        Index("ix_shipment_events_shipment_occurred", "shipment_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    event_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    eta: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(12))  # staff | portal | import | webhook | system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class UnmatchedTrackingEvent(Base):
    """A tracking update whose tracking number matched no shipment: kept for a person to review."""

    __tablename__ = "unmatched_tracking_events"
    __table_args__ = (UniqueConstraint("carrier_code", "event_id", name="uq_unmatched_tracking_events_carrier_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_code: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str] = mapped_column(String(80))
    event_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="")
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payload: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(12))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
