"""Replenishment policy per item and warehouse: stored overrides on top of defaults by ABC class.

Defaults: target service level A 98 %, B 95 %, C 90 % (the item's `abc_class`), review period 7 days,
minimum days of cover 3 (below it a warning is always raised), safety stock by the formula, no
auto-order. A stored row overrides only the fields it sets.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, ReplenishmentPolicy, Warehouse
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, PermissionDenied, ValidationFailed

SERVICE_LEVEL_BY_CLASS = {"A": Decimal("98"), "B": Decimal("95"), "C": Decimal("90")}
DEFAULT_REVIEW_DAYS = 7
DEFAULT_MIN_COVER_DAYS = 3
SAFETY_METHODS = ("formula", "backtest")
EDITOR_ROLES = ("admin", "buyer")


@dataclass(frozen=True)
class EffectivePolicy:
    item_id: int
    warehouse_id: int
    service_level: Decimal  # percent
    review_period_days: int
    min_cover_days: int
    safety_method: str
    auto_order: bool
    stored: bool  # False: every value is a default
    updated_by: int | None = None


def effective(abc_class: str, row: ReplenishmentPolicy | None, item_id: int, warehouse_id: int) -> EffectivePolicy:
    """The policy in force: the stored row's values where set, the defaults elsewhere."""
    default_level = SERVICE_LEVEL_BY_CLASS.get(abc_class or "C", SERVICE_LEVEL_BY_CLASS["C"])
    if row is None:
        return EffectivePolicy(item_id, warehouse_id, default_level, DEFAULT_REVIEW_DAYS, DEFAULT_MIN_COVER_DAYS,
                               "formula", False, False)
    return EffectivePolicy(
        item_id, warehouse_id, row.service_level if row.service_level is not None else default_level,
        row.review_period_days or DEFAULT_REVIEW_DAYS,
        row.min_cover_days if row.min_cover_days is not None else DEFAULT_MIN_COVER_DAYS,
        row.safety_method or "formula", bool(row.auto_order), True, row.updated_by)


FIELDS = ("service_level", "review_period_days", "min_cover_days", "safety_method", "auto_order")
NULLABLE = ("service_level", "review_period_days", "min_cover_days")  # None stored: the default applies


def default_fields(row: ReplenishmentPolicy | None) -> list[str]:
    """The fields of a pair that use the default (all of them when nothing is stored)."""
    return list(FIELDS) if row is None else [f for f in NULLABLE if getattr(row, f) is None]


def changes(abc_class: str, row: ReplenishmentPolicy | None, data: dict) -> dict | None:
    """What `data` (the values of a sheet row) asks to store, or None when it asks for the policy already
    in force. A value equal to a default in force stays a default (is not stored), so importing an
    export unchanged stores nothing. Raises ValidationFailed as `clean`."""
    wanted = clean(data)
    current = effective(abc_class, row, 0, 0)
    for name in set(default_fields(row)) & set(NULLABLE):
        if wanted[name] == getattr(current, name):
            wanted[name] = None
    if row is None:
        same = all(wanted[f] is None for f in NULLABLE) and (wanted["safety_method"], wanted["auto_order"]) == (
            current.safety_method, current.auto_order)
    else:
        same = all(wanted[f] == getattr(row, f) for f in NULLABLE) and (
            wanted["safety_method"], wanted["auto_order"]) == (current.safety_method, current.auto_order)
    return None if same else wanted


def stored_rows(session: Session, item_ids: list[int] | None = None) -> dict[tuple[int, int], ReplenishmentPolicy]:
    stmt = select(ReplenishmentPolicy)
    if item_ids is not None:
        stmt = stmt.where(ReplenishmentPolicy.item_id.in_(item_ids))
    return {(p.item_id, p.warehouse_id): p for p in session.scalars(stmt)}


