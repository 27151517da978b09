"""Logistics over the API: shipments and their events, outbound orders from the sales channel, and the
carrier webhook.

Staff tokens read shipments and carriers; admin and buyer tokens add and edit carriers; admin, buyer and warehouse tokens add events; admin and warehouse
create and dispatch outbound shipments (the sales channel's token). The webhook
(POST /logistics/webhooks/<carrier>) takes no token: it is authenticated only by its Standard Webhooks
signature with the carrier's secret(s) from SCM_WEBHOOK_SECRET_<CARRIER> (comma-separated: two during
a rotation); anything unsigned is 401 and changes nothing. It is rate-limited.
"""
from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any

from flask import current_app, jsonify, request

from blueprints.api.core import api_actor, api_roles, json_body, optional_date
from blueprints.common import CATALOG_WRITERS, STAFF, STOCK_WRITERS, commit
from scm.extensions import db, limiter
from scm.models import Shipment, ShipmentEvent, utcnow
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.logistics import carriers as logistics_carriers
from scm.services.logistics import delays as logistics_delays
from scm.services.logistics import queries as logistics_queries
from scm.services.logistics import shipments as logistics
from scm.services.logistics import webhooks
from scm.services.stock import masterdata

EVENT_WRITERS = ("admin", "buyer", "warehouse")
WEBHOOK_LIMIT = "300 per minute"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def shipment_json(s: Shipment) -> dict[str, Any]:
    return {"id": s.id, "kind": s.kind, "reference": s.reference, "status": s.status, "carrier": s.carrier_label,
            "carrier_code": s.carrier.code if s.carrier else None, "service": s.service,
            "tracking_number": s.tracking_number, "tracking_url": s.tracking_url, "ship_date": _iso(s.ship_date),
            "promised_date": _iso(s.promised_date), "eta": _iso(s.eta), "late": s.late, "late_reason": s.late_reason,
            "exception_reason": s.exception_reason, "weight_kg": None if s.weight_kg is None else str(s.weight_kg),
            "packages": s.packages, "supplier_id": s.supplier_id, "po_id": s.po_id, "transfer_id": s.transfer_id,
            "from_warehouse_id": s.from_warehouse_id, "to_warehouse_id": s.to_warehouse_id, "customer": s.customer,
            "last_event_at": _iso(s.last_event_at), "delivered_at": _iso(s.delivered_at),
            "lines": [{"item_id": line.item_id, "quantity": str(line.qty), "po_line_id": line.po_line_id,
                       "qty_received": str(line.qty_received)} for line in s.lines]}


def event_json(e: ShipmentEvent) -> dict[str, Any]:
    return {"event_id": e.event_id, "status": e.status, "occurred_at": _iso(e.occurred_at),
            "recorded_at": _iso(e.recorded_at), "location": e.location, "reason": e.reason, "eta": _iso(e.eta),
            "source": e.source}


@api_roles(*STAFF)
def list_shipments() -> Any:
    args = request.args
    filters = logistics_queries.Filters.from_args(args)
    rows = logistics_queries.board(db.session, filters, now=utcnow(), limit=min(args.get("limit", 200, type=int) or 200, 500))
    return jsonify({"shipments": [shipment_json(s) for s in rows]})


@api_roles(*STAFF)
def get_shipment(shipment_id: int) -> Any:
    shipment = logistics.get_shipment(db.session, shipment_id)
    return jsonify({**shipment_json(shipment),
                    "events": [event_json(e) for e in logistics.timeline(db.session, shipment_id)]})


