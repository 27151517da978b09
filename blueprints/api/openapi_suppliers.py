"""OpenAPI paths and schemas of the supplier routes (blueprints/api/suppliers.py), merged by openapi.py."""
from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(ok: int, schema: dict, *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {str(ok): {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for code in (401, 403, *errors):
        out[str(code)] = {"description": "Error", "content": {"application/json": {"schema": ERROR}}}
    return out


def _query(*names: str) -> list[dict[str, Any]]:
    ints = {"page", "per_page", "supplier_id", "item_id"}
    return [{"name": n, "in": "query", "required": False, "schema": INT if n in ints else STR} for n in names]


def _id(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": INT}]


def _body(schema: dict) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _list(key: str, schema: str) -> dict[str, Any]:
    return {"type": "object", "properties": {key: {"type": "array", "items": _ref(schema)}, "total": INT}}


SUPPLIER_SCHEMAS: dict[str, Any] = {
    "Supplier": {"type": "object", "properties": {
        "id": INT, "code": STR, "name": STR, "status": {"type": "string", "enum": ["active", "probation", "blocked"]},
        "status_reason": STR, "status_since": DATE, "payment_terms": STR,
        "currency": {"type": "string", "description": "ISO 4217"}, "notes": STR}},
    "PriceBreak": {"type": "object", "required": ["unit_price"], "properties": {
        "min_qty": STR, "unit_price": STR, "currency": STR, "valid_from": DATE, "valid_to": DATE}},
    "CatalogEntry": {"type": "object", "properties": {
        "id": INT, "supplier_id": INT, "supplier": {"type": "string", "description": "supplier code"},
        "item_id": INT, "sku": STR, "supplier_sku": STR,
        "role": {"type": "string", "enum": ["primary", "backup", "alternate"]}, "moq": STR, "order_multiple": STR,
        "lead_time_days": INT, "capacity_per_week": STR, "split_share": NSTR, "active": BOOL,
        "price_breaks": {"type": "array", "items": _ref("PriceBreak")}}},
    "Scorecard": {"type": "object", "description": "0-100 scores; null means no activity in the period", "properties": {
        "supplier_id": INT, "supplier": STR, "period": STR, "label": STR, "period_start": STR, "no_activity": BOOL,
        **{k: NSTR for k in ("overall", "on_time", "on_time_lines", "on_time_qty", "quality", "lead_time",
                             "lead_time_mean_days", "lead_time_std_days", "lead_time_stated_days", "fill_rate",
                             "price", "responsiveness", "responsiveness_hours", "standing")},
        "replace_candidate": BOOL, "deliveries": INT, "inspections": INT, "orders": INT}},
    "Violation": {"type": "object", "properties": {
        "item_id": INT, "sku": STR, "name": STR, "primary": NSTR, "reasons": {"type": "array", "items": {
            "type": "string", "enum": ["no_primary", "primary_blocked", "no_backup", "backup_blocked",
                                       "capacity_too_low", "certificate_expired"]}},
        "messages": {"type": "array", "items": STR}}},
    "Allocation": {"type": "object", "properties": {
        "sku": STR, "item_id": INT, "quantity": STR, "need_by": STR, "as_of": STR, "late": BOOL,
        "notes": {"type": "array", "items": STR},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "supplier_id": INT, "supplier": STR, "role": STR, "quantity": STR, "unit_price": NSTR, "currency": NSTR,
            "expected_arrival": STR, "late": BOOL, "reason": STR}}}}},
}


def supplier_paths() -> dict[str, Any]:
    period = _query("period", "start")
    return {
        "/suppliers": {
            "get": {"summary": "List suppliers", "parameters": _query("q", "status", "page", "per_page"),
                    "responses": _responses(200, _list("suppliers", "Supplier"), 422)},
            "post": {"summary": "Create a supplier", "requestBody": _body(_ref("Supplier")),
                     "responses": _responses(201, _ref("Supplier"), 422)}},
        "/suppliers/{supplier_id}": {
            "get": {"summary": "A supplier with contacts, addresses, certifications and current standing",
                    "parameters": _id("supplier_id"), "responses": _responses(200, _ref("Supplier"), 404)},
            "patch": {"summary": "Update a supplier (status probation/blocked needs status_reason)",
                      "parameters": _id("supplier_id"), "requestBody": _body(_ref("Supplier")),
                      "responses": _responses(200, _ref("Supplier"), 404, 422)}},
        "/catalog": {
            "get": {"summary": "Catalog entries, by supplier (supplier_id or supplier code) or item (item_id or sku)",
                    "parameters": _query("supplier_id", "supplier", "item_id", "sku", "page", "per_page"),
                    "responses": _responses(200, _list("entries", "CatalogEntry"), 404, 422)},
            "post": {"summary": "Add an item to a supplier's catalog (supplier code or id, sku or item_id)",
                     "requestBody": _body(_ref("CatalogEntry")), "responses": _responses(201, _ref("CatalogEntry"), 422)}},
        "/catalog/{entry_id}": {
            "patch": {"summary": "Change an entry's terms; price_breaks, when given, replaces them all",
                      "parameters": _id("entry_id"), "requestBody": _body(_ref("CatalogEntry")),
                      "responses": _responses(200, _ref("CatalogEntry"), 404, 422)}},
        "/scorecards": {
            "get": {"summary": "Every supplier's scorecard for one period (the latest with activity by default)",
                    "parameters": period, "responses": _responses(200, _list("scorecards", "Scorecard"), 422)}},
        "/scorecards/{supplier_id}": {
            "get": {"summary": "One supplier's scorecard history (monthly or quarterly)",
                    "parameters": _id("supplier_id") + period,
                    "responses": _responses(200, {"type": "object", "properties": {
                        "history": {"type": "array", "items": _ref("Scorecard")}}}, 404, 422)}},
        "/sourcing/violations": {
            "get": {"summary": "Core items breaking the dual-sourcing rule, with the reasons",
                    "responses": _responses(200, _list("violations", "Violation"))}},
        "/sourcing/choose": {
            "post": {"summary": "Which suppliers would get an order (changes nothing)",
                     "requestBody": _body({"type": "object", "required": ["quantity", "need_by"], "properties": {
                         "sku": STR, "item_id": INT, "quantity": STR, "need_by": {"type": "string", "format": "date"}}}),
                     "responses": _responses(200, _ref("Allocation"), 404, 422)}},
    }
