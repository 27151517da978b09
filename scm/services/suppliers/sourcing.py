"""Sourcing: the dual-sourcing rule for core items, and which suppliers get an order (`choose_suppliers`).

The dual-sourcing rule: every active core item has a usable primary (active catalog entry, supplier not
blocked, holding every certificate the item requires) and at least one valid backup: an active backup
entry of a supplier that is not blocked, holds the required certificates and can make at least 50 % of
the primary's weekly capacity. Probation suppliers still count (they take orders, with a warning).

`violations` checks every core item with a fixed number of set-based queries, whatever their number.
`choose_suppliers` loads the item's options and hands them to the pure `allocation.allocate`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm import formatting
from scm.models import CatalogEntry, Item, ItemCertRequirement, Supplier
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import certifications, scorecard_facts, scorecards
from scm.services.suppliers import standing as supplier_standing
from scm.services.suppliers.allocation import (  # noqa: F401  (re-exported: purchasing and planning import from here)
    ROLE_ORDER,
    Allocation,
    AllocationLine,
    PriceTier,
    SupplierOption,
    allocate,
    price_for,
    round_order_quantity,
)

BACKUP_CAPACITY_SHARE = Decimal("0.5")
REASONS = {"no_primary": "No primary", "primary_blocked": "Primary blocked", "no_backup": "No backup",
           "backup_blocked": "Backup blocked", "capacity_too_low": "Capacity too low",
           "certificate_expired": "Certificate expired"}


@dataclass(frozen=True)
class Violation:
    item_id: int
    sku: str
    name: str
    reasons: tuple[str, ...]    # codes from REASONS
    messages: tuple[str, ...]   # one sentence per problem
    primary: str | None         # supplier code of the primary, if any


@dataclass(frozen=True)
class _Entry:
    item_id: int
    supplier_id: int
    code: str
    status: str
    role: str
    capacity: Decimal


def _core_entries(session: Session) -> list[_Entry]:
    stmt = (select(CatalogEntry.item_id, CatalogEntry.supplier_id, Supplier.code, Supplier.status, CatalogEntry.role,
                   CatalogEntry.capacity_per_week)
            .join(Supplier, Supplier.id == CatalogEntry.supplier_id).join(Item, Item.id == CatalogEntry.item_id)
            .where(Item.is_core.is_(True), Item.active.is_(True), CatalogEntry.active.is_(True),
                   CatalogEntry.role.in_(("primary", "backup")))
            .order_by(CatalogEntry.item_id, CatalogEntry.role, Supplier.code))
    return [_Entry(*row) for row in session.execute(stmt)]


def violations(session: Session, as_of: date) -> list[Violation]:
    """Every active core item that breaks the dual-sourcing rule on `as_of`, by SKU, with why.

    Four queries in all (core items, their primary/backup entries, required certificates, certificate
    expiry per supplier and type); the rule itself is applied in memory.
    """
    items = session.execute(select(Item.id, Item.sku, Item.name).where(Item.is_core.is_(True),
                                                                       Item.active.is_(True)).order_by(Item.sku)).all()
    entries: dict[int, list[_Entry]] = {}
    for entry in _core_entries(session):
        entries.setdefault(entry.item_id, []).append(entry)
    required = _core_requirements(session)
    expiry = certifications.latest_expiry(session, {e.supplier_id for es in entries.values() for e in es}, as_of)
    out = []
    for item_id, sku, name in items:
        problems = check_item(sku, entries.get(item_id, []), required.get(item_id, []), expiry, as_of)
        if problems:
            primary = next((e.code for e in entries.get(item_id, []) if e.role == "primary"), None)
            out.append(Violation(item_id, sku, name, tuple(dict.fromkeys(c for c, _m in problems)),
                                 tuple(m for _c, m in problems), primary))
    return out


def _core_requirements(session: Session) -> dict[int, list[str]]:
    stmt = (select(ItemCertRequirement.item_id, ItemCertRequirement.cert_type)
            .join(Item, Item.id == ItemCertRequirement.item_id).where(Item.is_core.is_(True)))
    out: dict[int, list[str]] = {}
    for item_id, kind in session.execute(stmt):
        out.setdefault(item_id, []).append(kind)
    return out


def check_item(sku: str, entries: list[_Entry], required: list[str], expiry: dict[tuple[int, str], date],
               as_of: date) -> list[tuple[str, str]]:
    """(reason code, sentence) for every way one item breaks the rule; empty when it keeps it."""
    def cert_problem(entry: _Entry) -> str | None:
        found = [certifications.certificate_problem(entry.code, kind, expiry.get((entry.supplier_id, kind)), as_of)
                 for kind in sorted(required)]
        return next((p for p in found if p), None)

    problems: list[tuple[str, str]] = []
    primaries = [e for e in entries if e.role == "primary"]
    primary = primaries[0] if primaries else None
    if primary is None:
        problems.append(("no_primary", "no primary supplier"))
    elif primary.status == "blocked":
        problems.append(("primary_blocked", f"primary {primary.code} is blocked"))
    elif cert_problem(primary):
        problems.append(("certificate_expired", f"primary {cert_problem(primary)}"))
    backups = [e for e in entries if e.role == "backup"]
    unblocked = [b for b in backups if b.status != "blocked"]
    certified = [b for b in unblocked if not cert_problem(b)]
    if not backups:
        problems.append(("no_backup", "no backup supplier"))
    elif not unblocked:
        problems.append(("backup_blocked", "backup " + ", ".join(b.code for b in backups)
                         + (" is" if len(backups) == 1 else " are") + " blocked"))
    elif not certified:
        problems.append(("certificate_expired", "backup " + "; ".join(cert_problem(b) or "" for b in unblocked)))
    elif primary is not None and not any(b.capacity >= primary.capacity * BACKUP_CAPACITY_SHARE for b in certified):
        best = max(certified, key=lambda b: b.capacity)
        problems.append(("capacity_too_low", f"backup {best.code} can make {_fmt(best.capacity)}/week, less than "
                                             f"50 % of primary {primary.code}'s {_fmt(primary.capacity)}/week"))
    return problems


def _fmt(value: Decimal) -> str:
    return formatting.quantity(value)


# ---------------------------------------------------------------- choosing suppliers for an order

def options_for(session: Session, item_id: int, as_of: date) -> list[SupplierOption]:
    """Every active catalog entry of the item as an allocation option (a fixed number of queries)."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} does not exist")
    rows = session.execute(select(CatalogEntry, Supplier).join(Supplier, Supplier.id == CatalogEntry.supplier_id)
                           .where(CatalogEntry.item_id == item_id, CatalogEntry.active.is_(True))).all()
    supplier_ids = [s.id for _e, s in rows]
    breaks = supplier_catalog.breaks_for(session, [e.id for e, _s in rows])
    required = certifications.required_types(session, [item_id]).get(item_id, [])
    expiry = certifications.latest_expiry(session, supplier_ids, as_of)
    lead = scorecard_facts.lead_time_stats(session, item_id, supplier_ids)
    standings = scorecards.current_standings(session, supplier_ids)
    blocked = supplier_standing.order_blocks(session, [s for _e, s in rows], as_of)
    options = []
    for entry, supplier in rows:
        blockers = [blocked.get(supplier.id)] + [
            certifications.certificate_problem(supplier.code, kind, expiry.get((supplier.id, kind)), as_of, item.sku)
            for kind in sorted(required)]
        mean, count = lead.get(supplier.id, (None, 0))
        options.append(SupplierOption(
            supplier_id=supplier.id, supplier_code=supplier.code, role=entry.role,
            lead_time_days=entry.lead_time_days, capacity_per_week=entry.capacity_per_week, moq=entry.moq,
            order_multiple=entry.order_multiple, split_share=entry.split_share, status=supplier.status,
            status_reason=supplier.status_reason, blockers=tuple(b for b in blockers if b),
            warnings=tuple(supplier_warnings(supplier, standings.get(supplier.id))), actual_lead_time_mean=mean,
            deliveries=count, supplier_sku=entry.supplier_sku or "", price_breaks=tuple(PriceTier(b.min_qty, b.unit_price, b.currency, b.valid_from,
                                                           b.valid_to) for b in breaks.get(entry.id, []))))
    return options


