"""Plain dicts for JSON responses (Decimals as strings so no precision is lost)."""
from __future__ import annotations

from typing import Any

from scm.models import Item, StockMove, Warehouse


def item(obj: Item) -> dict[str, Any]:
    return {"id": obj.id, "sku": obj.sku, "name": obj.name, "uom": obj.uom, "category": obj.category,
            "unit_cost": str(obj.unit_cost), "abc_class": obj.abc_class, "is_core": obj.is_core,
            "active": obj.active}


def warehouse(obj: Warehouse) -> dict[str, Any]:
    return {"id": obj.id, "code": obj.code, "name": obj.name, "address": obj.address,
            "latitude": obj.latitude, "longitude": obj.longitude, "active": obj.active}


def move(obj: StockMove, sku: str, warehouse_code: str) -> dict[str, Any]:
    return {"id": obj.id, "sku": sku, "warehouse": warehouse_code, "kind": obj.kind, "reason": obj.reason,
            "qty_delta": str(obj.qty_delta), "balance_after": str(obj.balance_after),
            "source_type": obj.source_type, "source_id": obj.source_id,
            "reverses_move_id": obj.reverses_move_id, "posted_at": obj.posted_at.isoformat(),
            "actor_id": obj.actor_id, "note": obj.note}


def balance(row: Any) -> dict[str, Any]:
    return {"item_id": row.item_id, "sku": row.sku, "warehouse_id": row.warehouse_id,
            "warehouse": row.warehouse, "on_hand": str(row.on_hand), "reserved": str(row.reserved),
            "available": str(row.on_hand - row.reserved)}
