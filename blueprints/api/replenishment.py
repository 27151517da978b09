"""Replenishment over the API: stock-out warnings, suggested orders, approving them, policies.

Staff read; admin and buyer approve suggestions and change policies. Quantities are strings; the
arithmetic of a suggestion and of a projection is the plan's (`PairPlan.details`), numbers rounded
for reading.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from blueprints.api.core import api_actor, api_roles, json_body
from blueprints.common import CATALOG_WRITERS, STAFF, commit
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel.errors import ValidationFailed
from scm.services.planning import approval as replenishment_approval
from scm.services.planning import policies as replenishment_policy
from scm.services.planning import projection as replenishment_projection
from scm.services.planning import warnings as stock_warnings
from scm.services.purchasing import figures as order_figures
from scm.services.stock import masterdata


def _warehouse_id() -> int | None:
    code = request.args.get("warehouse")
    return masterdata.warehouse_by_code(db.session, code).id if code else None


@api_roles(*STAFF)
def list_stock_warnings() -> Any:
    severity = request.args.get("severity") or None
    if severity is not None and severity not in stock_warnings.RANK:
        raise ValidationFailed({"severity": ["critical, warning or watch"]})
    rows = stock_warnings.list_warnings(db.session, severity=severity, warehouse_id=_warehouse_id(),
                                        limit=min(request.args.get("limit", 500, type=int), 5000))
    return jsonify(warnings=[w.as_dict() for w in rows], counts=stock_warnings.counts(db.session))


@api_roles(*STAFF)
def get_projection() -> Any:
    """Projected stock of one item in one warehouse, day by day (?sku=...&warehouse=...)."""
    missing = {k: ["required"] for k in ("sku", "warehouse") if not (request.args.get(k) or "").strip()}
    if missing:
        raise ValidationFailed(missing)
    item = masterdata.item_by_sku(db.session, request.args["sku"].strip())
    warehouse = masterdata.warehouse_by_code(db.session, request.args["warehouse"])
    projection = replenishment_projection.projection_for(db.session, item.id, warehouse.id, as_of=utcnow().date())
    return jsonify(sku=item.sku, warehouse=warehouse.code, **projection.as_json())


def suggestion_json(row: Any, sku: str, code: str, supplier: str | None, source: str | None) -> dict[str, Any]:
    return {"id": row.id, "run_id": row.run_id, "kind": row.kind, "item_id": row.item_id, "sku": sku,
            "warehouse": code, "supplier": supplier, "from_warehouse": source, "qty": str(row.qty),
            "suggested_qty": str(row.suggested_qty),
            "unit_price": None if row.unit_price is None else str(row.unit_price), "currency": row.currency,
            "expected_arrival": row.expected_arrival.isoformat() if row.expected_arrival else None,
            "auto_order": row.auto_order, "reason": row.reason, "arithmetic": row.details}


@api_roles(*STAFF)
def list_suggestions() -> Any:
    rows = replenishment_approval.open_suggestions(db.session, warehouse_id=_warehouse_id(), limit=5000)
    return jsonify(suggestions=[suggestion_json(r, sku, code, supplier, source)
                                for r, sku, _name, code, supplier, source in rows])


@api_roles(*CATALOG_WRITERS)
def approve_suggestions() -> Any:
    ids = json_body().get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise ValidationFailed({"ids": ["a non-empty list of suggestion ids"]})
    result = commit(lambda: replenishment_approval.approve(db.session, ids, actor=api_actor(),
                                                           now=utcnow()))
    figures = order_figures.order_figures(db.session, [o.id for o in result.orders])
    return jsonify(orders=[{"id": o.id, "number": o.number, "supplier_id": o.supplier_id,
                            "warehouse_id": o.warehouse_id, "status": o.status, "total": str(figures[o.id].total)}
                           for o in result.orders], transfers=result.transfers, shipments=result.shipments,
                   warnings=result.warnings), 201


def policy_json(policy: replenishment_policy.EffectivePolicy) -> dict[str, Any]:
    return {"item_id": policy.item_id, "warehouse_id": policy.warehouse_id,
            "service_level": f"{policy.service_level.normalize():f}", "review_period_days": policy.review_period_days,
            "min_cover_days": policy.min_cover_days, "safety_method": policy.safety_method,
            "auto_order": policy.auto_order, "stored": policy.stored}


@api_roles(*STAFF)
def get_replenishment_policy(item_id: int, warehouse_id: int) -> Any:
    return jsonify(policy_json(replenishment_policy.get_policy(db.session, item_id, warehouse_id)))


@api_roles(*CATALOG_WRITERS)
def put_replenishment_policy(item_id: int, warehouse_id: int) -> Any:
    body = json_body()
    policy = commit(lambda: replenishment_policy.set_policy(db.session, item_id, warehouse_id, body,
                                                            actor=api_actor()))
    return jsonify(policy_json(policy))
