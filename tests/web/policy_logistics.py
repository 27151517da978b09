"""Access-matrix rows of logistics (HTML pages and API), merged into tests/web/test_access_matrix.py's POLICY.

Staff read shipments and review unknown tracking updates; admin, buyer and warehouse record events and
attach or dismiss unknown updates; admin and buyer manage carriers (staff read them over the API); admin and warehouse ship transfers and
dispatch outbound shipments (the sales channel uses a warehouse or admin token); suppliers get 403
(they see their own inbound shipments through the portal's shipping notices). The carrier webhook is
public but authenticated by its signature: every caller without one gets 401 invalid_signature.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from tests.web.test_access_matrix import CATALOG_WRITERS, EVERYONE, STAFF, STOCK_WRITERS, SUPPLIER, Rule, Samples, _u

NOW = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)


def purchasing_po_id(s: Samples) -> int:
    from tests.web.policy_purchasing import po_id
    return po_id(s)

EVENT_WRITERS = frozenset({"admin", "buyer", "warehouse"})


def shipment_id(s: Samples) -> int:
    """An outbound shipment (so dispatch has something to do) from the matrix warehouse."""
    def make() -> int:
        from scm.services.logistics import shipments as logistics
        from tests import factories as f
        s._stocked()
        return logistics.create_outbound(s.session, warehouse_id=s.warehouse_id, order_ref="SO-MATRIX",
                                         customer="Matrix", lines=[(s.item_id, Decimal(1))], data={},
                                         actor=f.actor(), now=NOW).id
    return s._once("shipment", make)


def own_inbound_id(s: Samples) -> int:
    """An inbound shipment of the acting supplier's own sent order (the portal scopes by session)."""
    def make() -> int:
        from scm.models import PurchaseOrder
        from scm.services.logistics import shipments as logistics
        from tests import factories as f
        from tests.web.policy_portal import po_id
        order = s.session.get(PurchaseOrder, po_id(s))
        return logistics.create_inbound(s.session, order.id, {"tracking_number": "PORTAL-TRK"},
                                        {order.lines[0].id: "1"}, actor=f.actor(), now=NOW).id
    return s._once("own_inbound", make)


def carrier_id(s: Samples) -> int:
    def make() -> int:
        from scm.services.logistics import carriers as logistics_carriers
        from tests import factories as f
        return logistics_carriers.create_carrier(s.session, {"code": "MATRIXC", "name": "Matrix Carrier"},
                                                 actor=f.actor()).id
    return s._once("carrier", make)


def unmatched_id(s: Samples) -> int:
    """An unknown tracking update waiting for review."""
    def make() -> int:
        from scm.models import UnmatchedTrackingEvent
        row = UnmatchedTrackingEvent(carrier_code="FASTX", tracking_number="NOPE-1", event_id="matrix-1",
                                     status="in_transit", occurred_at=NOW, received_at=NOW, source="webhook")
        s.session.add(row)
        s.session.flush()
        return row.id
    return s._once("unmatched", make)


def _unsigned(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 401 and response.is_json and response.json["error"] == "invalid_signature"


SHIP, MISSING = "/logistics/shipments", "/logistics/shipments/999999"
API, API_MISSING = "/api/v1/logistics/shipments", "/api/v1/logistics/shipments/999999"
POLICY: dict[str, Rule] = {
    "logistics.board": Rule(_u("/logistics/"), STAFF),
    "logistics.where": Rule(_u("/logistics/where"), STAFF),
    "logistics.unmatched": Rule(_u("/logistics/unmatched"), STAFF),
    "logistics.review_unmatched": Rule(lambda s: f"/logistics/unmatched/{unmatched_id(s)}", STAFF,
                                       missing=_u("/logistics/unmatched/999999")),
    "logistics.attach_unmatched": Rule(lambda s: f"/logistics/unmatched/{unmatched_id(s)}/attach", EVENT_WRITERS,
                                       ("POST",), missing=_u("/logistics/unmatched/999999/attach")),
    "logistics.dismiss_unmatched": Rule(lambda s: f"/logistics/unmatched/{unmatched_id(s)}/dismiss", EVENT_WRITERS,
                                        ("POST",), missing=_u("/logistics/unmatched/999999/dismiss")),
    "logistics.carriers": Rule(_u("/logistics/carriers"), CATALOG_WRITERS),
    "logistics.new_carrier": Rule(_u("/logistics/carriers/new"), CATALOG_WRITERS, ("GET", "POST")),
    "logistics.edit_carrier": Rule(lambda s: f"/logistics/carriers/{carrier_id(s)}/edit", CATALOG_WRITERS,
                                   ("GET", "POST"), missing=_u("/logistics/carriers/999999/edit")),
    "logistics.new_outbound": Rule(_u("/logistics/outbound/new"), STOCK_WRITERS, ("GET", "POST")),
    "api.list_carriers": Rule(_u("/api/v1/logistics/carriers"), STAFF),
    "api.create_carrier": Rule(_u("/api/v1/logistics/carriers"), CATALOG_WRITERS, ("POST",)),
    "api.update_carrier": Rule(lambda s: f"/api/v1/logistics/carriers/{carrier_id(s)}", CATALOG_WRITERS, ("PUT",),
                               missing=_u("/api/v1/logistics/carriers/999999")),
    "logistics.detail": Rule(lambda s: f"{SHIP}/{shipment_id(s)}", STAFF, missing=_u(MISSING)),
    "logistics.add_event": Rule(lambda s: f"{SHIP}/{shipment_id(s)}/events", EVENT_WRITERS, ("POST",),
                                missing=_u(f"{MISSING}/events")),
    "logistics.dispatch": Rule(lambda s: f"{SHIP}/{shipment_id(s)}/dispatch", STOCK_WRITERS, ("POST",),
                               missing=_u(f"{MISSING}/dispatch")),
    "logistics.new_transfer": Rule(_u("/logistics/transfers/new"), STOCK_WRITERS, ("GET", "POST")),
    "portal.shipment_event": Rule(lambda s: f"/portal/shipments/{own_inbound_id(s)}/events", SUPPLIER, ("POST",),
                                  missing=_u("/portal/shipments/999999/events")),
    "logistics.new_inbound": Rule(lambda s: f"/logistics/inbound/new/{purchasing_po_id(s)}",
                                  CATALOG_WRITERS, ("GET", "POST"), missing=_u("/logistics/inbound/new/999999")),
    "api.list_shipments": Rule(_u(API), STAFF),
    "api.get_shipment": Rule(lambda s: f"{API}/{shipment_id(s)}", STAFF, missing=_u(API_MISSING)),
    "api.add_shipment_event": Rule(lambda s: f"{API}/{shipment_id(s)}/events", EVENT_WRITERS, ("POST",),
                                   missing=_u(f"{API_MISSING}/events")),
    "api.dispatch_shipment": Rule(lambda s: f"{API}/{shipment_id(s)}/dispatch", STOCK_WRITERS, ("POST",),
                                  missing=_u(f"{API_MISSING}/dispatch")),
    "api.create_outbound": Rule(_u("/api/v1/logistics/outbound"), STOCK_WRITERS, ("POST",)),
    "api.late_inbound": Rule(_u("/api/v1/logistics/late-inbound"), STAFF),
    "api.logistics_webhook": Rule(_u("/api/v1/logistics/webhooks/fastx"), EVERYONE, ("POST",), ok=_unsigned),
}
