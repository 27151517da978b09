"""Units of measure: how many decimals a quantity of an item may have, and the refusal when it has more.

A unit allows 0 to 3 decimals (0: whole numbers only). The ledger stores 3 decimals whatever the
unit; the unit narrows what a posting may ask for. `unit_decimals` is the one answer to "how many
decimals does this item allow" for every other caller (purchase order lines, display formatting,
the plan's rounding). An item whose unit is not registered allows 3 decimals, as before units existed.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import BigInteger, select, type_coerce
from sqlalchemy.orm import Session

from scm.models import Item, StockBalance, UnitOfMeasure, Warehouse
from scm.models.items import UNKNOWN_UNIT_DECIMALS
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, ValidationFailed

UNIT_FIELDS = ("code", "name", "decimals")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LEDGER_PLACES = 3  # stock_balances and stock_moves keep quantities ×10^3
CHUNK = 5000


# ---------------------------------------------------------------- reading

def list_units(session: Session) -> list[UnitOfMeasure]:
    return list(session.scalars(select(UnitOfMeasure).order_by(UnitOfMeasure.code)))


def get_unit(session: Session, code: str) -> UnitOfMeasure:
    unit = session.get(UnitOfMeasure, code)
    if unit is None:
        raise NotFound(f"no unit of measure {code!r}")
    return unit


def known_codes(session: Session) -> set[str]:
    return set(session.scalars(select(UnitOfMeasure.code)))


def unknown_unit_message(code: str) -> str:
    return f"no unit of measure '{code}'; an admin can add it under Units"


def unit_decimals(session: Session, item_ids: Iterable[int]) -> dict[int, int]:
    """{item id: decimals its unit allows} for the given items (3 for an unregistered unit)."""
    wanted = sorted(set(item_ids))
    out: dict[int, int] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(Item.id, UnitOfMeasure.decimals).outerjoin(UnitOfMeasure, UnitOfMeasure.code == Item.uom)
            .where(Item.id.in_(wanted[start:start + CHUNK])))
        out.update({item_id: UNKNOWN_UNIT_DECIMALS if decimals is None else decimals for item_id, decimals in rows})
    return out


def places(qty: Decimal) -> int:
    """Decimal places a quantity really uses: 3.000 uses 0, 2.50 uses 1."""
    exponent = qty.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimals_rule(decimals: int) -> str:
    if decimals == 0:
        return "whole numbers only"
    return f"at most {decimals} decimal{'s' if decimals > 1 else ''}"


def too_precise_message(sku: str, unit: str, decimals: int) -> str:
    return f"{sku} is counted in {unit}: {decimals_rule(decimals)}"


# ---------------------------------------------------------------- the refusal the ledger makes

def check_quantity(session: Session, item: Item, qty: Decimal, field: str = "quantity") -> None:
    """Refuse `qty` of `item` when it has more decimals than the item's unit allows."""
    if places(qty) == 0:
        return  # whole numbers suit every unit; no lookup on the common path
    unit = session.get(UnitOfMeasure, item.uom)
    decimals = UNKNOWN_UNIT_DECIMALS if unit is None else unit.decimals
    if places(qty) > decimals:
        raise ValidationFailed({field: [too_precise_message(item.sku, item.uom, decimals)]})


def check_lines(session: Session, lines: Iterable[tuple[int, Decimal]], field: str = "lines") -> None:
    """The same rule for many lines at once; every offending SKU is named once, in line order."""
    fractional = [(item_id, qty) for item_id, qty in lines if places(qty) > 0]
    if not fractional:
        return
    allowed = unit_decimals(session, [item_id for item_id, _ in fractional])
    bad = [item_id for item_id, qty in fractional if places(qty) > allowed.get(item_id, UNKNOWN_UNIT_DECIMALS)]
    if not bad:
        return
    names = dict(session.execute(select(Item.id, Item.sku).where(Item.id.in_(bad[:CHUNK]))).all())
    units = dict(session.execute(select(Item.id, Item.uom).where(Item.id.in_(bad[:CHUNK]))).all())
    messages = list(dict.fromkeys(too_precise_message(names[i], units[i], allowed[i]) for i in bad[:CHUNK]))
    raise ValidationFailed({field: messages})


