"""Logistics pages and API: the board with its filters, the detail timeline and event form, the
"where is it" summary, shipping a transfer, the outbound API, and the carrier webhook over HTTP
(401 and nothing changed without a valid signature)."""
from __future__ import annotations

import json
import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import Reservation, Shipment, ShipmentEvent, UnmatchedTrackingEvent
from scm.services.logistics import shipments as logistics, webhooks
from tests import factories as f
from tests import logistics_factories as lf

NOW = lf.NOW


@pytest.fixture
def shipped(session):  # type: ignore[no-untyped-def]
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    logistics.record_event(session, shipment.id, status="in_transit", occurred_at=datetime(2026, 3, 10, 12, tzinfo=timezone.utc),
                           now=NOW, source="staff", actor=f.actor(), event_id="e1", eta=date(2026, 3, 20))
    session.commit()
    return shipment


def test_board_lists_filters_and_marks_late(client, login_as, shipped):
    login_as("viewer")
    page = client.get("/logistics/").get_data(as_text=True)
    assert shipped.reference in page and "TRK-1" in page and "https://track.example.com/fastx?n=TRK-1" in page
    assert ">late</span>" in page
    assert shipped.reference in client.get("/logistics/?late=1&kind=inbound&carrier=FASTX").get_data(as_text=True)
    assert shipped.reference not in client.get("/logistics/?kind=outbound").get_data(as_text=True)
    assert shipped.reference not in client.get("/logistics/?status=delivered").get_data(as_text=True)