def _when(value: Any, key: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed({key: ["an ISO 8601 date and time with a timezone"]}) from None
    if parsed.tzinfo is None:
        raise ValidationFailed({key: ["an ISO 8601 date and time with a timezone"]})
    return parsed


@api_roles(*EVENT_WRITERS)
def add_shipment_event(shipment_id: int) -> Any:
    body = json_body()
    now = utcnow()
    occurred = _when(body["occurred_at"], "occurred_at") if body.get("occurred_at") else now
    event, created = commit(lambda: logistics.record_event(
        db.session, shipment_id, status=str(body.get("status") or ""), occurred_at=occurred, now=now,
        source="staff", actor=api_actor(), event_id=body.get("event_id"), location=str(body.get("location") or ""),
        reason=str(body.get("reason") or ""), eta=optional_date(body.get("eta"), "eta")))
    return jsonify({**event_json(event), "created": created}), 201 if created else 200


def _outbound_lines(body: dict[str, Any]) -> list[tuple[int, Any]]:
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ValidationFailed({"lines": ["a list of {sku, quantity}"]})
    return [(masterdata.item_id_for_sku(db.session, raw.get("sku") if isinstance(raw, dict) else None,
                                        field=f"lines[{i}]"), raw.get("quantity")) for i, raw in enumerate(raw_lines)]


@api_roles(*STOCK_WRITERS)
def create_outbound() -> Any:
    body = json_body()
    try:
        warehouse = masterdata.warehouse_by_code(db.session, str(body.get("warehouse") or ""))
    except NotFound as missing:
        raise ValidationFailed({"warehouse": [missing.message]}) from None
    lines = _outbound_lines(body)
    data = {key: body.get(key) for key in ("carrier", "service", "tracking_number", "notes", "weight_kg", "packages")}
    data["promised_date"] = optional_date(body.get("promised_date"), "promised_date")
    shipment = commit(lambda: logistics.create_outbound(
        db.session, warehouse_id=warehouse.id, order_ref=str(body.get("order_ref") or ""),
        customer=str(body.get("customer") or ""), lines=lines, data=data, actor=api_actor(), now=utcnow()))
    return jsonify(shipment_json(shipment)), 201


@api_roles(*STOCK_WRITERS)
def dispatch_shipment(shipment_id: int) -> Any:
    shipment = commit(lambda: logistics.dispatch_outbound(db.session, shipment_id, actor=api_actor(), now=utcnow()))
    return jsonify(shipment_json(shipment))


@api_roles(*STAFF)
def late_inbound() -> Any:
    rows = logistics_delays.late_inbound(db.session, utcnow())
    return jsonify({"late": [{"shipment_id": r.shipment_id, "reference": r.reference, "supplier": r.supplier_name,
                              "po_id": r.po_id, "po_number": r.po_number, "days_late": r.days_late,
                              "eta": _iso(r.eta), "promised_date": _iso(r.promised_date), "reasons": list(r.reasons),
                              "lines": [{"po_line_id": x.po_line_id, "sku": x.sku, "quantity": str(x.qty)}
                                        for x in r.lines]} for r in rows]})


@api_roles(*STAFF)
def list_carriers() -> Any:
    active_only = request.args.get("active") in ("1", "true")
    rows = logistics.list_carriers(db.session, active_only=active_only)
    return jsonify({"carriers": [logistics_carriers.carrier_json(c) for c in rows]})


@api_roles(*CATALOG_WRITERS)
def create_carrier() -> Any:
    body = json_body()
    carrier = commit(lambda: logistics_carriers.create_carrier(db.session, body, actor=api_actor()))
    return jsonify(logistics_carriers.carrier_json(carrier)), 201


@api_roles(*CATALOG_WRITERS)
def update_carrier(carrier_id: int) -> Any:
    body = json_body()
    carrier = commit(lambda: logistics_carriers.update_carrier(db.session, carrier_id, body, actor=api_actor()))
    return jsonify(logistics_carriers.carrier_json(carrier))


def webhook_secrets(carrier_code: str) -> list[str]:
    """SCM_WEBHOOK_SECRET_<CODE> from the app config, else the environment; comma-separated."""
    name = f"SCM_WEBHOOK_SECRET_{carrier_code.upper()}"
    raw = current_app.config.get(name) or os.environ.get(name) or ""
    return [part.strip() for part in str(raw).split(",") if part.strip()]


@limiter.limit(WEBHOOK_LIMIT)
def logistics_webhook(carrier: str) -> Any:
    code = carrier.strip().upper()[:20]
    body = request.get_data(cache=False)
    result = commit(lambda: webhooks.handle(db.session, code, request.headers, body, webhook_secrets(code),
                                            now=utcnow()))
    return jsonify({"outcome": result.outcome, "event_id": result.event_id, "shipment_id": result.shipment_id}), \
        (202 if result.outcome == "unmatched" else 200)
