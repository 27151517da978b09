"""Spreadsheets of logistics, registered in `scm.services.importers.IMPORTERS`:

  shipments         export only: every shipment with carrier, tracking link, dates and lateness
  tracking_updates  import and export: one status event per row, keyed by carrier and tracking number.
                    The export is in the import's format (every event we hold), so a sheet can be
                    edited and re-imported: rows are idempotent by (shipment, event id).

A tracking number that matches no shipment is not an error: the row is kept for review (as the
webhook does) and counted in the summary. Bad cells (unknown status, missing time) reject the file.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Carrier, Shipment, ShipmentEvent, utcnow
from scm.models.logistics import EVENT_STATUSES
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ImportRejected
from scm.services.logistics import shipments as logistics
from scm.sheets import CellError, Column, EntitySpec, ParseResult
from scm.sheets.importer import Importer

SHIPMENTS = EntitySpec("shipments", "Shipments", [
    Column("id", "Shipment", "integer"), Column("kind", "Kind", "text"), Column("reference", "Reference", "text"),
    Column("status", "Status", "text"), Column("carrier", "Carrier", "text"), Column("service", "Service", "text"),
    Column("tracking_number", "Tracking number", "text"), Column("tracking_url", "Tracking link", "text"),
    Column("ship_date", "Ship date", "date"), Column("promised_date", "Promised date", "date"),
    Column("eta", "ETA", "date"), Column("late", "Late", "boolean"), Column("late_reason", "Why late", "text"),
    Column("exception_reason", "Open exception", "text"), Column("packages", "Packages", "integer"),
    Column("weight_kg", "Weight (kg)", "decimal", places=3), Column("customer", "Customer", "text"),
    Column("delivered_at", "Delivered at", "datetime"),
])
TRACKING_UPDATES = EntitySpec("tracking_updates", "Tracking updates", [
    Column("carrier", "Carrier", "text", max_length=20, example="DHL", comment="Carrier code; blank: any carrier"),
    Column("tracking_number", "Tracking number", "text", required=True, max_length=80, example="JD0146000000001"),
    Column("status", "Status", "choice", required=True, choices=EVENT_STATUSES, example="in_transit"),
    Column("occurred_at", "Occurred at", "datetime", required=True, example="2026-03-10 14:30",
           comment="UTC"),
    Column("event_id", "Event id", "text", max_length=120,
           comment="The carrier's event id; blank: one is made from tracking, status and time"),
    Column("location", "Location", "text", max_length=120),
    Column("reason", "Reason", "text", max_length=300, comment="Required for an exception"),
    Column("eta", "New ETA", "date"),
])


def export_shipments(session: Session) -> Iterable[dict[str, Any]]:
    for s in session.scalars(select(Shipment).order_by(Shipment.id).execution_options(yield_per=1000)):
        yield {"id": s.id, "kind": s.kind, "reference": s.reference, "status": s.status, "carrier": s.carrier_label,
               "service": s.service, "tracking_number": s.tracking_number, "tracking_url": s.tracking_url,
               "ship_date": s.ship_date, "promised_date": s.promised_date, "eta": s.eta, "late": s.late,
               "late_reason": s.late_reason, "exception_reason": s.exception_reason, "packages": s.packages,
               "weight_kg": s.weight_kg, "customer": s.customer, "delivered_at": s.delivered_at}


def export_events(session: Session) -> Iterable[dict[str, Any]]:
    stmt = (select(ShipmentEvent, Shipment.tracking_number, Carrier.code)
            .join(Shipment, Shipment.id == ShipmentEvent.shipment_id).outerjoin(Carrier, Carrier.id == Shipment.carrier_id)
            .order_by(ShipmentEvent.shipment_id, ShipmentEvent.occurred_at, ShipmentEvent.id))
    for event, tracking, code in session.execute(stmt):
        yield {"carrier": code or "", "tracking_number": tracking, "status": event.status,
               "occurred_at": event.occurred_at, "event_id": event.event_id, "location": event.location,
               "reason": event.reason, "eta": event.eta}


def _event_id(row: dict[str, Any]) -> str:
    return (row.get("event_id") or "").strip() or \
        f"import-{row['tracking_number']}-{row['status']}-{row['occurred_at'].isoformat()}"[:120]


def check_updates(session: Session, result: ParseResult) -> list[CellError]:
    known = {code.upper() for code in session.scalars(select(Carrier.code))}
    errors = []
    for number, row in zip(result.row_numbers, result.rows):
        if row.get("carrier") and row["carrier"].upper() not in known:
            errors.append(result.locate(number, "carrier", "no carrier with this code", row["carrier"]))
        if row["status"] == "exception" and not (row.get("reason") or "").strip():
            errors.append(result.locate(number, "reason", "an exception needs a reason", ""))
    return errors


def apply_updates(session: Session, result: ParseResult, actor: Actor) -> str:
    if not result.rows:
        raise ImportRejected("the file has no rows")
    now = utcnow()  # when we recorded the rows (like a stock move's posted_at), not when they happened
    counts = {"recorded": 0, "duplicate": 0, "unmatched": 0}
    for row in result.rows:
        outcome, _shipment_id = logistics.record_tracking_update(
            session, carrier_code=(row.get("carrier") or "").upper(), tracking_number=row["tracking_number"],
            event_id=_event_id(row), status=row["status"], occurred_at=row["occurred_at"], now=now, source="import",
            actor=actor, location=row.get("location") or "", reason=row.get("reason") or "", eta=row.get("eta"),
            payload={k: str(v) for k, v in row.items() if v is not None})
        counts[outcome] += 1
    return (f"{counts['recorded']} event(s) recorded, {counts['duplicate']} already known, "
            f"{counts['unmatched']} with an unknown tracking number kept for review")


def _export_only(what: str) -> tuple[Any, Any]:
    def check(_session: Session, result: ParseResult) -> list[CellError]:
        return [result.locate(result.row_numbers[0] if result.row_numbers else 1, None, f"{what} cannot be imported")]

    def apply(_session: Session, _result: ParseResult, _actor: Actor) -> str:
        raise ImportRejected(f"{what} cannot be imported")
    return check, apply


# This area's entities of the Spreadsheets page (`scm.services.importers` joins every area's).
IMPORTERS: dict[str, Importer] = {
    "shipments": Importer(SHIPMENTS, *_export_only("shipments"), export_shipments, (), "Shipments (export only)"),
    "tracking_updates": Importer(TRACKING_UPDATES, check_updates, apply_updates, export_events, ("admin", "buyer", "warehouse"),
                         "Shipment tracking updates (events)"),
}