def test_detail_shows_the_timeline_and_records_an_event(client, login_as, session, shipped):
    login_as("buyer")
    page = client.get(f"/logistics/shipments/{shipped.id}").get_data(as_text=True)
    assert "In transit" in page and "Late" in page and "ETA 2026-03-20" in page
    response = client.post(f"/logistics/shipments/{shipped.id}/events",
                           data={"status": "exception", "reason": "", "occurred_at": "2026-03-11 08:00"})
    assert response.status_code == 422 and "exception needs a reason" in response.get_data(as_text=True)
    response = client.post(f"/logistics/shipments/{shipped.id}/events",
                           data={"status": "at_hub", "location": "Leipzig", "occurred_at": "2026-03-11 08:00"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Shipment, shipped.id).status == "at_hub"


def test_where_is_it_and_unknown_tracking_pages(client, login_as, session, shipped):
    logistics.record_tracking_update(session, carrier_code="FASTX", tracking_number="LOST-1", event_id="x1",
                                     status="in_transit", occurred_at=NOW, now=NOW, source="webhook", actor=f.actor())
    session.commit()
    login_as("warehouse")
    where = client.get("/logistics/where").get_data(as_text=True)
    assert "WH-ACME" in where and "d late" in where
    assert "LOST-1" in client.get("/logistics/unmatched").get_data(as_text=True)


def test_a_supplier_cannot_see_the_board(client, login_as, shipped):
    login_as("supplier")
    assert client.get("/logistics/").status_code == 403
    assert client.get(f"/logistics/shipments/{shipped.id}").status_code == 403


def test_ship_a_transfer_by_form(client, login_as, session):
    item, a, b = f.item(session, "TR-9"), f.warehouse(session, "WH-A"), f.warehouse(session, "WH-B")
    f.stock(session, item, a, 5)
    session.commit()
    login_as("warehouse")
    response = client.post("/logistics/transfers/new", data={
        "from_warehouse_id": a.id, "to_warehouse_id": b.id, "sku": "TR-9", "quantity": "2", "carrier_id": "0",
        "service": "standard", "tracking_number": "", "promised_date": ""})
    assert response.status_code == 302
    shipment = session.scalar(select(Shipment).where(Shipment.kind == "transfer"))
    assert shipment.status == "picked_up" and shipment.lines[0].qty == Decimal(2)
    too_much = client.post("/logistics/transfers/new", data={
        "from_warehouse_id": a.id, "to_warehouse_id": b.id, "sku": "TR-9", "quantity": "50", "carrier_id": "0"})
    assert too_much.status_code == 422


# ---------------------------------------------------------------- API

def _token(session, role: str) -> dict:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {f.api_token(session, f.user(session, role))}"}


def test_outbound_api_reserves_and_dispatch_issues_once(client, session):
    item, warehouse = f.item(session, "OUT-9"), f.warehouse(session, "WH-O")
    f.stock(session, item, warehouse, 10)
    headers = _token(session, "warehouse")
    session.commit()
    response = client.post("/api/v1/logistics/outbound", headers=headers, json={
        "order_ref": "SO-77", "customer": "Ann", "warehouse": "WH-O", "carrier": "nobody",
        "lines": [{"sku": "OUT-9", "quantity": "4"}]})
    assert response.status_code == 201, response.json
    shipment_id = response.json["id"]
    assert session.scalar(select(func.sum(Reservation.qty)).where(Reservation.status == "active")) == Decimal(4)
    for _ in range(2):
        assert client.post(f"/api/v1/logistics/shipments/{shipment_id}/dispatch", headers=headers).status_code == 200
    short = client.post("/api/v1/logistics/outbound", headers=headers, json={
        "order_ref": "SO-78", "warehouse": "WH-O", "lines": [{"sku": "OUT-9", "quantity": "40"}]})
    assert short.status_code == 409 and short.json["error"] == "insufficient_stock"


def test_event_api_is_idempotent_by_event_id(client, session, shipped):
    headers = _token(session, "buyer")
    session.commit()
    body = {"status": "at_hub", "occurred_at": "2026-03-11T10:00:00Z", "event_id": "carrier-77"}
    first = client.post(f"/api/v1/logistics/shipments/{shipped.id}/events", headers=headers, json=body)
    again = client.post(f"/api/v1/logistics/shipments/{shipped.id}/events", headers=headers, json=body)
    assert (first.status_code, first.json["created"], again.status_code, again.json["created"]) == (201, True, 200, False)
    detail = client.get(f"/api/v1/logistics/shipments/{shipped.id}", headers=headers).json
    assert [e["event_id"] for e in detail["events"]][-2:] == ["e1", "carrier-77"]
    late = client.get("/api/v1/logistics/late-inbound", headers=headers).json["late"]
    assert late[0]["shipment_id"] == shipped.id and late[0]["lines"][0]["sku"] == "ACME-1"


WEBHOOK = "/api/v1/logistics/webhooks/fastx"
BODY = json.dumps({"tracking_number": "TRK-1", "status": "out_for_delivery",
                   "occurred_at": "2026-03-11T07:00:00Z"}).encode()


def _signed(body: bytes, secret: str = lf.SECRET, stamp: int | None = None, msg_id: str = "msg_http") -> dict:
    stamp = int(time.time()) if stamp is None else stamp  # the endpoint checks against the server clock
    return {"webhook-id": msg_id, "webhook-timestamp": str(stamp),
            "webhook-signature": webhooks.sign(secret, msg_id, stamp, body), "Content-Type": "application/json"}


@pytest.fixture
def webhook_app(app):  # type: ignore[no-untyped-def]
    app.config["SCM_WEBHOOK_SECRET_FASTX"] = f"whsec_b2xkLXNlY3JldA==, {lf.SECRET}"  # rotation: old, new
    return app


def test_signed_webhook_over_http_records_once(client, session, shipped, webhook_app):
    for expected in ("recorded", "duplicate"):
        response = client.post(WEBHOOK, data=BODY, headers=_signed(BODY))
        assert response.status_code == 200 and response.json["outcome"] == expected
    session.expire_all()
    assert session.get(Shipment, shipped.id).status == "out_for_delivery"
    unknown = json.dumps({"tracking_number": "NOPE", "status": "in_transit", "occurred_at": "2026-03-11T07:00:00Z"}).encode()
    response = client.post(WEBHOOK, data=unknown, headers=_signed(unknown, msg_id="msg_unknown"))
    assert response.status_code == 202 and response.json["outcome"] == "unmatched"


@pytest.mark.parametrize("case", ["tampered", "wrong secret", "stale", "missing header"])
def test_bad_webhooks_are_401_and_change_nothing(client, session, shipped, webhook_app, case):
    headers, body = _signed(BODY), BODY
    if case == "tampered":
        body = BODY.replace(b"out_for_delivery", b"delivered")
    elif case == "wrong secret":
        headers = _signed(BODY, secret="whsec_d3Jvbmc=")
    elif case == "stale":
        headers = _signed(BODY, stamp=int(time.time()) - 600)
    else:
        headers.pop("webhook-signature")
    before = session.scalar(select(func.count()).select_from(ShipmentEvent))
    response = client.post(WEBHOOK, data=body, headers=headers)
    assert response.status_code == 401 and response.json["error"] == "invalid_signature"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ShipmentEvent)) == before
    assert session.scalar(select(func.count()).select_from(UnmatchedTrackingEvent)) == 0
    assert session.get(Shipment, shipped.id).status == "in_transit"


