"""The OpenAPI 3.1 document for /api/v1 (kept beside the routes; a test checks every route is in it)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from blueprints.api.openapi_logistics import LOGISTICS_SCHEMAS, logistics_paths
from blueprints.api.openapi_purchasing import PURCHASING_SCHEMAS, purchasing_paths
from blueprints.api.openapi_replenishment import REPLENISHMENT_SCHEMAS, replenishment_paths
from blueprints.api.openapi_suppliers import SUPPLIER_SCHEMAS, supplier_paths

ERROR = {"$ref": "#/components/schemas/Error"}


def _responses(ok: int, schema: dict, *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {str(ok): {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for code in (401, 403, *errors):
        out[str(code)] = {"description": "Error", "content": {"application/json": {"schema": ERROR}}}
    return out


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(*names: str) -> list[dict[str, Any]]:
    types = {"page": "integer", "per_page": "integer", "item_id": "integer", "warehouse_id": "integer",
             "after_id": "integer", "since": "string"}
    return [{"name": n, "in": "query", "required": False, "schema": {"type": types.get(n, "string")}}
            for n in names]


def _id(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}]


def _body(schema: dict) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "field_errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
    "Item": {"type": "object", "properties": {
        "id": {"type": "integer"}, "sku": {"type": "string"}, "name": {"type": "string"},
        "uom": {"type": "string"}, "category": {"type": "string"}, "unit_cost": {"type": "string"},
        "abc_class": {"type": "string", "enum": ["A", "B", "C"]}, "is_core": {"type": "boolean"},
        "active": {"type": "boolean"}}},
    "Warehouse": {"type": "object", "properties": {
        "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
        "address": {"type": "string"}, "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]}, "active": {"type": "boolean"}}},
    "Unit": {"type": "object", "required": ["code", "name", "decimals"], "properties": {
        "code": {"type": "string", "maxLength": 16}, "name": {"type": "string", "maxLength": 60},
        "decimals": {"type": "integer", "minimum": 0, "maximum": 3,
                     "description": "decimals a quantity in this unit may have; 0 = whole numbers only"}}},
    "Balance": {"type": "object", "properties": {
        "item_id": {"type": "integer"}, "sku": {"type": "string"}, "warehouse_id": {"type": "integer"},
        "warehouse": {"type": "string"}, "on_hand": {"type": "string"}, "reserved": {"type": "string"},
        "available": {"type": "string"}}},
    "Move": {"type": "object", "properties": {
        "id": {"type": "integer"}, "sku": {"type": "string"}, "warehouse": {"type": "string"},
        "kind": {"type": "string"}, "reason": {"type": "string"}, "qty_delta": {"type": "string"},
        "balance_after": {"type": "string"}, "posted_at": {"type": "string", "format": "date-time"}}},
    "MoveRequest": {"type": "object", "required": ["kind", "warehouse", "quantity"], "properties": {
        "kind": {"type": "string", "enum": ["receipt", "issue", "adjustment", "transfer"]},
        "sku": {"type": "string"}, "item_id": {"type": "integer"},
        "warehouse": {"type": "string", "description": "warehouse code"},
        "to_warehouse": {"type": "string", "description": "transfer only"},
        "quantity": {"type": "string", "description": "decimal; signed for adjustment"},
        "reason": {"type": "string", "description": "issue: sale|consumption|scrap|sample|other; "
                                                     "adjustment: free text"},
        "unit_cost": {"type": "string"}, "note": {"type": "string"}}},
}


def build_document() -> dict[str, Any]:
    item_list = {"type": "object", "properties": {"items": {"type": "array", "items": _ref("Item")},
                                                  "total": {"type": "integer"}}}
    paths: dict[str, Any] = {
        "/items": {
            "get": {"summary": "List items", "parameters": _query("q", "category", "active", "page", "per_page"),
                    "responses": _responses(200, item_list, 422)},
            "post": {"summary": "Create an item", "requestBody": _body(_ref("Item")),
                     "responses": _responses(201, _ref("Item"), 422)}},
        "/items/{item_id}": {
            "get": {"summary": "Get an item", "parameters": _id("item_id"),
                    "responses": _responses(200, _ref("Item"), 404)},
            "patch": {"summary": "Update an item", "parameters": _id("item_id"), "requestBody": _body(_ref("Item")),
                      "responses": _responses(200, _ref("Item"), 404, 422)}},
        "/warehouses": {
            "get": {"summary": "List warehouses", "responses": _responses(200, {"type": "object"})},
            "post": {"summary": "Create a warehouse", "requestBody": _body(_ref("Warehouse")),
                     "responses": _responses(201, _ref("Warehouse"), 422)}},
        "/warehouses/{warehouse_id}": {
            "get": {"summary": "Get a warehouse", "parameters": _id("warehouse_id"),
                    "responses": _responses(200, _ref("Warehouse"), 404)},
            "patch": {"summary": "Update a warehouse", "parameters": _id("warehouse_id"),
                      "requestBody": _body(_ref("Warehouse")), "responses": _responses(200, _ref("Warehouse"), 404, 422)}},
        "/stock/balances": {
            "get": {"summary": "Stock balances", "parameters": _query("item_id", "sku", "warehouse_id", "warehouse",
                                                                       "page", "per_page"),
                    "responses": _responses(200, {"type": "object", "properties": {
                        "balances": {"type": "array", "items": _ref("Balance")}}}, 404)}},
        "/stock/value": {
            "get": {"summary": "Stock value (on hand × unit cost) per warehouse and in total",
                    "responses": _responses(200, {"type": "object", "properties": {
                        "total": {"type": "string"}, "by_warehouse": {"type": "array", "items": {
                            "type": "object", "properties": {"warehouse": {"type": "string"},
                                                             "value": {"type": "string"}}}}}})}},
        "/stock/moves": {
            "get": {"summary": "Stock moves in id order (feed)",
                    "parameters": _query("item_id", "sku", "warehouse_id", "warehouse", "kind", "since", "after_id",
                                         "per_page"),
                    "responses": _responses(200, {"type": "object", "properties": {
                        "moves": {"type": "array", "items": _ref("Move")}, "next_after_id": {"type": "integer"}}},
                        404, 422)},
            "post": {"summary": "Post a receipt, issue, adjustment or transfer",
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                     "schema": {"type": "string", "maxLength": 200},
                                     "description": "a repeat with the same key returns the first response"}],
                     "requestBody": _body(_ref("MoveRequest")),
                     "responses": _responses(201, {"type": "object", "properties": {
                         "moves": {"type": "array", "items": _ref("Move")}}}, 409, 422)}},
    }
    paths.update(_units_paths())
    paths.update(_planning_paths())
    paths.update(supplier_paths())
    paths.update(purchasing_paths())
    paths.update(logistics_paths())
    paths.update(replenishment_paths())
    return {"openapi": "3.1.0",
            "info": {"title": "SCM API", "version": "1.0.0",
                     "description": "Supply chain and inventory API. Authenticate with a personal API token: "
                                    "Authorization: Bearer <token> (create one on your account page)."},
            "servers": [{"url": "/api/v1"}], "paths": paths,
            "components": {"schemas": {**SCHEMAS, **SUPPLIER_SCHEMAS, **PURCHASING_SCHEMAS, **LOGISTICS_SCHEMAS, **REPLENISHMENT_SCHEMAS}, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}]}


def _units_paths() -> dict[str, Any]:
    code = [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "/units": {
            "get": {"summary": "Units of measure and the decimals each allows",
                    "responses": _responses(200, {"type": "object", "properties": {
                        "units": {"type": "array", "items": _ref("Unit")}}})},
            "post": {"summary": "Add a unit of measure (admin)", "requestBody": _body(_ref("Unit")),
                     "responses": _responses(201, _ref("Unit"), 422)}},
        "/units/{code}": {
            "patch": {"summary": "Rename a unit or change its decimals (admin; fewer decimals than stock held "
                                 "is refused)", "parameters": code, "requestBody": _body(_ref("Unit")),
                      "responses": _responses(200, _ref("Unit"), 404, 422)}},
    }


def _planning_paths() -> dict[str, Any]:
    record = {"type": "object", "required": ["sku", "warehouse", "date", "quantity"], "properties": {
        "sku": {"type": "string"}, "warehouse": {"type": "string"}, "date": {"type": "string", "format": "date"},
        "quantity": {"type": "string"}, "stockout": {"type": "boolean"}}}
    period = {"type": "object", "properties": {k: {"type": ["number", "null"]} for k in
                                               ("mean", "lo80", "hi80", "lo95", "hi95")} | {"start": {"type": "string"}}}
    return {
        "/demand": {"post": {
            "summary": "Record past demand (up to 10,000 days per call; a repeated day replaces the earlier one)",
            "requestBody": _body({"type": "object", "required": ["records"], "properties": {
                "records": {"type": "array", "items": record}}}),
            "responses": _responses(201, {"type": "object", "properties": {"recorded": {"type": "integer"}}}, 422)}},
        "/forecasts": {"get": {
            "summary": "The newest forecast of one item in one warehouse, with intervals and backtest accuracy",
            "parameters": [{"name": n, "in": "query", "required": True, "schema": {"type": "string"}}
                           for n in ("sku", "warehouse")],
            "responses": _responses(200, {"type": "object", "properties": {
                "model": {"type": "string"}, "periods": {"type": "array", "items": period}}}, 404, 422)}},
    }


def openapi() -> Any:
    return jsonify(build_document())