def balances_finer_than(session: Session, decimals: int, *, unit: str | None = None,
                        item_id: int | None = None) -> list[Any]:
    """Balances (sku, warehouse code, on hand) holding more decimals than `decimals`, on hand or reserved.

    Quantities are stored as integers ×10^3, so "more than d decimals" is "not a multiple of 10^(3-d)".
    """
    step = 10 ** (LEDGER_PLACES - decimals)
    on_hand, reserved = type_coerce(StockBalance.on_hand, BigInteger), type_coerce(StockBalance.reserved, BigInteger)
    stmt = (select(Item.sku, Warehouse.code, StockBalance.on_hand)
            .join(Item, Item.id == StockBalance.item_id).join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .where((on_hand % step != 0) | (reserved % step != 0)).order_by(Item.sku, Warehouse.code))
    if unit is not None:
        stmt = stmt.where(Item.uom == unit)
    if item_id is not None:
        stmt = stmt.where(Item.id == item_id)
    return list(session.execute(stmt.limit(1000)))


# ---------------------------------------------------------------- the admin's list

def clean_unit(data: dict, current: UnitOfMeasure | None = None) -> dict[str, Any]:
    """Validate unit fields (absent keys keep current values); the code is fixed once created."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if current is None:
        code = str(data.get("code") or "").strip()
        if not code:
            errors.setdefault("code", []).append("required")
        elif len(code) > 16 or not CODE_PATTERN.match(code):
            errors.setdefault("code", []).append("up to 16 characters: letters, digits and . _ - only")
        out["code"] = code
    name = str(data.get("name", current.name if current else "") or "").strip()
    if not name:
        errors.setdefault("name", []).append("required")
    elif len(name) > 60:
        errors.setdefault("name", []).append("at most 60 characters")
    out["name"] = name
    raw = data.get("decimals", current.decimals if current else None)
    text = str(raw).strip() if raw is not None and not isinstance(raw, bool) else ""
    if text not in ("0", "1", "2", "3"):
        errors.setdefault("decimals", []).append("must be 0, 1, 2 or 3")
    else:
        out["decimals"] = int(text)
    if errors:
        raise ValidationFailed(errors)
    return out


def create_unit(session: Session, data: dict, *, actor: Actor) -> UnitOfMeasure:
    fields = clean_unit(data)
    if session.scalar(select(UnitOfMeasure.code).where(UnitOfMeasure.code.ilike(fields["code"]))):
        raise ValidationFailed({"code": [f"unit {fields['code']} already exists"]})
    unit = UnitOfMeasure(**fields)
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.create", "unit_of_measure", unit.code, after=audit.snapshot(unit, UNIT_FIELDS))
    return unit


def update_unit(session: Session, unit: UnitOfMeasure, data: dict, *, actor: Actor) -> UnitOfMeasure:
    """Rename a unit or change its decimals; fewer decimals than stock already held is refused."""
    fields = clean_unit(data, unit)
    if fields["decimals"] < unit.decimals:
        finer = balances_finer_than(session, fields["decimals"], unit=unit.code)
        if finer:
            sku, code, on_hand = finer[0]
            raise ValidationFailed({"decimals": [
                f"{len(finer)} stock balance(s) in {unit.code} have more decimals, e.g. {sku} "
                f"{on_hand.normalize():f} in {code}; count or adjust them first"]})
    before = audit.snapshot(unit, UNIT_FIELDS)
    unit.name, unit.decimals = fields["name"], fields["decimals"]
    session.flush()
    old, new = audit.changed_fields(before, audit.snapshot(unit, UNIT_FIELDS))
    if new:
        audit.record(session, actor, "unit.update", "unit_of_measure", unit.code, before=old, after=new)
    return unit
