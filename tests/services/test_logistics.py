"""Logistics: the status machine (out of order, duplicates, exceptions), unknown tracking numbers,
delay rules at a fixed `now`, outbound dispatch. (The link to projected receipts: tests/services/test_inbound.py.)"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select

from scm.models import AuditEntry, ShipmentEvent, UnmatchedTrackingEvent
from scm.services.logistics import shipments as logistics, delays as logistics_delays
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import logistics_factories as lf

D = Decimal
NOW = lf.NOW
SYS = Actor.system("test")


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def event(session, shipment, status, hours, event_id=None, **kw):  # type: ignore[no-untyped-def]
    return logistics.record_event(session, shipment.id, status=status, occurred_at=at(hours), now=at(hours + 0.1),
                                  source="staff", actor=SYS, event_id=event_id, **kw)


def test_a_shipping_notice_creates_the_inbound_shipment_with_its_po_lines_and_carrier(session):
    carrier = lf.carrier(session)
    shipment = lf.notice_shipment(session, carrier_name="fastx")
    assert shipment.kind == "inbound" and shipment.carrier_id == carrier.id
    assert [(line.qty, line.po_line_id is not None) for line in shipment.lines] == [(D(60), True)]
    assert shipment.status == "picked_up" and shipment.promised_date == date(2026, 3, 12)
    assert shipment.tracking_url == "https://track.example.com/fastx?n=TRK-1"


def test_unknown_carrier_text_is_kept_as_free_text(session):
    shipment = lf.notice_shipment(session, carrier_name="Bob's Vans")
    assert shipment.carrier_id is None and shipment.carrier_label == "Bob's Vans" and shipment.tracking_url == ""


def test_status_never_moves_backwards_when_events_arrive_out_of_order(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    event(session, shipment, "out_for_delivery", 30, "e3")
    event(session, shipment, "in_transit", 5, "e1")  # older, arrives later
    event(session, shipment, "at_hub", 20, "e2")
    session.refresh(shipment)
    assert shipment.status == "out_for_delivery" and shipment.status_at == at(30)
    assert [e.event_id for e in logistics.timeline(session, shipment.id)][1:] == ["e1", "e2", "e3"]


def test_a_duplicate_event_is_one_row_and_changes_nothing(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    first, created = event(session, shipment, "in_transit", 2, "dup")
    again, created_again = event(session, shipment, "delivered", 3, "dup")  # same id, other content: ignored
    assert created and not created_again and again.id == first.id
    session.refresh(shipment)
    assert shipment.status == "in_transit"
    assert session.scalar(select(func.count()).select_from(ShipmentEvent).where(ShipmentEvent.event_id == "dup")) == 1


def test_an_exception_is_recorded_and_a_later_delivery_still_wins(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    event(session, shipment, "in_transit", 2, "a")
    event(session, shipment, "exception", 5, "b", reason="damaged parcel")
    session.refresh(shipment)
    assert shipment.status == "in_transit" and shipment.exception_reason == "damaged parcel"
    assert "exception: damaged parcel" in logistics_delays.delay_reasons(shipment, at(6))
    event(session, shipment, "delivered", 9, "c")
    event(session, shipment, "exception", 4, "late-arriving-old-exception", reason="address unclear")
    session.refresh(shipment)
    assert shipment.status == "delivered" and shipment.exception_reason == "" and not shipment.is_open


def test_an_exception_needs_a_reason_and_statuses_are_checked(session):
    import pytest
    from scm.services.kernel.errors import ValidationFailed
    shipment = lf.notice_shipment(session)
    with pytest.raises(ValidationFailed) as error:
        event(session, shipment, "exception", 1, "x")
    assert "reason" in error.value.field_errors
    with pytest.raises(ValidationFailed):
        event(session, shipment, "teleported", 1, "y")


def test_unknown_tracking_numbers_are_kept_for_review_once(session):
    lf.carrier(session)
    for _ in range(2):
        outcome, shipment_id = logistics.record_tracking_update(
            session, carrier_code="FASTX", tracking_number="NOPE-404", event_id="evt-9", status="in_transit",
            occurred_at=NOW, now=NOW, source="webhook", actor=SYS, payload={"tracking_number": "NOPE-404"})
        assert (outcome, shipment_id) == ("unmatched", None)
    rows = logistics.list_unmatched(session)
    assert [(r.tracking_number, r.event_id, r.status) for r in rows] == [("NOPE-404", "evt-9", "in_transit")]
    assert session.scalar(select(func.count()).select_from(UnmatchedTrackingEvent)) == 1


# ---------------------------------------------------------------- delay rules

def test_eta_after_promised_date_is_late(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    event(session, shipment, "in_transit", 1, "a", eta=date(2026, 3, 15))
    session.refresh(shipment)
    assert logistics_delays.delay_reasons(shipment, at(2)) == ["ETA 2026-03-15 is after the promised date 2026-03-12"]
    assert logistics_delays.days_late(shipment, at(2)) == 3


def test_silence_longer_than_the_carrier_interval_is_late(session):
    lf.carrier(session, interval=24)
    shipment = lf.notice_shipment(session)
    event(session, shipment, "in_transit", 1, "a")
    session.refresh(shipment)
    assert logistics_delays.delay_reasons(shipment, at(24)) == []
    assert logistics_delays.delay_reasons(shipment, at(26)) == ["no tracking event for 25 h (Fastx Express reports every 24 h)"]


def test_promised_date_passed_without_delivery_is_late_and_delivered_is_never_late(session):
    shipment = lf.notice_shipment(session, carrier_name="unknown carrier")
    later = datetime(2026, 3, 13, 8, tzinfo=timezone.utc)
    assert logistics_delays.delay_reasons(shipment, at(1)) == []
    assert logistics_delays.delay_reasons(shipment, later) == ["not delivered by the promised date 2026-03-12"]
    event(session, shipment, "delivered", 40, "d")
    session.refresh(shipment)
    assert logistics_delays.delay_reasons(shipment, later) == []


def test_detect_delays_flags_audits_with_po_lines_once_and_clears_again(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    event(session, shipment, "in_transit", 1, "a", eta=date(2026, 3, 16))
    findings = logistics_delays.detect_delays(session, now=at(2))
    assert [(x.shipment_id, x.newly_late) for x in findings] == [(shipment.id, True)]
    assert logistics_delays.detect_delays(session, now=at(3))[0].newly_late is False
    alerts = session.scalars(select(AuditEntry).where(AuditEntry.action == "shipment.delayed")).all()
    assert len(alerts) == 1 and alerts[0].after["po_lines"] == [shipment.lines[0].po_line_id]
    event(session, shipment, "in_transit", 4, "b", eta=date(2026, 3, 12))
    assert logistics_delays.detect_delays(session, now=at(5)) == []
    session.refresh(shipment)
    assert shipment.late is False


def test_late_inbound_lists_supplier_po_lines_and_days_late(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    event(session, shipment, "in_transit", 1, "a", eta=date(2026, 3, 17))
    [row] = logistics_delays.late_inbound(session, at(2))
    assert (row.shipment_id, row.supplier_id, row.po_number, row.days_late) == (
        shipment.id, shipment.supplier_id, shipment.reference, 5)
    assert row.supplier_name and row.reasons == ("ETA 2026-03-17 is after the promised date 2026-03-12",)
    assert [(line.sku, line.qty) for line in row.lines] == [("ACME-1", D(60))]


def test_outbound_reserves_then_dispatch_issues_a_sale_once(session):
    from scm.models import StockMove
    item, warehouse = f.item(session, "OUT-1"), f.warehouse(session, "WH-O")
    f.stock(session, item, warehouse, 10)
    shipment = logistics.create_outbound(session, warehouse_id=warehouse.id, order_ref="SO-1", customer="Ann",
                                         lines=[(item.id, D(3))], data={}, actor=SYS, now=NOW)
    assert shipment.lines[0].reservation_id is not None
    logistics.dispatch_outbound(session, shipment.id, actor=SYS, now=at(1))
    logistics.dispatch_outbound(session, shipment.id, actor=SYS, now=at(2))
    sales = session.scalars(select(StockMove).where(StockMove.reason == "sale")).all()
    assert [m.qty_delta for m in sales] == [D(-3)] and stock_ledger.ledger_check(session) == []
