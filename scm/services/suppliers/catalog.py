"""The supplier catalog: per item and supplier, the terms (MOQ, multiple, lead time, capacity, role,
split share) and the price breaks. One entry per (supplier, item); at most one primary per item.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from sqlalchemy import Select, case, delete, select
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, Item, PriceBreak, Supplier
from scm.models.supplier_catalog import SOURCING_ROLES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.currencies import clean_currency
from scm.services.kernel.errors import NotFound, ValidationFailed

ENTRY_FIELDS = ("supplier_id", "item_id", "supplier_sku", "role", "moq", "order_multiple", "lead_time_days",
                "capacity_per_week", "split_share", "active")
QTY, MONEY, PCT = Decimal("0.001"), Decimal("0.0001"), Decimal("0.01")
MAX_BREAKS = 20


def _decimal(value: Any, key: str, errors: dict, *, places: Decimal, minimum: Decimal, positive: bool = False,
             maximum: Decimal = Decimal("1e12")) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
        if not number.is_finite() or number != number.quantize(places):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(f"must be a number with at most {abs(places.as_tuple().exponent)} decimals")
        return None
    if number < minimum or (positive and number <= 0) or number > maximum:
        bound = "greater than 0" if positive else f"≥ {minimum}"
        errors.setdefault(key, []).append(f"must be {bound}" + (f" and at most {maximum}" if maximum < 10**12 else ""))
        return None
    return number.quantize(places)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def clean_entry(data: dict, current: CatalogEntry | None = None) -> dict:
    """Validate the terms of a catalog entry (absent keys keep current values)."""
    cur = audit.snapshot(current, ENTRY_FIELDS) if current else {
        "supplier_sku": "", "role": "alternate", "moq": "0", "order_multiple": "1", "lead_time_days": 14,
        "capacity_per_week": None, "split_share": None, "active": True}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"supplier_sku": str(data.get("supplier_sku", cur["supplier_sku"]) or "").strip()}
    if len(out["supplier_sku"]) > 64:
        errors.setdefault("supplier_sku", []).append("at most 64 characters")
    out["role"] = str(data.get("role", cur["role"]) or "").strip().lower()
    if out["role"] not in SOURCING_ROLES:
        errors.setdefault("role", []).append(f"must be one of: {', '.join(SOURCING_ROLES)}")
    out["moq"] = _decimal(data.get("moq", cur["moq"]) or 0, "moq", errors, places=QTY, minimum=Decimal(0))
    out["order_multiple"] = _decimal(data.get("order_multiple", cur["order_multiple"]) or 0, "order_multiple",
                                     errors, places=QTY, minimum=Decimal(0))
    capacity = data.get("capacity_per_week", cur["capacity_per_week"])
    if capacity in (None, ""):
        errors.setdefault("capacity_per_week", []).append("required: how much the supplier can make per week")
    else:
        out["capacity_per_week"] = _decimal(capacity, "capacity_per_week", errors, places=QTY, minimum=Decimal(0),
                                            positive=True)
    out["lead_time_days"] = _whole_days(data.get("lead_time_days", cur["lead_time_days"]), errors)
    share = data.get("split_share", cur["split_share"])
    out["split_share"] = None if share in (None, "") else _decimal(
        share, "split_share", errors, places=PCT, minimum=Decimal(0), positive=True, maximum=Decimal(100))
    out["active"] = _bool(data.get("active", cur["active"]))
    if errors:
        raise ValidationFailed(errors)
    return out


def _whole_days(value: Any, errors: dict) -> int | None:
    try:
        days = int(str(value).strip())
        if not 0 <= days <= 730:
            raise ValueError
        return days
    except (TypeError, ValueError):
        errors.setdefault("lead_time_days", []).append("whole days from 0 to 730")
        return None


def clean_price_breaks(rows: Iterable[dict] | None, default_currency: str) -> list[dict]:
    """Validate price breaks; errors name the break ('break 2: ...') under the field `price_breaks`."""
    out: list[dict] = []
    problems: list[str] = []
    for number, row in enumerate(rows or [], start=1):
        if all(row.get(k) in (None, "") for k in ("min_qty", "unit_price")):
            continue  # an empty form row
        errors: dict[str, list[str]] = {}
        clean = {"min_qty": _decimal(row.get("min_qty") or 0, "minimum quantity", errors, places=QTY,
                                     minimum=Decimal(0)),
                 "unit_price": _decimal(row.get("unit_price", ""), "unit price", errors, places=MONEY,
                                        minimum=Decimal(0)),
                 "currency": clean_currency(row.get("currency") or default_currency, errors),
                 "valid_from": _date(row.get("valid_from"), "valid from", errors),
                 "valid_to": _date(row.get("valid_to"), "valid to", errors)}
        if clean["valid_from"] and clean["valid_to"] and clean["valid_to"] < clean["valid_from"]:
            errors.setdefault("valid to", []).append("must be on or after valid from")
        problems.extend(f"break {number}: {field} {msg}" for field, msgs in errors.items() for msg in msgs)
        if not errors:
            out.append(clean)
    keys = [(b["min_qty"], b["currency"], b["valid_from"], b["valid_to"]) for b in out]
    if len(set(keys)) != len(keys):
        problems.append("two price breaks have the same minimum quantity, currency and dates")
    if len(out) > MAX_BREAKS:
        problems.append(f"at most {MAX_BREAKS} price breaks")
    if problems:
        raise ValidationFailed({"price_breaks": problems})
    return sorted(out, key=lambda b: (b["currency"], b["min_qty"], b["valid_from"] or date.min))


def _date(value: Any, key: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.setdefault(key, []).append("must be a date (YYYY-MM-DD)")
        return None


def resolve(session: Session, data: dict) -> tuple[Supplier, Item]:
    """The supplier (by `supplier_id` or `supplier` code) and item (by `item_id` or `sku`) an entry is for."""
    errors: dict[str, list[str]] = {}
    supplier = (session.get(Supplier, int(data["supplier_id"])) if str(data.get("supplier_id") or "").isdigit()
                else session.scalar(select(Supplier).where(Supplier.code == str(data.get("supplier") or "")
                                                           .strip().upper())))
    if supplier is None:
        errors["supplier"] = ["no such supplier"]
    sku = str(data.get("sku") or "").strip()
    item = (session.get(Item, int(data["item_id"])) if str(data.get("item_id") or "").isdigit()
            else session.scalar(select(Item).where(Item.sku == sku)) if sku else None)
    if item is None:
        errors["sku"] = [f"no item with SKU '{sku}'" if sku else "required"]
    if errors:
        raise ValidationFailed(errors)
    return supplier, item  # type: ignore[return-value]


def create_entry(session: Session, data: dict, *, actor: Actor) -> CatalogEntry:
    """Add an item to a supplier's catalog with its price breaks."""
    supplier, item = resolve(session, data)
    fields = clean_entry(data)
    breaks = clean_price_breaks(data.get("price_breaks"), supplier.currency)
    if session.scalar(select(CatalogEntry.id).where(CatalogEntry.supplier_id == supplier.id,
                                                    CatalogEntry.item_id == item.id)):
        raise ValidationFailed({"sku": [f"{supplier.code} already has a catalog entry for {item.sku}; edit it"]})
    _check_one_primary(session, item, fields, None)
    entry = CatalogEntry(supplier_id=supplier.id, item_id=item.id, **fields)
    session.add(entry)
    session.flush()
    _replace_breaks(session, entry, breaks)
    audit.record(session, actor, "catalog_entry.create", "catalog_entry", entry.id,
                 after={**audit.snapshot(entry, ENTRY_FIELDS), "price_breaks": _break_text(breaks)})
    return entry


