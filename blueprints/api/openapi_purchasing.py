"""OpenAPI paths and schemas of the purchasing routes (blueprints/api/purchasing.py), merged by openapi.py."""
from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
STR, INT = {"type": "string"}, {"type": "integer"}
NSTR = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
ACTIONS = ["submit", "approve", "send", "mark-in-transit", "cancel", "close"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(ok: int, schema: dict, *errors: int, content_type: str = "application/json") -> dict[str, Any]:
    out: dict[str, Any] = {str(ok): {"description": "OK", "content": {content_type: {"schema": schema}}}}
    for code in (401, 403, *errors):
        out[str(code)] = {"description": "Error", "content": {"application/json": {"schema": ERROR}}}
    return out


def _query(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "required": False, "schema": INT if n in ("page", "per_page") else STR}
            for n in names]


def _id(name: str = "po_id") -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": INT}]


def _body(schema: dict, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    return {"type": "object", **({"required": required} if required else {}), "properties": props}


ORDER_PROPS = dict(
    id=INT, number=STR, status=STR, supplier_id=INT, supplier=STR, warehouse_id=INT, warehouse=STR,
    currency=STR, ordered_on=DATE,
    total={"type": "string", "description": "Σ quantity × unit price in the order's currency (decimal string)"},
    open_qty={"type": "string", "description": "Σ still expected per line: ordered − received, 0 once ended"},
    line_count=INT, created_at=DATETIME, sent_at=DATETIME,
    confirmed_at=DATETIME, cancel_reason=STR, reject_reason=STR,
    notes={"type": "string", "description": "internal; not shown on portal routes"})
PURCHASING_SCHEMAS: dict[str, Any] = {
    "PurchaseOrder": _obj(**ORDER_PROPS),
    "PurchaseOrderLine": _obj(
        id=INT, item_id=INT, sku=STR, quantity=STR, unit_price=STR, amount=STR, promised_date=DATE,
        confirmed_qty=NSTR, confirmed_date=DATE, qty_received=STR, qty_accepted=STR, qty_rejected=STR,
        open_qty=STR),
    "PurchaseOrderEvent": _obj(at=DATETIME, actor=STR, from_status=NSTR, to_status=STR, note=STR),
    "PurchaseOrderDetail": {"allOf": [_ref("PurchaseOrder"), _obj(
        lines={"type": "array", "items": _ref("PurchaseOrderLine")},
        events={"type": "array", "items": _ref("PurchaseOrderEvent"), "description": "staff routes only"},
        warnings={"type": "array", "items": STR, "description": "on create only"},
        mail={"type": ["object", "null"], "description": "on send only: the supplier e-mail, delivered after the "
              "commit or kept in the outbox and retried", "properties": {
                  "to": {"type": "array", "items": STR}, "subject": STR,
                  "status": {"type": "string", "enum": ["sent", "pending"]}, "sent_at": DATETIME, "error": NSTR,
                  "attempts": INT}})]},
    "PurchaseOrderList": _obj(orders={"type": "array", "items": _ref("PurchaseOrder")}, page=INT, per_page=INT,
                              total=INT),
    "PurchaseOrderRequest": _obj(
        ["supplier", "warehouse", "lines"], supplier={"type": "string", "description": "supplier code"},
        warehouse={"type": "string", "description": "warehouse code"},
        currency={"type": "string", "description": "ISO 4217; the supplier's by default"}, notes=STR,
        lines={"type": "array", "items": _obj(
            ["sku", "quantity"], sku=STR, quantity=STR, promised_date=DATE,
            unit_price={"type": ["string", "null"], "description": "blank: the catalog price break"})}),
    "Receipt": _obj(id=INT, po_id=INT, received_at=DATETIME, order=_ref("PurchaseOrderDetail"),
                    lines={"type": "array", "items": _obj(
                        id=INT, line_id=INT, received=STR, accepted=STR, rejected=STR, reason=STR,
                        stock_move_id={"type": ["integer", "null"]})}),
}


def _staff_paths() -> dict[str, Any]:
    detail = _ref("PurchaseOrderDetail")
    return {
        "/purchase-orders": {
            "get": {"summary": "Purchase orders, newest first (filters: status, supplier code, warehouse code)",
                    "parameters": _query("status", "supplier", "warehouse", "page", "per_page"),
                    "responses": _responses(200, _ref("PurchaseOrderList"), 404, 422)},
            "post": {"summary": "Create a draft order; prices default from the catalog's price breaks",
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                     "schema": {"type": "string", "maxLength": 200},
                                     "description": "a repeat with the same key returns the first response"}],
                     "requestBody": _body(_ref("PurchaseOrderRequest")),
                     "responses": _responses(201, detail, 404, 409, 422)}},
        "/purchase-orders/{po_id}": {
            "get": {"summary": "An order with its lines and status history", "parameters": _id(),
                    "responses": _responses(200, detail, 404)}},
        "/purchase-orders/{po_id}/{action}": {
            "post": {"summary": "Move an order: submit, approve, send, mark-in-transit, cancel (reason required) "
                                "or close; illegal moves are 409",
                     "parameters": _id() + [{"name": "action", "in": "path", "required": True,
                                             "schema": {"type": "string", "enum": ACTIONS}}],
                     "requestBody": _body(_obj(reason=STR, note=STR), required=False),
                     "responses": _responses(200, detail, 404, 409, 422)}},
        "/purchase-orders/{po_id}/receipts": {
            "post": {"summary": "Receive and inspect goods (accepted enters stock; rejected needs a reason)",
                     "parameters": _id(),
                     "requestBody": _body(_obj(["lines"], note=STR, lines={"type": "array", "items": _obj(
                         ["line_id", "received"], line_id=INT, received=STR,
                         accepted={"type": "string", "description": "default: all received"},
                         rejected=STR, reason=STR)})),
                     "responses": _responses(201, _ref("Receipt"), 404, 409, 422)}},
        "/receipt-lines/{line_id}/return": {
            "post": {"summary": "Return rejected goods of a receipt line to the supplier (no stock moves: they never "
                                "entered stock)", "parameters": _id("line_id"),
                     "requestBody": _body(_obj(["qty"], qty=STR, note=STR)),
                     "responses": _responses(200, _obj(id=INT, line_id=INT, rejected=STR, returned=STR, reason=STR),
                                             404, 422)}},
    }