@dataclass(frozen=True)
class ItemSupplier:
    """One supplier of an item as the item page shows it: the allocation option (role, terms, real lead
    time and its basis, blockers) and the price break valid on `as_of` for the smallest order it takes."""

    option: SupplierOption
    min_order: Decimal
    price: PriceTier | None

    @property
    def problem(self) -> str | None:
        return self.option.why_not()


def item_suppliers(session: Session, item_id: int, as_of: date) -> list[ItemSupplier]:
    """Every active catalog entry of an item, primary first, with the price of its minimum order today.

    The minimum order is one unit rounded up to the MOQ and the order multiple (as `choose_suppliers`
    rounds a line); the real lead time is `SupplierOption.real_lead_time`, the rule orders are placed by.
    """
    out = []
    for option in sorted(options_for(session, item_id, as_of), key=lambda o: (ROLE_ORDER.get(o.role, 9),
                                                                               o.supplier_code)):
        quantity = round_order_quantity(Decimal(1), option.moq, option.order_multiple)
        out.append(ItemSupplier(option, quantity, price_for(option.price_breaks, quantity, as_of)))
    return out


def supplier_warnings(supplier: Any, standing: Any) -> list[str]:
    """Why buying from a supplier deserves a second look: its own probation status, or a probation
    scorecard standing. `supplier` needs `code`, `status`, `status_reason` (an ORM row or a column row)."""
    out = []
    if supplier.status == "probation":
        out.append(f"{supplier.code} is on probation: {supplier.status_reason}".rstrip(": "))
    if standing is not None and standing.standing == "probation":
        out.append(f"{supplier.code}'s scorecard standing is probation (overall {standing.overall})")
    return out


def choose_suppliers(session: Session, item_id: int, quantity: Any, need_by: date, as_of: date) -> Allocation:
    """How to buy `quantity` of an item needed by `need_by`, ordering on `as_of`: lines per supplier
    (quantity rounded to MOQ and multiples, price break, expected arrival, reason) and notes.

    Raises ValidationFailed for a quantity that is not a positive number or a need-by before `as_of`.
    """
    try:
        qty = Decimal(str(quantity))
        if not qty.is_finite() or qty <= 0 or qty != qty.quantize(Decimal("0.001")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"quantity": ["a number greater than zero, at most 3 decimals"]}) from None
    if not isinstance(need_by, date):
        raise ValidationFailed({"need_by": ["a date (YYYY-MM-DD)"]})
    if need_by < as_of:
        raise ValidationFailed({"need_by": ["cannot be in the past"]})
    options = options_for(session, item_id, as_of)
    item = session.get(Item, item_id)
    return replace(allocate(options, qty, need_by, as_of), item_id=item_id, sku=item.sku if item else "")