def update_entry(session: Session, entry: CatalogEntry, data: dict, *, actor: Actor) -> CatalogEntry:
    """Change an entry's terms; `price_breaks`, when given, replaces all of them."""
    before = {**audit.snapshot(entry, ENTRY_FIELDS), "price_breaks": _break_text(breaks_of(session, entry.id))}
    fields = clean_entry(data, entry)
    supplier = session.get(Supplier, entry.supplier_id)
    breaks = clean_price_breaks(data["price_breaks"], supplier.currency) if "price_breaks" in data else None
    _check_one_primary(session, session.get(Item, entry.item_id), fields, entry.id)  # type: ignore[arg-type]
    for key, value in fields.items():
        setattr(entry, key, value)
    session.flush()
    if breaks is not None:
        _replace_breaks(session, entry, breaks)
    after = {**audit.snapshot(entry, ENTRY_FIELDS), "price_breaks": _break_text(breaks_of(session, entry.id))}
    old, new = audit.changed_fields(before, after)
    if new:
        audit.record(session, actor, "catalog_entry.update", "catalog_entry", entry.id, before=old, after=new)
    return entry


def _check_one_primary(session: Session, item: Item, fields: dict, entry_id: int | None) -> None:
    if fields["role"] != "primary" or not fields["active"]:
        return
    other = session.execute(select(Supplier.code).join(CatalogEntry, CatalogEntry.supplier_id == Supplier.id).where(
        CatalogEntry.item_id == item.id, CatalogEntry.role == "primary", CatalogEntry.active.is_(True),
        CatalogEntry.id != (entry_id or -1))).scalar()
    if other:
        raise ValidationFailed({"role": [f"{item.sku} already has a primary supplier ({other}); "
                                         "make that entry backup or alternate first"]})


