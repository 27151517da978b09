"""OpenAPI paths and schemas of the logistics routes (blueprints/api/logistics.py), merged by openapi.py."""
from __future__ import annotations

from typing import Any

from blueprints.api.openapi_purchasing import DATE, DATETIME, INT, NSTR, STR, _body, _obj, _query, _ref, _responses

EVENT_STATUSES = ["created", "picked_up", "in_transit", "at_hub", "out_for_delivery", "delivered", "exception",
                  "returned"]
RECEIPT_STATUSES = ["partially_received", "received", "cancelled"]  # ours: set by receipts and ended orders, never reported
NINT = {"type": ["integer", "null"]}


def _sid() -> list[dict[str, Any]]:
    return [{"name": "shipment_id", "in": "path", "required": True, "schema": INT}]


LOGISTICS_SCHEMAS: dict[str, Any] = {
    "Shipment": _obj(
        id=INT, kind={"type": "string", "enum": ["inbound", "transfer", "outbound"]}, reference=STR, status=STR,
        carrier=STR, carrier_code=NSTR, service=STR, tracking_number=STR,
        tracking_url={"type": "string", "description": "from the carrier's URL template; '' when unknown"},
        ship_date=DATE, promised_date=DATE, eta=DATE, late={"type": "boolean"}, late_reason=STR,
        exception_reason={"type": "string", "description": "the open exception; '' when none"},
        weight_kg=NSTR, packages=NINT, supplier_id=NINT, po_id=NINT, transfer_id=NINT, from_warehouse_id=NINT,
        to_warehouse_id=NINT, customer=STR, last_event_at=DATETIME, delivered_at=DATETIME,
        lines={"type": "array", "items": _obj(item_id=INT, quantity=STR, po_line_id=NINT, qty_received={
            "type": "string", "description": "inbound: what receipts booked against this line"})},
        events={"type": "array", "items": _ref("ShipmentEvent"), "description": "detail only, in occurrence order"}),
    "ShipmentEvent": _obj(event_id=STR, status={"type": "string", "enum": EVENT_STATUSES + RECEIPT_STATUSES},
                          occurred_at=DATETIME, recorded_at=DATETIME, location=STR, reason=STR, eta=DATE,
                          source=STR, created={"type": "boolean", "description": "false: a repeat of a known event id"}),
    "ShipmentEventRequest": _obj(
        ["status"], status={"type": "string", "enum": EVENT_STATUSES},
        occurred_at={"type": "string", "format": "date-time", "description": "default: now"},
        event_id={"type": "string", "description": "your id; a repeat is ignored (idempotent)"},
        location=STR, reason={"type": "string", "description": "required for exception"}, eta=DATE),
    "OutboundRequest": _obj(
        ["order_ref", "warehouse", "lines"], order_ref={"type": "string", "description": "the sales order"},
        customer=STR, warehouse={"type": "string", "description": "warehouse code"},
        carrier={"type": "string", "description": "carrier code or name"}, service=STR, tracking_number=STR,
        promised_date=DATE, weight_kg=STR, packages=INT, notes=STR,
        lines={"type": "array", "items": _obj(["sku", "quantity"], sku=STR, quantity=STR)}),
    "Carrier": _obj(
        id=INT, code={"type": "string", "description": "1-20 letters, digits, '-', '_'; upper-cased"}, name=STR,
        tracking_url_template={"type": "string", "description": "http(s) URL with {tracking} exactly once; '' for none"},
        transit_days={"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 365},
                      "description": "service -> door-to-door days; 'standard' is the fallback"},
        event_interval_hours={"type": "integer", "minimum": 1, "maximum": 720,
                              "description": "no event for longer: the shipment counts as delayed"},
        active={"type": "boolean"}),
    "CarrierRequest": _obj(
        ["code", "name"], code=STR, name=STR, tracking_url_template=STR,
        transit_days={"type": "object", "additionalProperties": {"type": "integer"}},
        event_interval_hours={"type": "integer", "default": 48}, active={"type": "boolean", "default": True}),
    "CarrierWebhook": _obj(
        ["tracking_number", "status", "occurred_at"], tracking_number=STR,
        status={"type": "string", "enum": EVENT_STATUSES}, occurred_at={"type": "string", "format": "date-time"},
        event_id={"type": "string", "description": "default: the webhook-id header"}, location=STR, reason=STR,
        eta=DATE),
}