# ---------------------------------------------------------------- the supplier portal

def test_a_supplier_updates_its_own_shipment_but_never_another_suppliers(client, session, shipped):
    from scm.models import PurchaseOrder
    order = session.get(PurchaseOrder, shipped.po_id)
    own = f.user(session, "supplier", supplier_id=order.supplier_id)
    stranger = f.user(session, "supplier", supplier_id=f.supplier(session, "OTHER").id)
    session.commit()
    f.login(client, session, stranger)
    assert client.post(f"/portal/shipments/{shipped.id}/events", data={"status": "exception", "reason": "x"}).status_code == 404
    client.post("/logout")
    f.login(client, session, own)
    page = client.get(f"/portal/orders/{order.id}").get_data(as_text=True)
    assert "TRK-1" in page and "Update shipment" in page
    response = client.post(f"/portal/shipments/{shipped.id}/events",
                           data={"status": "in_transit", "eta": "2026-03-25", "reason": "port congestion"})
    assert response.status_code == 302
    session.expire_all()
    assert str(session.get(Shipment, shipped.id).eta) == "2026-03-25"
    assert client.post(f"/portal/shipments/{shipped.id}/events", data={"status": "delivered"}).status_code == 302
    session.expire_all()
    assert session.get(Shipment, shipped.id).status == "in_transit"  # a supplier cannot say delivered


def test_the_po_page_alerts_the_buyer_of_a_late_inbound_shipment(client, login_as, shipped):
    login_as("buyer")
    page = client.get(f"/purchasing/orders/{shipped.po_id}").get_data(as_text=True)
    assert f"Shipment #{shipped.id}</a> is late by" in page and "<code>ACME-1</code>" in page


def test_a_buyer_enters_an_inbound_shipment_for_a_po(client, login_as, session):
    lf.carrier(session)
    order, _user = lf.confirmed_order(session, code="BUY")
    session.commit()
    login_as("buyer")
    line_id = order.lines[0].id
    form = {"carrier_id": "0", "carrier": "Local courier", "tracking_number": "LC-1", "ship_date": "2026-03-10",
            "promised_date": "2026-03-13", "service": ""}
    too_much = client.post(f"/logistics/inbound/new/{order.id}", data={**form, f"qty-{line_id}": "500"})
    assert too_much.status_code == 422 and "is still open" in too_much.get_data(as_text=True)
    response = client.post(f"/logistics/inbound/new/{order.id}", data={**form, f"qty-{line_id}": "30"})
    assert response.status_code == 302
    shipment = session.scalar(select(Shipment).where(Shipment.tracking_number == "LC-1"))
    assert (shipment.kind, shipment.carrier_label, shipment.lines[0].qty) == ("inbound", "Local courier", Decimal(30))