def _replace_breaks(session: Session, entry: CatalogEntry, breaks: list[dict]) -> None:
    session.execute(delete(PriceBreak).where(PriceBreak.entry_id == entry.id))
    session.add_all(PriceBreak(entry_id=entry.id, **b) for b in breaks)
    session.flush()


def _break_text(breaks: Iterable[Any]) -> list[str]:
    def get(b: Any, key: str) -> Any:
        return b[key] if isinstance(b, dict) else getattr(b, key)
    return [f"{get(b, 'min_qty')}+ @ {get(b, 'unit_price')} {get(b, 'currency')} "
            f"[{get(b, 'valid_from') or '…'}..{get(b, 'valid_to') or '…'}]" for b in breaks]


def get_entry(session: Session, entry_id: int) -> CatalogEntry:
    entry = session.get(CatalogEntry, entry_id)
    if entry is None:
        raise NotFound(f"catalog entry {entry_id} does not exist")
    return entry


def breaks_of(session: Session, entry_id: int) -> list[PriceBreak]:
    return breaks_for(session, [entry_id]).get(entry_id, [])


def breaks_for(session: Session, entry_ids: Iterable[int]) -> dict[int, list[PriceBreak]]:
    """Price breaks of many entries in one query, by entry, cheapest quantity first."""
    ids = sorted(set(entry_ids))
    out: dict[int, list[PriceBreak]] = {}
    for start in range(0, len(ids), 5000):
        stmt = (select(PriceBreak).where(PriceBreak.entry_id.in_(ids[start:start + 5000]))
                .order_by(PriceBreak.entry_id, PriceBreak.currency, PriceBreak.min_qty, PriceBreak.id))
        for row in session.scalars(stmt):
            out.setdefault(row.entry_id, []).append(row)
    return out


@dataclass(frozen=True)
class EntryRow:
    entry: CatalogEntry
    supplier_code: str
    supplier_name: str
    supplier_status: str
    sku: str
    item_name: str
    is_core: bool


def entry_query(*, supplier_id: int | None = None, item_id: int | None = None) -> Select:
    stmt = (select(CatalogEntry, Supplier.code, Supplier.name, Supplier.status, Item.sku, Item.name, Item.is_core)
            .join(Supplier, Supplier.id == CatalogEntry.supplier_id).join(Item, Item.id == CatalogEntry.item_id))
    if supplier_id is not None:
        stmt = stmt.where(CatalogEntry.supplier_id == supplier_id)
    if item_id is not None:
        stmt = stmt.where(CatalogEntry.item_id == item_id)
    role_order = case({"primary": 0, "backup": 1}, value=CatalogEntry.role, else_=2)
    return stmt.order_by(Item.sku, role_order, Supplier.code, CatalogEntry.id)


def entry_rows(session: Session, *, supplier_id: int | None = None, item_id: int | None = None) -> list[EntryRow]:
    return [EntryRow(*row) for row in session.execute(entry_query(supplier_id=supplier_id, item_id=item_id))]