_HEADERS = [{"name": name, "in": "header", "required": True, "schema": STR, "description": text} for name, text in (
    ("webhook-id", "message id (the event id unless the body gives one)"),
    ("webhook-timestamp", "Unix seconds; refused when more than 5 minutes from our clock"),
    ("webhook-signature", "space-separated 'v1,<base64 HMAC-SHA256 of id.timestamp.body>'"))]


def logistics_paths() -> dict[str, Any]:
    shipment = _ref("Shipment")
    return {
        "/logistics/shipments": {"get": {
            "summary": "Shipments, soonest ETA first (filters: kind, status or 'open', carrier code, late, q)",
            "parameters": _query("kind", "status", "carrier", "late", "q", "warehouse_id", "limit"),
            "responses": _responses(200, _obj(shipments={"type": "array", "items": shipment}))}},
        "/logistics/shipments/{shipment_id}": {"get": {
            "summary": "A shipment with its event timeline", "parameters": _sid(),
            "responses": _responses(200, shipment, 404)}},
        "/logistics/shipments/{shipment_id}/events": {"post": {
            "summary": "Add a status event (idempotent by event_id; status never moves backwards)",
            "parameters": _sid(), "requestBody": _body(_ref("ShipmentEventRequest")),
            "responses": {**_responses(201, _ref("ShipmentEvent"), 404, 422),
                          "200": {"description": "a repeat of a known event id: nothing changed",
                                  "content": {"application/json": {"schema": _ref("ShipmentEvent")}}}}}},
        "/logistics/shipments/{shipment_id}/dispatch": {"post": {
            "summary": "Dispatch an outbound shipment: its reserved lines are issued as sales (once)",
            "parameters": _sid(), "responses": _responses(200, shipment, 404, 409)}},
        "/logistics/outbound": {"post": {
            "summary": "An order of the sales channel: an outbound shipment with its stock reserved",
            "requestBody": _body(_ref("OutboundRequest")), "responses": _responses(201, shipment, 404, 409, 422)}},
        "/logistics/carriers": {
            "get": {"summary": "Carriers by name (active=1: only those offered for new shipments)",
                    "parameters": _query("active"),
                    "responses": _responses(200, _obj(carriers={"type": "array", "items": _ref("Carrier")}))},
            "post": {"summary": "Add a carrier (admin, buyer)", "requestBody": _body(_ref("CarrierRequest")),
                     "responses": _responses(201, _ref("Carrier"), 422)}},
        "/logistics/carriers/{carrier_id}": {"put": {
            "summary": "Edit a carrier (admin, buyer); keys left out keep their value",
            "parameters": [{"name": "carrier_id", "in": "path", "required": True, "schema": INT}],
            "requestBody": _body(_ref("CarrierRequest")), "responses": _responses(200, _ref("Carrier"), 404, 422)}},
        "/logistics/late-inbound": {"get": {
            "summary": "Late inbound shipments with supplier, PO lines affected and days late",
            "responses": _responses(200, _obj(late={"type": "array", "items": _obj(
                shipment_id=INT, reference=STR, supplier=STR, po_id=NINT, po_number=STR, days_late=INT,
                eta=DATE, promised_date=DATE, reasons={"type": "array", "items": STR},
                lines={"type": "array", "items": _obj(po_line_id=INT, sku=STR, quantity=STR)})}))}},
        "/logistics/webhooks/{carrier}": {"post": {
            "summary": "Carrier tracking webhook (Standard Webhooks signature; no bearer token)",
            "description": "Signed with the carrier's secret (SCM_WEBHOOK_SECRET_<CARRIER>, two during a "
                           "rotation). Idempotent by event id; an unknown tracking number is kept for review (202).",
            "security": [],
            "parameters": [{"name": "carrier", "in": "path", "required": True, "schema": STR}, *_HEADERS],
            "requestBody": _body(_ref("CarrierWebhook")),
            "responses": {"200": {"description": "recorded or duplicate", "content": {"application/json": {
                "schema": _obj(outcome=STR, event_id=STR, shipment_id=NINT)}}},
                "202": {"description": "unknown tracking number: kept for review"},
                "401": {"description": "missing or invalid signature, or stale timestamp",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "signed, but the body is invalid",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "429": {"description": "rate limited"}}}},
    }
