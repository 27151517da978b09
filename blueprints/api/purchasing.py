"""Purchase orders, receipts and the supplier portal actions over the API.

Staff routes (/purchase-orders): staff read, admin and buyer create and move orders, admin and
warehouse receive. Portal routes (/portal/orders) are for suppliers' own systems: supplier tokens
only, the supplier taken from the token's user, another supplier's order or an unsent one is 404.
Supplier tokens get 403 on staff routes and staff tokens 403 on portal routes.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, g, jsonify, request
from sqlalchemy import func, select

from blueprints.api.core import api_actor, api_roles, json_body, optional_date, page_args
from blueprints.common import CATALOG_WRITERS, STAFF, STOCK_WRITERS, commit
from scm.extensions import db
from scm.models import PurchaseOrder, PurchaseOrderEvent, utcnow
from scm.services import portal
from scm.services.kernel import idempotency, outbox
from scm.services.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import orders as purchasing
from scm.services.purchasing import queries as purchase_queries
from scm.services.purchasing import receiving
from scm.services.purchasing import sheets as purchasing_sheets
from scm.services.stock import masterdata
from scm.services.suppliers import profiles as suppliers

SUPPLIER = ("supplier",)
ACTIONS = "any('submit', 'approve', 'send', 'mark-in-transit', 'cancel', 'close')"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _s(value: Any) -> Any:
    return None if value is None else str(value)


def _d(value: Any) -> Any:
    return None if value is None else value.isoformat()


def order_json(order: PurchaseOrder, supplier_code: str, warehouse_code: str,
               figures: order_figures.OrderFigures) -> dict[str, Any]:
    return {"id": order.id, "number": order.number, "status": order.status, "supplier_id": order.supplier_id,
            "supplier": supplier_code, "warehouse_id": order.warehouse_id, "warehouse": warehouse_code,
            "currency": order.currency, "ordered_on": _d(order.ordered_on), "total": _s(figures.total),
            "open_qty": _s(figures.open_qty), "line_count": len(order.lines), "created_at": _d(order.created_at), "sent_at": _d(order.sent_at),
            "confirmed_at": _d(order.confirmed_at), "cancel_reason": order.cancel_reason,
            "reject_reason": order.reject_reason, "notes": order.notes}


def line_json(line: Any, sku: str, figures: order_figures.LineFigures) -> dict[str, Any]:
    return {"id": line.id, "item_id": line.item_id, "sku": sku, "quantity": _s(line.qty_ordered),
            "unit_price": _s(line.unit_price), "amount": _s(figures.amount), "promised_date": _d(line.promised_date),
            "confirmed_qty": _s(line.confirmed_qty), "confirmed_date": _d(line.confirmed_date),
            "qty_received": _s(line.qty_received), "qty_accepted": _s(line.qty_accepted),
            "qty_rejected": _s(line.qty_rejected), "open_qty": _s(figures.open_qty)}


def event_json(event: PurchaseOrderEvent) -> dict[str, Any]:
    return {"at": _d(event.at), "actor": event.actor_label, "from_status": event.from_status,
            "to_status": event.to_status, "note": event.note}


def detail_json(order: PurchaseOrder, *, events: bool = True) -> dict[str, Any]:
    skus = purchase_queries.skus_of(db.session, [order])
    figures = order_figures.order_figures(db.session, [order.id])[order.id]
    out = {**order_json(order, *purchase_queries.codes_of(db.session, order), figures),
           "lines": [line_json(line, skus.get(line.item_id, ""), figures.line(line.id)) for line in order.lines]}
    if events:
        out["events"] = [event_json(e) for e in purchasing.history(db.session, order.id)]
    return out


def portal_json(order: PurchaseOrder) -> dict[str, Any]:
    """What a supplier sees: no internal notes, no approval history."""
    out = detail_json(order, events=False)
    out.pop("notes")
    return out


def _page(stmt: Any, *, portal: bool = False) -> dict[str, Any]:
    page, per_page = page_args()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    orders = [order_json(o, s, w, order_figures.figures_of(o)) for o, s, w in rows]  # lines are loaded already
    for out in orders if portal else ():
        out.pop("notes")
    return {"orders": orders, "page": page, "per_page": per_page, "total": total}


# ---------------------------------------------------------------- staff: orders

@api_roles(*STAFF)
def list_purchase_orders() -> Any:
    args = request.args
    supplier_id = suppliers.supplier_by_code(db.session, args["supplier"]).id if args.get("supplier") else None
    warehouse_id = masterdata.warehouse_by_code(db.session, args["warehouse"]).id if args.get("warehouse") else None
    stmt = purchase_queries.order_query(status=args.get("status", ""), supplier_id=supplier_id,
                                        warehouse_id=warehouse_id)
    return jsonify(_page(stmt))


@api_roles(*STAFF)
def get_purchase_order(po_id: int) -> Any:
    return jsonify(detail_json(purchasing.get_order(db.session, po_id)))


def _by_code(lookup: Any, code: Any, key: str) -> Any:
    """A supplier or warehouse named in the body: an unknown or missing code is a field error (422)."""
    if not isinstance(code, str) or not code.strip():
        raise ValidationFailed({key: [f"the {key} code is required"]})
    try:
        return lookup(db.session, code)
    except NotFound as missing:
        raise ValidationFailed({key: [missing.message]}) from None


def _draft_lines(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ValidationFailed({"lines": ["a list of {sku, quantity, promised_date, unit_price?}"]})
    lines = []
    for index, raw in enumerate(raw_lines):
        key = f"lines[{index}]"
        if not isinstance(raw, dict):
            raise ValidationFailed({key: ["an object {sku, quantity, promised_date, unit_price?}"]})
        item_id = masterdata.item_id_for_sku(db.session, raw.get("sku"), field=key)
        line = (item_id, raw.get("quantity"), optional_date(raw.get("promised_date"), key))
        lines.append(line + ((raw["unit_price"],) if raw.get("unit_price") not in (None, "") else ()))
    return lines


@api_roles(*CATALOG_WRITERS)
def create_purchase_order() -> Any:
    body = json_body()

    def work() -> tuple[dict, int]:
        supplier = _by_code(suppliers.supplier_by_code, body.get("supplier"), "supplier")
        warehouse = _by_code(masterdata.warehouse_by_code, body.get("warehouse"), "warehouse")
        result = purchasing.create_draft(
            db.session, supplier_id=supplier.id, warehouse_id=warehouse.id, lines=_draft_lines(body),
            actor=api_actor(), as_of=utcnow().date(), currency=body.get("currency") or None,
            notes=str(body.get("notes") or ""))
        return {**detail_json(result.order), "warnings": result.warnings}, 201

    payload, status = commit(lambda: idempotency.run_once(
        db.session, user_id=g.api_user.id, key=request.headers.get("Idempotency-Key"),
        fingerprint=idempotency.request_fingerprint("POST", request.path, body), work=work))
    return jsonify(payload), status


def _run_action(action: str, po_id: int, body: dict[str, Any]) -> PurchaseOrder:
    now, actor, text = utcnow(), api_actor(), str(body.get("reason") or body.get("note") or "")
    if action == "submit":
        return purchasing.submit(db.session, po_id, actor=actor, now=now)
    if action == "approve":
        return purchasing.approve(db.session, po_id, actor=actor, now=now, note=text)
    if action == "send":
        return purchasing.send(db.session, po_id, actor=actor, now=now)
    if action == "mark-in-transit":
        return purchasing.mark_in_transit(db.session, po_id, actor=actor, now=now, note=text)
    if action == "cancel":
        return purchasing.cancel(db.session, po_id, actor=actor, now=now, reason=str(body.get("reason") or ""))
    return purchasing.close(db.session, po_id, actor=actor, now=now, note=text)


@api_roles(*CATALOG_WRITERS)
def purchase_order_action(po_id: int, action: str) -> Any:
    """submit, approve, send, mark-in-transit, cancel (needs reason), close; an optional note."""
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise ValidationFailed({"body": ["send a JSON object"]})
    purchasing.get_order(db.session, po_id)  # 404 before anything else
    order = commit(lambda: _run_action(action, po_id, body))
    if action != "send":
        return jsonify(detail_json(order))
    outbox.deliver(db.session, current_app.config, now=utcnow(), source=("purchase_order", po_id))  # after the commit
    return jsonify({**detail_json(purchasing.get_order(db.session, po_id)), "mail": _mail_json(po_id)})


def _mail_json(po_id: int) -> dict[str, Any] | None:
    """The supplier e-mail of a sent order: sent, or pending (kept in the outbox and retried), or None."""
    mails = outbox.for_source(db.session, "purchase_order", po_id)
    if not mails:
        return None
    mail = mails[-1]
    return {"to": mail.to, "subject": mail.subject, "status": "sent" if mail.sent_at else "pending",
            "sent_at": _d(mail.sent_at), "error": mail.last_error or None, "attempts": mail.attempts}


# ---------------------------------------------------------------- staff: receipts

def _receipt_lines(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines or not all(isinstance(r, dict) for r in raw_lines):
        raise ValidationFailed({"lines": ["a list of {line_id, received, accepted, rejected, reason}"]})
    return [(r.get("line_id"), r.get("received"), r.get("accepted", r.get("received")), r.get("rejected", 0),
             r.get("reason", "")) for r in raw_lines]


@api_roles(*STOCK_WRITERS)
def receive_purchase_order(po_id: int) -> Any:
    body = json_body()
    purchasing.get_order(db.session, po_id)
    receipt = commit(lambda: receiving.receive(db.session, po_id, lines=_receipt_lines(body), actor=api_actor(),
                                               now=utcnow(), note=str(body.get("note") or "")))
    return jsonify({"id": receipt.id, "po_id": receipt.po_id, "received_at": _d(receipt.received_at),
                    "lines": [{"id": rl.id, "line_id": rl.po_line_id, "received": _s(rl.qty_received),
                               "accepted": _s(rl.qty_accepted), "rejected": _s(rl.qty_rejected),
                               "reason": rl.reject_reason, "stock_move_id": rl.stock_move_id}
                              for rl in receipt.lines],
                    "order": detail_json(purchasing.get_order(db.session, po_id), events=False)}), 201


# ---------------------------------------------------------------- supplier portal (supplier tokens)

def _supplier_id() -> int:
    supplier_id = g.api_user.supplier_id
    if supplier_id is None:
        raise PermissionDenied("this supplier account is not linked to a supplier")
    return supplier_id


def _own(po_id: int) -> PurchaseOrder:
    return purchase_queries.supplier_order(db.session, _supplier_id(), po_id)


@api_roles(*SUPPLIER)
def portal_orders() -> Any:
    return jsonify(_page(purchase_queries.supplier_order_query(_supplier_id(), status=request.args.get("status", "")),
                         portal=True))


@api_roles(*SUPPLIER)
def portal_orders_workbook() -> Any:
    data = purchasing_sheets.open_orders_workbook(db.session, _supplier_id())
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": 'attachment; filename="open-orders.xlsx"'})


@api_roles(*SUPPLIER)
def portal_order(po_id: int) -> Any:
    return jsonify(portal_json(_own(po_id)))


def _confirm_lines(body: dict[str, Any]) -> dict[int, tuple[Any, date | None]]:
    raw_lines = body.get("lines") or []
    if not isinstance(raw_lines, list) or not all(isinstance(r, dict) for r in raw_lines):
        raise ValidationFailed({"lines": ["a list of {line_id, quantity, date}"]})
    out: dict[int, tuple[Any, date | None]] = {}
    for raw in raw_lines:
        line_id = raw.get("line_id")
        if not isinstance(line_id, int):
            raise ValidationFailed({"lines": ["every line needs an integer line_id"]})
        key = f"lines[{line_id}]"
        try:
            out[line_id] = (raw.get("quantity"), optional_date(raw.get("date"), key))
        except ValidationFailed as bad:  # the caller names lines by id: say it the same way
            raise ValidationFailed(bad.field_errors, labels={key: f"line_id {line_id}"}) from None
    return out


@api_roles(*SUPPLIER)
def portal_confirm(po_id: int) -> Any:
    """Confirm in full (no lines) or per line: quantity up to the ordered one, another date."""
    body = json_body()
    _own(po_id)
    order = commit(lambda: purchasing.confirm(db.session, po_id, actor=api_actor(), now=utcnow(),
                                              lines=_confirm_lines(body), note=str(body.get("note") or "")))
    return jsonify(portal_json(order))


@api_roles(*SUPPLIER)
def portal_reject(po_id: int) -> Any:
    body = json_body()
    _own(po_id)
    order = commit(lambda: purchasing.reject_by_supplier(db.session, po_id, actor=api_actor(), now=utcnow(),
                                                         reason=str(body.get("reason") or "")))
    return jsonify(portal_json(order))


def notice_json(notice: Any) -> dict[str, Any]:
    return {"id": notice.id, "po_id": notice.po_id, "carrier": notice.carrier,
            "tracking_number": notice.tracking_number, "ship_date": _d(notice.ship_date),
            "expected_arrival": _d(notice.expected_arrival), "created_at": _d(notice.created_at),
            "lines": [{"line_id": nl.po_line_id, "quantity": _s(nl.qty)} for nl in notice.lines]}


@api_roles(*SUPPLIER)
def portal_create_notice(po_id: int) -> Any:
    """An advance shipping notice: which lines and quantities, carrier, tracking number and dates."""
    body = json_body()
    _own(po_id)
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list) or not all(isinstance(r, dict) and isinstance(r.get("line_id"), int)
                                                  for r in raw_lines):
        raise ValidationFailed({"lines": ["a list of {line_id (integer), quantity}"]})
    header = {"carrier": body.get("carrier"), "tracking_number": body.get("tracking_number"),
              "ship_date": optional_date(body.get("ship_date"), "ship_date"),
              "expected_arrival": optional_date(body.get("expected_arrival"), "expected_arrival")}
    notice = commit(lambda: portal.create_notice(
        db.session, _supplier_id(), po_id, actor=api_actor(), now=utcnow(), data=header,
        lines={r["line_id"]: r.get("quantity") for r in raw_lines}))
    return jsonify(notice_json(notice)), 201


@api_roles(*SUPPLIER)
def portal_notices(po_id: int) -> Any:
    return jsonify({"items": [notice_json(n) for n in portal.list_notices(db.session, _supplier_id(), po_id)]})


@api_roles("admin", "warehouse", "buyer")
def return_receipt_line(line_id: int) -> Any:
    """Send rejected goods back to the supplier: at most what was rejected and not yet returned."""
    body = json_body()
    row = commit(lambda: receiving.return_rejected(db.session, line_id, qty=body.get("qty"), actor=api_actor(),
                                                   now=utcnow(), note=str(body.get("note") or "")))
    return jsonify({"id": row.id, "line_id": row.po_line_id, "rejected": _s(row.qty_rejected),
                    "returned": _s(row.qty_returned), "reason": row.reject_reason})
