"""Excel for logistics: shipments export; tracking updates import (idempotent by event id, unknown
tracking kept for review, bad cells rejected with row and column) and export in the import's format."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from scm.models import Shipment, ShipmentEvent, UnmatchedTrackingEvent
from scm.services import importers
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import logistics_factories as lf


def workbook(rows: list[list]) -> bytes:  # type: ignore[type-arg]
    book = Workbook()
    sheet = book.active
    sheet.append(["Carrier", "Tracking number", "Status", "Occurred at", "Event id", "Location", "Reason", "New ETA"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_tracking_updates_import_records_moves_and_keeps_unknowns(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    actor = Actor.for_user(f.user(session, "warehouse"), via="web")
    data = workbook([["FASTX", "TRK-1", "in_transit", "2026-03-10 12:00", "c-1", "Hub", "", "2026-03-14"],
                     ["FASTX", "TRK-1", "in_transit", "2026-03-10 12:00", "c-1", "Hub", "", ""],
                     ["", "NOPE-1", "at_hub", "2026-03-10 13:00", "", "", "", ""]])
    batch, result = importers.preview(session, "tracking_updates", data, "updates.xlsx", actor=actor)
    assert result.errors == []
    applied = importers.apply(session, batch.id, actor=actor)
    assert applied.summary == "1 event(s) recorded, 1 already known, 1 with an unknown tracking number kept for review"
    session.refresh(shipment)
    assert shipment.status == "in_transit" and str(shipment.eta) == "2026-03-14"
    assert session.scalar(select(func.count()).select_from(UnmatchedTrackingEvent)) == 1


def test_bad_rows_are_rejected_with_their_cells(session):
    lf.carrier(session)
    actor = Actor.for_user(f.user(session, "buyer"), via="web")
    data = workbook([["NOBODY", "TRK-1", "lost in space", "2026-03-10 12:00", "", "", "", ""],
                     ["FASTX", "TRK-1", "exception", "2026-03-10 12:00", "", "", "", ""]])
    _batch, result = importers.preview(session, "tracking_updates", data, "bad.xlsx", actor=actor)
    assert {(e.row, e.column) for e in result.errors} >= {(2, "C")}
    assert session.scalar(select(func.count()).select_from(ShipmentEvent)) == 0


def test_exports_open_in_excel_and_round_trip(session):
    lf.carrier(session)
    lf.notice_shipment(session)
    shipments = load_workbook(BytesIO(importers.export(session, "shipments")))
    rows = list(shipments.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Shipment", "Kind", "Reference") and rows[1][1] == "inbound"
    events = importers.export(session, "tracking_updates")
    actor = Actor.for_user(f.user(session, "admin"), via="web")
    batch, result = importers.preview(session, "tracking_updates", events, "events.xlsx", actor=actor)
    assert result.errors == []
    assert importers.apply(session, batch.id, actor=actor).summary.startswith("0 event(s) recorded, 1 already known")
    assert session.scalar(select(func.count()).select_from(Shipment)) == 1
