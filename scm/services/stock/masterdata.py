"""Item master and warehouses: validation shared by forms, API and spreadsheet imports."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Collection

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from scm.models import Item, UnitOfMeasure, Warehouse
from scm.models.items import UNKNOWN_UNIT_DECIMALS
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.stock import units as units_of_measure

ITEM_FIELDS = ("sku", "name", "uom", "category", "unit_cost", "abc_class", "is_core", "active")
WAREHOUSE_FIELDS = ("code", "name", "address", "latitude", "longitude", "active")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
ITEM_SORTS = {"sku": Item.sku, "name": Item.name, "category": Item.category, "unit_cost": Item.unit_cost,
              "abc_class": Item.abc_class}


def _text(data: dict, key: str, default: str, errors: dict, *, required: bool, max_len: int) -> str:
    value = str(data.get(key, default) if data.get(key) is not None else default).strip()
    if required and not value:
        errors.setdefault(key, []).append("required")
    elif len(value) > max_len:
        errors.setdefault(key, []).append(f"at most {max_len} characters")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def clean_item(data: dict, current: Item | None = None, *, units: Collection[str] = ()) -> dict:
    """Validate item fields (absent keys keep current values) and return them cleaned.

    `units` are the registered unit codes (units_of_measure.known_codes); the unit must be one of them.
    """
    cur = audit.snapshot(current, ITEM_FIELDS) if current else {
        "sku": "", "name": "", "uom": "ea", "category": "", "unit_cost": "0", "abc_class": "C",
        "is_core": False, "active": True}
    errors: dict[str, list[str]] = {}
    out = {"sku": _text(data, "sku", cur["sku"], errors, required=True, max_len=64),
           "name": _text(data, "name", cur["name"], errors, required=True, max_len=200),
           "uom": _text(data, "uom", cur["uom"], errors, required=True, max_len=16),
           "category": _text(data, "category", cur["category"], errors, required=False, max_len=80)}
    if out["sku"] and not CODE_PATTERN.match(out["sku"]):
        errors.setdefault("sku", []).append("use letters, digits and . _ / - only")
    if out["uom"] and out["uom"] not in units:
        errors.setdefault("uom", []).append(units_of_measure.unknown_unit_message(out["uom"]))
    try:
        cost = Decimal(str(data.get("unit_cost", cur["unit_cost"]) or "0"))
        if not cost.is_finite() or cost < 0 or cost != cost.quantize(Decimal("0.0001")) or cost >= 10**9:
            raise InvalidOperation
        out["unit_cost"] = cost.quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        errors.setdefault("unit_cost", []).append("must be a number ≥ 0 with at most 4 decimals")
    abc = str(data.get("abc_class", cur["abc_class"]) or "C").strip().upper()
    if abc not in ("A", "B", "C"):
        errors.setdefault("abc_class", []).append("must be A, B or C")
    out["abc_class"] = abc
    out["is_core"] = _bool(data.get("is_core", cur["is_core"]))
    out["active"] = _bool(data.get("active", cur["active"]))
    if errors:
        raise ValidationFailed(errors)
    return out


def create_item(session: Session, data: dict, *, actor: Actor) -> Item:
    """Create an item; SKUs are unique (case-insensitive)."""
    fields = clean_item(data, units=units_of_measure.known_codes(session))
    _check_unique_sku(session, fields["sku"], None)
    item = Item(**fields)
    session.add(item)
    session.flush()
    audit.record(session, actor, "item.create", "item", item.id, after=audit.snapshot(item, ITEM_FIELDS))
    return item


def update_item(session: Session, item: Item, data: dict, *, actor: Actor) -> Item:
    """Change an item; a new unit must allow the decimals of the stock the item already holds."""
    fields = clean_item(data, item, units=units_of_measure.known_codes(session))
    _check_unique_sku(session, fields["sku"], item.id)
    if fields["uom"] != item.uom:
        _check_unit_fits_stock(session, item, fields["uom"])
    return audit.apply_changes(session, actor, item, fields, fields=ITEM_FIELDS, action="item.update",
                               entity_type="item")


def _check_unit_fits_stock(session: Session, item: Item, uom: str) -> None:
    unit = session.get(UnitOfMeasure, uom)
    decimals = UNKNOWN_UNIT_DECIMALS if unit is None else unit.decimals
    finer = units_of_measure.balances_finer_than(session, decimals, item_id=item.id)
    if finer:
        _sku, code, on_hand = finer[0]
        raise ValidationFailed({"uom": [f"{item.sku} holds {on_hand.normalize():f} in {code}, more decimals than "
                                        f"{uom} allows; count or adjust it first"]})


def _check_unique_sku(session: Session, sku: str, item_id: int | None) -> None:
    clash = session.scalar(select(Item.id).where(func.lower(Item.sku) == sku.lower(), Item.id != (item_id or -1)))
    if clash:
        raise ValidationFailed({"sku": [f"SKU {sku} already exists"]})


def get_item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} does not exist")
    return item


def item_by_sku(session: Session, sku: str) -> Item:
    item = session.scalar(select(Item).where(Item.sku == sku))
    if item is None:
        raise NotFound(f"no item with SKU {sku}")
    return item


def item_query(*, q: str = "", category: str = "", active: bool | None = None, sort: str = "sku",
               descending: bool = False) -> Select:
    """Items matching a search over SKU and name, sorted by a whitelisted column (then id)."""
    stmt = select(Item)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Item.sku.ilike(like), Item.name.ilike(like)))
    if category:
        stmt = stmt.where(Item.category == category)
    if active is not None:
        stmt = stmt.where(Item.active.is_(active))
    column = ITEM_SORTS.get(sort, Item.sku)
    return stmt.order_by(column.desc() if descending else column.asc(), Item.id)


def clean_warehouse(data: dict, current: Warehouse | None = None) -> dict:
    """Validate warehouse fields; coordinates are optional but must come as a pair."""
    cur = audit.snapshot(current, WAREHOUSE_FIELDS) if current else {
        "code": "", "name": "", "address": "", "latitude": None, "longitude": None, "active": True}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "code": _text(data, "code", cur["code"], errors, required=True, max_len=16).upper(),
        "name": _text(data, "name", cur["name"], errors, required=True, max_len=120),
        "address": _text(data, "address", cur["address"], errors, required=False, max_len=400)}
    if out["code"] and not CODE_PATTERN.match(out["code"]):
        errors.setdefault("code", []).append("use letters, digits and . _ / - only")
    for key, bound in (("latitude", 90), ("longitude", 180)):
        raw = data.get(key, cur[key])
        if raw in (None, ""):
            out[key] = None
            continue
        try:
            value = float(raw)
            if not -bound <= value <= bound:
                raise ValueError
            out[key] = value
        except (TypeError, ValueError):
            errors.setdefault(key, []).append(f"must be a number between -{bound} and {bound}")
    if (out.get("latitude") is None) != (out.get("longitude") is None) and not errors:
        errors.setdefault("longitude", []).append("give both latitude and longitude, or neither")
    out["active"] = _bool(data.get("active", cur["active"]))
    if errors:
        raise ValidationFailed(errors)
    return out


def create_warehouse(session: Session, data: dict, *, actor: Actor) -> Warehouse:
    fields = clean_warehouse(data)
    _check_unique_code(session, fields["code"], None)
    warehouse = Warehouse(**fields)
    session.add(warehouse)
    session.flush()
    audit.record(session, actor, "warehouse.create", "warehouse", warehouse.id,
                 after=audit.snapshot(warehouse, WAREHOUSE_FIELDS))
    return warehouse


def update_warehouse(session: Session, warehouse: Warehouse, data: dict, *, actor: Actor) -> Warehouse:
    fields = clean_warehouse(data, warehouse)
    _check_unique_code(session, fields["code"], warehouse.id)
    return audit.apply_changes(session, actor, warehouse, fields, fields=WAREHOUSE_FIELDS,
                               action="warehouse.update", entity_type="warehouse")


def _check_unique_code(session: Session, code: str, warehouse_id: int | None) -> None:
    if session.scalar(select(Warehouse.id).where(Warehouse.code == code, Warehouse.id != (warehouse_id or -1))):
        raise ValidationFailed({"code": [f"warehouse code {code} already exists"]})


def get_warehouse(session: Session, warehouse_id: int) -> Warehouse:
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"warehouse {warehouse_id} does not exist")
    return warehouse


def warehouse_by_code(session: Session, code: str) -> Warehouse:
    warehouse = session.scalar(select(Warehouse).where(Warehouse.code == code.strip().upper()))
    if warehouse is None:
        raise NotFound(f"no warehouse with code {code}")
    return warehouse


def list_warehouses(session: Session, *, active_only: bool = False) -> list[Warehouse]:
    stmt = select(Warehouse).order_by(Warehouse.code)
    if active_only:
        stmt = stmt.where(Warehouse.active.is_(True))
    return list(session.scalars(stmt))


def item_id_for_sku(session: Session, sku: str | None, field: str = "sku") -> int:
    """The id of the item with this SKU, or a field error naming the unknown SKU."""
    sku = (sku or "").strip()
    item_id = session.scalar(select(Item.id).where(Item.sku == sku)) if sku else None
    if item_id is None:
        raise ValidationFailed({field: [f"no item with SKU '{sku}'" if sku else "required"]})
    return item_id