def get_policy(session: Session, item_id: int, warehouse_id: int) -> EffectivePolicy:
    item = session.get(Item, item_id)
    if item is None or session.get(Warehouse, warehouse_id) is None:
        raise NotFound("no such item or warehouse")
    row = session.scalar(select(ReplenishmentPolicy).where(ReplenishmentPolicy.item_id == item_id,
                                                           ReplenishmentPolicy.warehouse_id == warehouse_id))
    return effective(item.abc_class, row, item_id, warehouse_id)


def _whole(value: Any, field: str, low: int, high: int, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value() or not low <= number <= high:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(f"a whole number of days from {low} to {high}, or empty for the default")
        return None
    return int(number)


def clean(data: dict) -> dict:
    """Validated policy fields (empty means 'use the default'). Raises ValidationFailed naming each field."""
    errors: dict[str, list[str]] = {}
    level = data.get("service_level")
    out: dict[str, Any] = {"service_level": None}
    if level not in (None, ""):
        try:
            out["service_level"] = Decimal(str(level).strip().rstrip("%")).quantize(Decimal("0.01"))
            if not Decimal("50") <= out["service_level"] <= Decimal("99.9"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["service_level"] = ["a percentage from 50 to 99.9, or empty for the default by ABC class"]
    out["review_period_days"] = _whole(data.get("review_period_days"), "review_period_days", 1, 90, errors)
    out["min_cover_days"] = _whole(data.get("min_cover_days"), "min_cover_days", 0, 90, errors)
    method = str(data.get("safety_method") or "formula").strip().lower()
    if method not in SAFETY_METHODS:
        errors["safety_method"] = ["formula or backtest"]
    out["safety_method"] = method
    auto = data.get("auto_order")
    out["auto_order"] = auto if isinstance(auto, bool) else str(auto or "").strip().lower() in ("1", "true", "yes", "y", "on")
    if errors:
        raise ValidationFailed(errors)
    return out


def set_policy(session: Session, item_id: int, warehouse_id: int, data: dict, *, actor: Actor) -> EffectivePolicy:
    """Store the policy of one item in one warehouse (admin, buyer). Audited with before and after."""
    if actor.role not in EDITOR_ROLES:
        raise PermissionDenied("only buyers and admins change replenishment policies")
    current = get_policy(session, item_id, warehouse_id)
    fields = clean(data)
    row = session.scalar(select(ReplenishmentPolicy).where(ReplenishmentPolicy.item_id == item_id,
                                                           ReplenishmentPolicy.warehouse_id == warehouse_id))
    if row is None:
        row = ReplenishmentPolicy(item_id=item_id, warehouse_id=warehouse_id)
        session.add(row)
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_by = actor.user_id
    session.flush()
    audit.record(session, actor, "replenishment_policy.update", "replenishment_policy", row.id,
                 before=_audit_view(current), after={k: str(v) for k, v in fields.items()})
    return get_policy(session, item_id, warehouse_id)


def _audit_view(policy: EffectivePolicy) -> dict:
    return {"service_level": str(policy.service_level), "review_period_days": policy.review_period_days,
            "min_cover_days": policy.min_cover_days, "safety_method": policy.safety_method,
            "auto_order": policy.auto_order}


def policy_rows(session: Session, *, q: str = "", warehouse_id: int | None = None, limit: int = 200
                ) -> list[tuple[Item, Warehouse, EffectivePolicy]]:
    """Items × active warehouses with their effective policy, for the policies page (SKU order)."""
    items_stmt = select(Item).where(Item.active.is_(True)).order_by(Item.sku)
    if q:
        items_stmt = items_stmt.where(Item.sku.ilike(f"%{q}%") | Item.name.ilike(f"%{q}%"))
    wh_stmt = select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code)
    if warehouse_id:
        wh_stmt = wh_stmt.where(Warehouse.id == warehouse_id)
    warehouses = list(session.scalars(wh_stmt))
    items = list(session.scalars(items_stmt.limit(max(1, limit // max(1, len(warehouses))))))
    rows = stored_rows(session, [i.id for i in items])
    return [(i, w, effective(i.abc_class, rows.get((i.id, w.id)), i.id, w.id)) for i in items for w in warehouses]