def _portal_paths() -> dict[str, Any]:
    detail = _ref("PurchaseOrderDetail")
    notice = _obj(id=INT, po_id=INT, carrier=STR, tracking_number=STR, ship_date=DATE, expected_arrival=DATE,
                  created_at=STR, lines={"type": "array", "items": _obj(line_id=INT, quantity=STR)})
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return {
        "/portal/orders": {
            "get": {"summary": "Supplier tokens: your company's orders once sent to you",
                    "parameters": _query("status", "page", "per_page"),
                    "responses": _responses(200, _ref("PurchaseOrderList"), 422)}},
        "/portal/orders.xlsx": {
            "get": {"summary": "Supplier tokens: your open orders as a workbook, one row per line",
                    "responses": _responses(200, {"type": "string", "format": "binary"}, content_type=xlsx)}},
        "/portal/orders/{po_id}": {
            "get": {"summary": "Supplier tokens: one of your orders (another supplier's is 404)",
                    "parameters": _id(), "responses": _responses(200, detail, 404)}},
        "/portal/orders/{po_id}/confirm": {
            "post": {"summary": "Supplier tokens: confirm a sent order, fully (no lines) or per line",
                     "parameters": _id(),
                     "requestBody": _body(_obj(note=STR, lines={"type": "array", "items": _obj(
                         ["line_id"], line_id=INT, quantity=STR, date=DATE)})),
                     "responses": _responses(200, detail, 404, 409, 422)}},
        "/portal/orders/{po_id}/notices": {
            "get": {"summary": "Supplier tokens: your shipping notices for one of your orders", "parameters": _id(),
                    "responses": _responses(200, _obj(items={"type": "array", "items": notice}), 404)},
            "post": {"summary": "Supplier tokens: announce a shipment (lines and quantities, carrier, tracking, dates)",
                     "parameters": _id(),
                     "requestBody": _body(_obj(["carrier", "tracking_number", "ship_date", "expected_arrival", "lines"],
                                               carrier=STR, tracking_number=STR, ship_date=DATE, expected_arrival=DATE,
                                               lines={"type": "array", "items": _obj(["line_id", "quantity"],
                                                                                      line_id=INT, quantity=STR)})),
                     "responses": _responses(201, notice, 404, 409, 422)}},
        "/portal/orders/{po_id}/reject": {
            "post": {"summary": "Supplier tokens: reject a sent order with a reason", "parameters": _id(),
                     "requestBody": _body(_obj(["reason"], reason=STR)),
                     "responses": _responses(200, detail, 404, 409, 422)}},
    }


def purchasing_paths() -> dict[str, Any]:
    return {**_staff_paths(), **_portal_paths()}
