"""Receiving moves the inbound shipments of an order; an ended order closes them; what has arrived is
never late and never expected again (the shipment page, the board, the order page, the delay job, the plan).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from lxml import html
from sqlalchemy import select

from scm.models import AuditEntry, Shipment
from scm.services import portal
from scm.services.logistics import inbound, shipments as logistics, delays as logistics_delays
from scm.services.purchasing import orders as purchasing, receiving
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import logistics_factories as lf

D = Decimal
NOW = lf.NOW                                     # 2026-03-10 09:00 UTC; the notice promises 2026-03-12
LATER = NOW + timedelta(days=10)                 # 8 days after the promised date
DOCK = Actor.system("dock", via="cli")


def _notice(session, order, user, qty: str, tracking: str, arrival: date = date(2026, 3, 12)) -> Shipment:  # type: ignore[no-untyped-def]
    portal.create_notice(session, order.supplier_id, order.id, actor=Actor.for_user(user, via="web"), now=NOW,
                         data={"carrier": "FASTX", "tracking_number": tracking, "ship_date": date(2026, 3, 10),
                               "expected_arrival": arrival}, lines={order.lines[0].id: qty})
    return logistics.find_by_tracking(session, None, tracking)


def _receive(session, order, qty: str, now: datetime = NOW + timedelta(days=1)):  # type: ignore[no-untyped-def]
    return receiving.receive(session, order.id, lines=[(order.lines[0].id, qty, qty, "0", "")], actor=DOCK, now=now)


def _text(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(html.fromstring(response.data).text_content().split())


def test_a_full_receipt_and_close_leave_no_shipment_in_transit_or_late(client, session, login_as):
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    shipment = _notice(session, order, user, "100", "TRK-FULL")
    _receive(session, order, "100")
    purchasing.close(session, order.id, actor=DOCK, now=NOW + timedelta(days=1))
    session.commit()

    session.refresh(shipment)
    assert shipment.status == "received" and not shipment.is_open
    assert [line.qty_received for line in shipment.lines] == [D(100)]
    login_as("buyer")
    page = _text(client, f"/logistics/shipments/{shipment.id}")
    assert "Received" in page and "In transit" not in page.split("Timeline")[0] and "Late" not in page
    assert "late by" not in _text(client, f"/purchasing/orders/{order.id}")
    assert "TRK-FULL" not in _text(client, "/logistics/?late=1")

    eta = shipment.eta
    findings = logistics_delays.detect_delays(session, now=LATER)
    session.refresh(shipment)
    assert shipment.id not in [f.shipment_id for f in findings] and shipment.eta == eta and not shipment.late
    assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "shipment.eta_passed",
                                                        AuditEntry.entity_id == str(shipment.id))).all()
    assert logistics_delays.late_inbound(session, LATER) == []


def test_a_partial_receipt_makes_the_shipment_partially_received_and_the_plan_expects_only_the_rest(
        client, session, login_as):
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    first = _notice(session, order, user, "60", "TRK-A", date(2026, 3, 12))
    second = _notice(session, order, user, "40", "TRK-B", date(2026, 3, 20))
    _receive(session, order, "45")
    session.commit()

    session.refresh(first), session.refresh(second)
    assert (first.status, first.lines[0].qty_received) == ("partially_received", D(45))   # earliest ETA first
    assert (second.status, second.lines[0].qty_received) == ("picked_up", D(0))
    expected = {r.shipment_id: r.qty_open for r in inbound.expected_receipts(session, item_ids=[order.lines[0].item_id])}
    assert expected == {first.id: D(15), second.id: D(40)}      # not 60 + 40 of which 45 already arrived
    login_as("warehouse")
    page = _text(client, f"/logistics/shipments/{first.id}")
    assert "Partially received" in page and "15 still expected" in page
    assert "partially received" in _text(client, f"/purchasing/orders/{order.id}").lower()

    _receive(session, order, "55", NOW + timedelta(days=2))
    session.commit()
    session.refresh(first), session.refresh(second)
    assert (first.status, second.status) == ("received", "received")
    assert inbound.expected_receipts(session, item_ids=[order.lines[0].item_id]) == []


def test_cancelling_an_order_cancels_its_open_shipments(client, session, login_as):
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    shipment = _notice(session, order, user, "100", "TRK-CXL")
    purchasing.cancel(session, order.id, actor=DOCK, now=NOW, reason="supplier cannot deliver")
    session.commit()
    session.refresh(shipment)
    assert shipment.status == "cancelled" and not shipment.is_open
    assert logistics_delays.detect_delays(session, now=LATER) == []
    login_as("buyer")
    assert "Cancelled" in _text(client, f"/logistics/shipments/{shipment.id}")


def test_short_closing_receives_what_arrived_and_cancels_what_never_came(session):
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    first = _notice(session, order, user, "60", "TRK-S1")
    second = _notice(session, order, user, "40", "TRK-S2", date(2026, 3, 20))
    _receive(session, order, "30")
    purchasing.close(session, order.id, actor=DOCK, now=NOW + timedelta(days=3))
    session.refresh(first), session.refresh(second)
    assert (first.status, second.status) == ("received", "cancelled")
    assert logistics_delays.late_inbound(session, LATER) == []


def test_delay_detection_ignores_shipments_of_ended_orders_and_fully_received_lines(session):
    """Rows left open before receipts moved shipments (an old database) are ignored all the same."""
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    shipment = _notice(session, order, user, "100", "TRK-OLD")
    _receive(session, order, "100")
    session.execute(Shipment.__table__.update().where(Shipment.__table__.c.id == shipment.id)
                    .values(status="in_transit", status_rank=2))      # as an old database left it
    session.expire_all()
    assert logistics_delays.detect_delays(session, now=LATER) == []
    assert logistics_delays.late_inbound(session, LATER) == []
    session.refresh(shipment)
    assert shipment.eta == date(2026, 3, 12) and not shipment.late
    shipment.lines[0].qty_received = D(100)
    assert logistics_delays.delay_reasons(shipment, LATER) == []      # everything on it arrived


def test_a_carrier_event_after_the_receipt_does_not_reopen_the_shipment(session):
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    shipment = _notice(session, order, user, "100", "TRK-LATE-EVT")
    _receive(session, order, "100")
    logistics.record_event(session, shipment.id, status="in_transit", occurred_at=NOW + timedelta(days=2),
                           now=NOW + timedelta(days=2), source="webhook", actor=DOCK, event_id="carrier-9")
    session.refresh(shipment)
    assert shipment.status == "received"


def test_receipt_statuses_cannot_be_reported_by_a_carrier_or_a_person(session):
    lf.carrier(session)
    order, user = lf.confirmed_order(session, 100)
    shipment = _notice(session, order, user, "100", "TRK-NO")
    for status in ("received", "partially_received", "cancelled"):
        try:
            logistics.record_event(session, shipment.id, status=status, occurred_at=NOW, now=NOW, source="staff",
                                   actor=DOCK)
        except Exception as error:  # ValidationFailed naming the status field
            assert "status" in getattr(error, "field_errors", {}), status
        else:
            raise AssertionError(f"{status} was accepted from a person")
