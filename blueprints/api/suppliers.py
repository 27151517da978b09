"""Suppliers, catalog entries, scorecards (read) and the sourcing check over the API.

Staff tokens read; admin and buyer tokens write; supplier tokens get 403 everywhere here.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import jsonify, request
from sqlalchemy import func, select

from blueprints.api.core import api_actor, api_roles, json_body, page_args
from blueprints.common import CATALOG_WRITERS, STAFF, commit
from scm.extensions import db
from scm.models import CatalogEntry, ScorecardSnapshot, Supplier, utcnow
from scm.services.kernel.errors import ValidationFailed
from scm.services.stock import masterdata
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import certifications, scorecards, sourcing
from scm.services.suppliers import profiles as suppliers
from scm.services.suppliers.allocation import Allocation


def _s(value: Any) -> Any:
    return None if value is None else str(value)


def supplier_json(obj: Supplier) -> dict[str, Any]:
    return {"id": obj.id, "code": obj.code, "name": obj.name, "status": obj.status,
            "status_reason": obj.status_reason, "status_since": obj.status_since.isoformat() if obj.status_since
            else None, "payment_terms": obj.payment_terms, "currency": obj.currency, "notes": obj.notes}


def entry_json(row: supplier_catalog.EntryRow, breaks: list[Any]) -> dict[str, Any]:
    e = row.entry
    return {"id": e.id, "supplier_id": e.supplier_id, "supplier": row.supplier_code, "item_id": e.item_id,
            "sku": row.sku, "supplier_sku": e.supplier_sku, "role": e.role, "moq": _s(e.moq),
            "order_multiple": _s(e.order_multiple), "lead_time_days": e.lead_time_days,
            "capacity_per_week": _s(e.capacity_per_week), "split_share": _s(e.split_share), "active": e.active,
            "price_breaks": [{"min_qty": _s(b.min_qty), "unit_price": _s(b.unit_price), "currency": b.currency,
                              "valid_from": b.valid_from.isoformat() if b.valid_from else None,
                              "valid_to": b.valid_to.isoformat() if b.valid_to else None} for b in breaks]}


def snapshot_json(snap: ScorecardSnapshot, code: str | None = None, rank: int | None = None) -> dict[str, Any]:
    out = {key: (_s(value) if isinstance(value, Decimal) else value)
           for key, value in ((k, getattr(snap, k)) for k in scorecards.SNAPSHOT_COLUMNS)}
    return {"supplier_id": snap.supplier_id, **({"supplier": code} if code else {}), "period": snap.period,
            "label": scorecards.period_label(snap), "period_start": snap.period_start.isoformat(),
            "no_activity": snap.overall is None, **out, "standing_label": scorecards.standing_label(snap),
            "evidence": scorecards.metric_facts(snap), **({"rank": rank} if code else {})}


def allocation_json(result: Allocation) -> dict[str, Any]:
    return {"sku": result.sku, "item_id": result.item_id, "quantity": _s(result.quantity),
            "need_by": result.need_by.isoformat(), "as_of": result.as_of.isoformat(), "late": result.late,
            "lines": [{"supplier_id": line.supplier_id, "supplier": line.supplier_code, "role": line.role,
                       "quantity": _s(line.quantity), "unit_price": _s(line.unit_price), "currency": line.currency,
                       "expected_arrival": line.expected_arrival.isoformat(), "late": line.late,
                       "reason": line.reason} for line in result.lines],
            "notes": list(result.notes)}


# ---------------------------------------------------------------- suppliers

@api_roles(*STAFF)
def list_suppliers() -> Any:
    page, per_page = page_args()
    stmt = suppliers.supplier_query(q=request.args.get("q", ""), status=request.args.get("status", ""))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return jsonify(suppliers=[supplier_json(s) for s in rows], page=page, per_page=per_page, total=total)


@api_roles(*STAFF)
def get_supplier(supplier_id: int) -> Any:
    supplier = suppliers.get_supplier(db.session, supplier_id)
    standing = scorecards.current_standing(db.session, supplier.id)
    return jsonify({**supplier_json(supplier),
                    "contacts": [{"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "role": c.role}
                                 for c in suppliers.contacts(db.session, supplier.id)],
                    "addresses": [{"id": a.id, "kind": a.kind, "line1": a.line1, "line2": a.line2, "city": a.city,
                                   "region": a.region, "postal_code": a.postal_code, "country": a.country}
                                  for a in suppliers.addresses(db.session, supplier.id)],
                    "certifications": [{"id": c.id, "cert_type": c.cert_type, "number": c.number,
                                        "issued_on": c.issued_on.isoformat(), "expires_on": c.expires_on.isoformat(),
                                        "has_file": c.document_id is not None}
                                       for c in certifications.list_certifications(db.session, supplier.id)],
                    "standing": snapshot_json(standing) if standing else None})


@api_roles(*CATALOG_WRITERS)
def create_supplier() -> Any:
    body = json_body()
    supplier = commit(lambda: suppliers.create_supplier(db.session, body, actor=api_actor(), as_of=utcnow().date()))
    return jsonify(supplier_json(supplier)), 201


@api_roles(*CATALOG_WRITERS)
def update_supplier(supplier_id: int) -> Any:
    body = json_body()
    supplier = commit(lambda: suppliers.update_supplier(
        db.session, suppliers.get_supplier(db.session, supplier_id), body, actor=api_actor(), as_of=utcnow().date()))
    return jsonify(supplier_json(supplier))


# ---------------------------------------------------------------- catalog entries

def _entry_response(entry: CatalogEntry) -> dict[str, Any]:
    row = next(r for r in supplier_catalog.entry_rows(db.session, supplier_id=entry.supplier_id, item_id=entry.item_id))
    return entry_json(row, supplier_catalog.breaks_of(db.session, entry.id))


@api_roles(*STAFF)
def list_catalog() -> Any:
    page, per_page = page_args(default=100)
    supplier_id = request.args.get("supplier_id", type=int)
    item_id = request.args.get("item_id", type=int)
    if request.args.get("supplier"):
        supplier_id = suppliers.supplier_by_code(db.session, request.args["supplier"]).id
    if request.args.get("sku"):
        item_id = masterdata.item_by_sku(db.session, request.args["sku"]).id
    stmt = supplier_catalog.entry_query(supplier_id=supplier_id, item_id=item_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = [supplier_catalog.EntryRow(*r) for r in db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))]
    breaks = supplier_catalog.breaks_for(db.session, [r.entry.id for r in rows])
    return jsonify(entries=[entry_json(r, breaks.get(r.entry.id, [])) for r in rows], page=page, per_page=per_page,
                   total=total)


@api_roles(*CATALOG_WRITERS)
def create_catalog_entry() -> Any:
    body = json_body()
    entry = commit(lambda: supplier_catalog.create_entry(db.session, body, actor=api_actor()))
    return jsonify(_entry_response(entry)), 201


@api_roles(*CATALOG_WRITERS)
def update_catalog_entry(entry_id: int) -> Any:
    body = {k: v for k, v in json_body().items() if k not in ("supplier", "supplier_id", "sku", "item_id")}
    entry = commit(lambda: supplier_catalog.update_entry(
        db.session, supplier_catalog.get_entry(db.session, entry_id), body, actor=api_actor()))
    return jsonify(_entry_response(entry))


# ---------------------------------------------------------------- scorecards (read)

def _period_args() -> tuple[str, date | None]:
    kind = request.args.get("period", "month")
    if kind not in ("month", "quarter"):
        raise ValidationFailed({"period": ["month or quarter"]})
    start = request.args.get("start")
    try:
        return kind, date.fromisoformat(start) if start else None
    except ValueError:
        raise ValidationFailed({"start": ["a date (YYYY-MM-DD)"]}) from None


@api_roles(*STAFF)
def list_scorecards() -> Any:
    kind, start = _period_args()
    chosen, rows = scorecards.ranking(db.session, kind, start)
    return jsonify(period=kind, period_start=chosen.isoformat() if chosen else None,
                   scorecards=[snapshot_json(r.snapshot, r.code, r.rank) for r in rows])


@api_roles(*STAFF)
def supplier_scorecards(supplier_id: int) -> Any:
    kind, _start = _period_args()
    supplier = suppliers.get_supplier(db.session, supplier_id)
    return jsonify(supplier=supplier.code, period=kind,
                   history=[snapshot_json(s) for s in scorecards.history(db.session, supplier.id, kind)])


# ---------------------------------------------------------------- sourcing check

@api_roles(*STAFF)
def sourcing_violations() -> Any:
    as_of = utcnow().date()
    found = sourcing.violations(db.session, as_of)
    return jsonify(as_of=as_of.isoformat(), total=len(found),
                   violations=[{"item_id": v.item_id, "sku": v.sku, "name": v.name, "primary": v.primary,
                                "reasons": list(v.reasons), "messages": list(v.messages)} for v in found])


@api_roles(*STAFF)
def sourcing_choose() -> Any:
    body = json_body()
    item_id = body.get("item_id") if isinstance(body.get("item_id"), int) else \
        masterdata.item_id_for_sku(db.session, body.get("sku"))
    try:
        need_by = date.fromisoformat(str(body.get("need_by") or ""))
    except ValueError:
        raise ValidationFailed({"need_by": ["a date (YYYY-MM-DD)"]}) from None
    result = sourcing.choose_suppliers(db.session, item_id, body.get("quantity"), need_by, utcnow().date())
    db.session.rollback()  # a question, not a change
    return jsonify(allocation_json(result))
