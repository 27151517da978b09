"""Carrier pages and API, the outbound shipment page with its dispatch button, and the review of
unknown tracking updates (attach, dismiss) over HTTP."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from scm.models import Carrier, Reservation, Shipment, StockMove, UnmatchedTrackingEvent
from scm.services.logistics import shipments as logistics
from tests import factories as f
from tests import logistics_factories as lf

NOW = lf.NOW
CARRIER_FORM = {"code": "parcelo", "name": "Parcelo", "tracking_url_template": "https://parcelo.example/t/{tracking}",
                "event_interval_hours": "36", "active": "y", "service": ["standard", "express", ""],
                "days": ["4", "1", ""]}


def test_a_buyer_adds_and_edits_a_carrier_by_form(client, login_as, session):
    login_as("buyer")
    assert "Carriers" in client.get("/logistics/").get_data(as_text=True)
    bad = client.post("/logistics/carriers/new", data={**CARRIER_FORM, "tracking_url_template": "https://p.example/t",
                                                       "days": ["four", "1", ""]})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "{tracking} exactly once" in page and "whole number" in page
    assert 'value="four"' in page  # the table keeps what was typed
    assert client.post("/logistics/carriers/new", data=CARRIER_FORM).status_code == 302
    carrier = session.scalar(select(Carrier).where(Carrier.code == "PARCELO"))
    assert carrier.transit_days == {"standard": 4, "express": 1} and carrier.active
    listing = client.get("/logistics/carriers").get_data(as_text=True)
    assert "express: 1 d" in listing and "https://parcelo.example/t/{tracking}" in listing
    edit = client.get(f"/logistics/carriers/{carrier.id}/edit").get_data(as_text=True)
    assert 'value="express"' in edit and 'value="36"' in edit
    response = client.post(f"/logistics/carriers/{carrier.id}/edit",
                           data={**CARRIER_FORM, "active": "", "service": ["standard", ""], "days": ["5", ""]})
    assert response.status_code == 302
    session.expire_all()
    assert (carrier.transit_days, carrier.active) == ({"standard": 5}, False)


def test_carriers_api_lists_creates_and_updates(client, session):
    writer = {"Authorization": f"Bearer {f.api_token(session, f.user(session, 'buyer'))}"}
    reader = {"Authorization": f"Bearer {f.api_token(session, f.user(session, 'warehouse'))}"}
    session.commit()
    body = {"code": "PARCELO", "name": "Parcelo", "tracking_url_template": "https://p.example/{tracking}",
            "transit_days": {"standard": 3}}
    created = client.post("/api/v1/logistics/carriers", headers=writer, json=body)
    assert created.status_code == 201 and created.json["event_interval_hours"] == 48
    clash = client.post("/api/v1/logistics/carriers", headers=writer, json=body)
    assert clash.status_code == 422 and "already exists" in clash.json["field_errors"]["code"][0]
    assert client.post("/api/v1/logistics/carriers", headers=reader, json=body).status_code == 403
    updated = client.put(f"/api/v1/logistics/carriers/{created.json['id']}", headers=writer,
                         json={"transit_days": {"standard": 2, "express": 1}, "active": False})
    assert updated.status_code == 200 and updated.json["transit_days"] == {"standard": 2, "express": 1}
    listed = client.get("/api/v1/logistics/carriers", headers=reader).json["carriers"]
    assert [c["code"] for c in listed] == ["PARCELO"] and listed[0]["active"] is False
    assert client.get("/api/v1/logistics/carriers?active=1", headers=reader).json["carriers"] == []
    assert client.put("/api/v1/logistics/carriers/999999", headers=writer, json={}).status_code == 404


def _stocked(session):  # type: ignore[no-untyped-def]
    item, warehouse = f.item(session, "OUT-1", uom="kg"), f.warehouse(session, "WH-OUT")  # kg: 2.5 is allowed
    f.stock(session, item, warehouse, 10)
    lf.carrier(session)
    session.commit()
    return item, warehouse


def test_warehouse_creates_an_outbound_shipment_and_dispatches_it(client, login_as, session):
    item, warehouse = _stocked(session)
    login_as("warehouse")
    form = {"warehouse_id": str(warehouse.id), "order_ref": "SO-900", "customer": "Ann Smith",
            "carrier_id": str(session.scalar(select(Carrier.id))), "service": "express", "tracking_number": "OB-1"}
    bad = client.post("/logistics/outbound/new", data={**form, "sku": ["OUT-1", "NOPE", ""], "qty": ["2", "1", ""]})
    assert bad.status_code == 422 and "NOPE" in bad.get_data(as_text=True)
    short = client.post("/logistics/outbound/new", data={**form, "sku": ["OUT-1"], "qty": ["11"]})
    assert short.status_code == 422 and session.scalar(select(func.count()).select_from(Shipment)) == 0
    response = client.post("/logistics/outbound/new", data={**form, "sku": ["", "OUT-1"], "qty": ["", "2.5"]})
    assert response.status_code == 302
    shipment = session.scalar(select(Shipment))
    assert (shipment.kind, shipment.reference, shipment.customer, shipment.eta) == \
        ("outbound", "SO-900", "Ann Smith", None)
    assert session.scalar(select(func.sum(Reservation.qty)).where(Reservation.status == "active")) == Decimal("2.5")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dispatch (issue the stock)" in detail and "Ann Smith" in detail
    for _ in range(2):
        assert client.post(f"/logistics/shipments/{shipment.id}/dispatch").status_code == 302
    sales = session.scalars(select(StockMove).where(StockMove.item_id == item.id, StockMove.kind == "issue")).all()
    assert [m.qty_delta for m in sales] == [Decimal("-2.5")]
    assert "Dispatch (issue the stock)" not in client.get(f"/logistics/shipments/{shipment.id}").get_data(as_text=True)


def test_review_attaches_an_unknown_update_or_dismisses_it(client, login_as, session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    for event_id, tracking in (("u1", "TRK-I"), ("u2", "SPAM-1")):
        logistics.record_tracking_update(session, carrier_code="FASTX", tracking_number=tracking, event_id=event_id,
                                         status="in_transit", occurred_at=NOW, now=NOW, source="webhook",
                                         actor=f.actor())
    session.commit()
    first, second = session.scalars(select(UnmatchedTrackingEvent).order_by(UnmatchedTrackingEvent.id)).all()
    login_as("viewer")
    page = client.get(f"/logistics/unmatched/{first.id}").get_data(as_text=True)
    assert "TRK-I" in page and "Open shipments it may belong to" in page and "Attach and record" not in page
    login_as("buyer")
    assert f"/logistics/unmatched/{first.id}" in client.get("/logistics/unmatched").get_data(as_text=True)
    missing = client.post(f"/logistics/unmatched/{first.id}/attach", data={"shipment": "NO-SUCH"})
    assert missing.status_code == 422 and "no shipment has the id" in missing.get_data(as_text=True)
    done = client.post(f"/logistics/unmatched/{first.id}/attach", data={"shipment": "TRK-1"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/logistics/shipments/{shipment.id}")
    session.expire_all()
    assert session.get(Shipment, shipment.id).status == "in_transit"
    again = client.post(f"/logistics/unmatched/{first.id}/attach", data={"shipment": "TRK-1"})
    assert again.status_code == 422 and "already resolved" in again.get_data(as_text=True)
    assert client.post(f"/logistics/unmatched/{second.id}/dismiss", data={"reason": ""}).status_code == 422
    assert client.post(f"/logistics/unmatched/{second.id}/dismiss", data={"reason": "carrier test"}).status_code == 302
    assert "Nothing to review." in client.get("/logistics/unmatched").get_data(as_text=True)
