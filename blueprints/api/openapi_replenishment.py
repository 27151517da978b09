"""OpenAPI paths and schemas of the replenishment routes (blueprints/api/replenishment.py), merged by openapi.py."""
from __future__ import annotations

from typing import Any

from blueprints.api.openapi_purchasing import DATE, DATETIME, INT, NSTR, STR, _body, _obj, _query, _ref, _responses

NUM = {"type": ["number", "null"]}
BOOL = {"type": "boolean"}
POLICY_PROPS = dict(
    service_level={"type": ["string", "null"], "description": "percent, 50-99.9; null: by ABC class (A 98, B 95, C 90)"},
    review_period_days={"type": ["integer", "null"], "description": "1-90; null: 7"},
    min_cover_days={"type": ["integer", "null"], "description": "0-90; null: 3"},
    safety_method={"type": "string", "enum": ["formula", "backtest"]}, auto_order=BOOL)
REPLENISHMENT_SCHEMAS: dict[str, Any] = {
    "StockWarning": _obj(
        id=INT, severity={"type": "string", "enum": ["critical", "warning", "watch"]},
        status={"type": "string", "enum": ["open", "acknowledged", "resolved"]}, sku=STR, item_name=STR,
        item_id=INT, warehouse_id=INT, warehouse=STR, stockout_on=DATE, qty_short=STR, days_of_cover=NUM,
        suggested_qty={"type": "string", "description": "the open suggestions of the pair, added up"},
        stockout_probability=NUM, reason=STR, open_orders={"type": "array", "items": STR}, raised_on=DATE,
        acknowledged_at=DATETIME, notified_at=DATETIME),
    "Suggestion": _obj(
        id=INT, run_id=INT, kind={"type": "string", "enum": ["buy", "transfer"]}, item_id=INT, sku=STR,
        warehouse=STR, supplier=NSTR, from_warehouse=NSTR, qty=STR, suggested_qty=STR, unit_price=NSTR,
        currency=NSTR, expected_arrival=DATE, auto_order=BOOL, reason=STR,
        arithmetic={"type": "object", "description": "forecast over lead time and review period, sigma, lead "
                                                     "time, safety stock, reorder point, order-up-to, on hand, "
                                                     "reserved, on order, in transit, need, the "
                                                     "orders counted, why now; see Projection"}),
    "ReplenishmentPolicy": _obj(item_id=INT, warehouse_id=INT, stored=BOOL, **POLICY_PROPS),
    "Projection": _obj(
        sku=STR, warehouse=STR, as_of=DATE, severity=NSTR, stockout_on=DATE, qty_short=STR,
        days_of_cover={"type": ["string", "null"], "description": "days, to 0.1; null: no demand forecast"},
        suggested_qty={"type": "string", "description": "the open suggestions of the pair, added up"},
        on_hand=NUM, reserved=NUM, on_order=NUM, in_transit=NUM, position=NUM, daily_demand=NUM,
        lead_time_days=NUM, review_days=INT, safety_stock={**NUM, "description": "SS(L), over the lead time"},
        safety_stock_cover={**NUM, "description": "SS(L+R), in the order-up-to level"}, reorder_point=NUM,
        order_up_to=NUM, forecast_cover={**NUM, "description": "d·(L+R)"}, need=NUM, why=STR,
        on_order_lines={"type": "array", "items": _obj(number=STR, status=STR, qty=STR, due=DATE)},
        in_transit_lines={"type": "array", "items": _obj(transfer_id=INT, **{"from": STR}, qty=STR, due=DATE)},
        days={"type": "array", "items": _obj(date=DATE, demand=NUM, receipts=NUM, projected={
            **NUM, "description": "end-of-day stock: available + receipts so far − demand so far"})}),
}


def _pair() -> list[dict[str, Any]]:
    return [{"name": n, "in": "path", "required": True, "schema": INT} for n in ("item_id", "warehouse_id")]


def replenishment_paths() -> dict[str, Any]:
    policy = _ref("ReplenishmentPolicy")
    return {
        "/replenishment/warnings": {"get": {
            "summary": "Unresolved stock-out warnings, most severe and soonest first",
            "parameters": _query("severity", "warehouse", "limit"),
            "responses": _responses(200, _obj(warnings={"type": "array", "items": _ref("StockWarning")},
                                              counts=_obj(critical=INT, warning=INT, watch=INT)), 404, 422)}},
        "/replenishment/suggestions": {"get": {
            "summary": "Open suggestions of the latest plan with their arithmetic",
            "parameters": _query("warehouse"),
            "responses": _responses(200, _obj(suggestions={"type": "array", "items": _ref("Suggestion")}), 404)}},
        "/replenishment/projection": {"get": {
            "summary": "Projected stock of one item in one warehouse, day by day, with the plan's arithmetic",
            "parameters": [{**q, "required": True} for q in _query("sku", "warehouse")],
            "responses": _responses(200, _ref("Projection"), 404, 422)}},
        "/replenishment/suggestions/approve": {"post": {
            "summary": "Approve suggestions: one draft PO per supplier × warehouse, transfers shipped (in transit)",
            "requestBody": _body(_obj(["ids"], ids={"type": "array", "items": INT})),
            "responses": _responses(201, _obj(orders={"type": "array", "items": _obj(
                id=INT, number=STR, supplier_id=INT, warehouse_id=INT, status=STR, total=STR)},
                transfers={"type": "array", "items": INT}, shipments={"type": "array", "items": INT},
                warnings={"type": "array", "items": STR}),
                404, 409, 422)}},
        "/replenishment/policies/{item_id}/{warehouse_id}": {
            "get": {"summary": "The policy in force (defaults where nothing is stored)", "parameters": _pair(),
                    "responses": _responses(200, policy, 404)},
            "put": {"summary": "Store the policy of one item in one warehouse", "parameters": _pair(),
                    "requestBody": _body(_obj(**POLICY_PROPS)), "responses": _responses(200, policy, 404, 422)}},
    }
