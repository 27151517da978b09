"""Supplier profiles, contacts and addresses, and what stops or warns a new purchase order.

Documents and certifications live in `scm.services.suppliers.certifications`; the catalog in
`scm.services.suppliers.catalog`; scores in `scm.services.suppliers.scorecards`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from scm.models import (
    CatalogEntry,
    Certification,
    PriceBreak,
    ScorecardSnapshot,
    Supplier,
    SupplierAddress,
    SupplierContact,
    SupplierDocument,
)
from scm.models.suppliers import ADDRESS_KINDS, SUPPLIER_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.currencies import CURRENCIES, clean_currency  # noqa: F401  (re-exported)
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import certifications, scorecards
from scm.services.suppliers import standing as supplier_standing

SUPPLIER_FIELDS = ("code", "name", "status", "status_reason", "status_since", "payment_terms", "currency", "notes")
CONTACT_FIELDS = ("name", "email", "phone", "role")
ADDRESS_FIELDS = ("kind", "line1", "line2", "city", "region", "postal_code", "country")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^[0-9+()./ x-]*$")
SORTS = {"code": Supplier.code, "name": Supplier.name, "status": Supplier.status, "currency": Supplier.currency}
EXPIRY_WARNING_DAYS = 30


def _text(data: dict, key: str, default: str, errors: dict, *, required: bool = False, max_len: int) -> str:
    raw = data.get(key, default)
    value = str(raw if raw is not None else "").strip()
    if required and not value:
        errors.setdefault(key, []).append("required")
    elif len(value) > max_len:
        errors.setdefault(key, []).append(f"at most {max_len} characters")
    return value


def clean_supplier(data: dict, current: Supplier | None = None) -> dict:
    """Validate profile fields (absent keys keep current values). Probation and blocked need a reason."""
    cur = audit.snapshot(current, SUPPLIER_FIELDS) if current else {
        "code": "", "name": "", "status": "active", "status_reason": "", "status_since": None,
        "payment_terms": "", "currency": "USD", "notes": ""}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "code": _text(data, "code", cur["code"], errors, required=True, max_len=32).upper(),
        "name": _text(data, "name", cur["name"], errors, required=True, max_len=200),
        "status_reason": _text(data, "status_reason", cur["status_reason"], errors, max_len=500),
        "payment_terms": _text(data, "payment_terms", cur["payment_terms"], errors, max_len=80),
        "notes": _text(data, "notes", cur["notes"], errors, max_len=5000),
        "currency": clean_currency(data.get("currency", cur["currency"]), errors)}
    if out["code"] and not CODE_PATTERN.match(out["code"]):
        errors.setdefault("code", []).append("use letters, digits and . _ / - only")
    out["status"] = str(data.get("status", cur["status"]) or "active").strip().lower()
    if out["status"] not in SUPPLIER_STATUSES:
        errors.setdefault("status", []).append(f"must be one of: {', '.join(SUPPLIER_STATUSES)}")
    elif out["status"] != "active" and not out["status_reason"]:
        errors.setdefault("status_reason", []).append(f"say why the supplier is {out['status']}")
    since = data.get("status_since") or cur["status_since"]  # an empty date keeps the one recorded
    if since not in (None, "") and not isinstance(since, date):
        try:
            since = date.fromisoformat(str(since))
        except ValueError:
            errors.setdefault("status_since", []).append("must be a date (YYYY-MM-DD)")
    out["status_since"] = since or None
    if errors:
        raise ValidationFailed(errors)
    return out


def create_supplier(session: Session, data: dict, *, actor: Actor, as_of: date) -> Supplier:
    """Create a supplier; codes are unique. The status date defaults to `as_of`."""
    fields = clean_supplier(data)
    _check_unique_code(session, fields["code"], None)
    fields["status_since"] = fields["status_since"] or as_of
    supplier = Supplier(**fields)
    session.add(supplier)
    session.flush()
    audit.record(session, actor, "supplier.create", "supplier", supplier.id,
                 after=audit.snapshot(supplier, SUPPLIER_FIELDS))
    return supplier


def update_supplier(session: Session, supplier: Supplier, data: dict, *, actor: Actor, as_of: date) -> Supplier:
    """Change a profile. A new status without a date is dated `as_of`; back to active clears the reason."""
    fields = clean_supplier(data, supplier)
    _check_unique_code(session, fields["code"], supplier.id)
    if fields["status"] != supplier.status:
        if "status_since" not in data or not data.get("status_since"):
            fields["status_since"] = as_of
        if fields["status"] == "active" and "status_reason" not in data:
            fields["status_reason"] = ""
    return audit.apply_changes(session, actor, supplier, fields, fields=SUPPLIER_FIELDS,
                               action="supplier.update", entity_type="supplier")


def _check_unique_code(session: Session, code: str, supplier_id: int | None) -> None:
    if session.scalar(select(Supplier.id).where(func.upper(Supplier.code) == code.upper(),
                                                Supplier.id != (supplier_id or -1))):
        raise ValidationFailed({"code": [f"supplier code {code} already exists"]})


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    return supplier


def supplier_by_code(session: Session, code: str) -> Supplier:
    supplier = session.scalar(select(Supplier).where(Supplier.code == str(code or "").strip().upper()))
    if supplier is None:
        raise NotFound(f"no supplier with code {code}")
    return supplier


def supplier_query(*, q: str = "", status: str = "", sort: str = "code", descending: bool = False) -> Select:
    """Suppliers matching a search over code and name, sorted by a whitelisted column (then id)."""
    stmt = select(Supplier)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Supplier.code.ilike(like), Supplier.name.ilike(like)))
    if status in SUPPLIER_STATUSES:
        stmt = stmt.where(Supplier.status == status)
    column = SORTS.get(sort, Supplier.code)
    return stmt.order_by(column.desc() if descending else column.asc(), Supplier.id)


def catalog_counts(session: Session, supplier_ids: list[int]) -> dict[int, int]:
    """Active catalog entries per supplier (one query)."""
    if not supplier_ids:
        return {}
    stmt = (select(CatalogEntry.supplier_id, func.count()).where(CatalogEntry.supplier_id.in_(supplier_ids),
                                                                 CatalogEntry.active.is_(True))
            .group_by(CatalogEntry.supplier_id))
    return dict(session.execute(stmt).all())  # type: ignore[arg-type]


# ---------------------------------------------------------------- contacts and addresses

def clean_contact(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    out = {"name": _text(data, "name", "", errors, required=True, max_len=120),
           "email": _text(data, "email", "", errors, max_len=254).lower(),
           "phone": _text(data, "phone", "", errors, max_len=40),
           "role": _text(data, "role", "", errors, max_len=80)}
    if out["email"] and not EMAIL_PATTERN.match(out["email"]):
        errors.setdefault("email", []).append("not an e-mail address")
    if out["phone"] and not PHONE_PATTERN.match(out["phone"]):
        errors.setdefault("phone", []).append("digits, spaces and + ( ) - . / x only")
    if errors:
        raise ValidationFailed(errors)
    return out


def _add_child(session: Session, supplier_id: int, model: Any, cleaned: dict, fields: tuple[str, ...],
               kind: str, actor: Actor) -> Any:
    """Add a contact or address to a supplier; the audit entry sits on the supplier."""
    supplier = get_supplier(session, supplier_id)
    child = model(supplier_id=supplier.id, **cleaned)
    session.add(child)
    session.flush()
    audit.record(session, actor, f"supplier_{kind}.create", "supplier", supplier.id,
                 after={f"{kind}_id": child.id, **audit.snapshot(child, fields)})
    return child


def _remove_child(session: Session, supplier_id: int, model: Any, child_id: int, fields: tuple[str, ...],
                  kind: str, actor: Actor) -> None:
    """Remove a supplier's own contact or address (another supplier's id is NotFound)."""
    child = session.get(model, child_id)
    if child is None or child.supplier_id != supplier_id:
        raise NotFound(f"{kind} {child_id} does not exist")
    before = {f"{kind}_id": child.id, **audit.snapshot(child, fields)}
    session.delete(child)
    session.flush()
    audit.record(session, actor, f"supplier_{kind}.delete", "supplier", supplier_id, before=before)


def add_contact(session: Session, supplier_id: int, data: dict, *, actor: Actor) -> SupplierContact:
    return _add_child(session, supplier_id, SupplierContact, clean_contact(data), CONTACT_FIELDS, "contact", actor)


def remove_contact(session: Session, supplier_id: int, contact_id: int, *, actor: Actor) -> None:
    _remove_child(session, supplier_id, SupplierContact, contact_id, CONTACT_FIELDS, "contact", actor)


def clean_address(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    out = {"kind": _text(data, "kind", "office", errors, max_len=16).lower() or "office",
           "line1": _text(data, "line1", "", errors, required=True, max_len=200),
           "line2": _text(data, "line2", "", errors, max_len=200),
           "city": _text(data, "city", "", errors, required=True, max_len=100),
           "region": _text(data, "region", "", errors, max_len=100),
           "postal_code": _text(data, "postal_code", "", errors, max_len=20),
           "country": _text(data, "country", "", errors, required=True, max_len=2).upper()}
    if out["kind"] not in ADDRESS_KINDS:
        errors.setdefault("kind", []).append(f"must be one of: {', '.join(ADDRESS_KINDS)}")
    if out["country"] and not re.fullmatch(r"[A-Z]{2}", out["country"]):
        errors.setdefault("country", []).append("a two-letter ISO 3166 country code such as US or DE")
    if errors:
        raise ValidationFailed(errors)
    return out


def add_address(session: Session, supplier_id: int, data: dict, *, actor: Actor) -> SupplierAddress:
    return _add_child(session, supplier_id, SupplierAddress, clean_address(data), ADDRESS_FIELDS, "address", actor)


def remove_address(session: Session, supplier_id: int, address_id: int, *, actor: Actor) -> None:
    _remove_child(session, supplier_id, SupplierAddress, address_id, ADDRESS_FIELDS, "address", actor)


def contacts(session: Session, supplier_id: int) -> list[SupplierContact]:
    return list(session.scalars(select(SupplierContact).where(SupplierContact.supplier_id == supplier_id)
                                .order_by(SupplierContact.name, SupplierContact.id)))


def addresses(session: Session, supplier_id: int) -> list[SupplierAddress]:
    return list(session.scalars(select(SupplierAddress).where(SupplierAddress.supplier_id == supplier_id)
                                .order_by(SupplierAddress.kind, SupplierAddress.id)))


# ---------------------------------------------------------------- what purchasing must check

def purchase_blockers(session: Session, supplier_id: int, item_id: int, as_of: date) -> list[str]:
    """Why a new purchase order for this item may not go to this supplier (empty: it may).

    A blocked supplier takes no new orders, nor does one whose scorecard standing blocks it (a run of
    bad rated months, see `supplier_standing`) unless an admin's override is in force; an item that
    requires a certificate type may only be bought from a supplier whose certificate of that type is
    valid on `as_of`.
    """
    supplier = get_supplier(session, supplier_id)
    problems = []
    if supplier.status == "blocked":
        since = f" since {supplier.status_since.isoformat()}" if supplier.status_since else ""
        reason = f": {supplier.status_reason}" if supplier.status_reason else ""
        problems.append(f"{supplier.code} is blocked{since}{reason}")
    block = supplier_standing.order_block(session, supplier, as_of)
    if block:
        problems.append(block)
    return problems + certifications.missing_certificates(session, supplier_id, item_id, as_of)


def purchase_warnings(session: Session, supplier_id: int, item_id: int | None, as_of: date) -> list[str]:
    """What a buyer should read before ordering from this supplier: probation (by status or scorecard
    standing), a replace-candidate flag, and required certificates about to expire."""
    supplier = get_supplier(session, supplier_id)
    warnings = []
    if supplier.status == "probation":
        since = f" since {supplier.status_since.isoformat()}" if supplier.status_since else ""
        warnings.append(f"{supplier.code} is on probation{since}: {supplier.status_reason}".rstrip(": "))
    latest = scorecards.current_standing(session, supplier_id)
    if latest is not None and latest.standing == "probation":
        warnings.append(f"{supplier.code}'s scorecard standing is probation (overall {latest.overall} in "
                        f"{scorecards.period_label(latest)})")
    if latest is not None and latest.replace_candidate:
        warnings.append(f"{supplier.code} is a replace candidate: too many bad scorecard periods in a row")
    if item_id is not None:
        kinds = certifications.required_types(session, [item_id]).get(item_id, [])
        latest_dates = certifications.latest_expiry(session, [supplier_id], as_of)
        for kind in sorted(kinds):
            ends = latest_dates.get((supplier_id, kind))
            if ends is not None and as_of <= ends <= as_of + timedelta(days=EXPIRY_WARNING_DAYS):
                warnings.append(f"{supplier.code}'s {kind} certificate expires on {ends.isoformat()}")
    return warnings


# ---------------------------------------------------------------- the profile page

@dataclass(frozen=True)
class Profile:
    supplier: Supplier
    contacts: list[SupplierContact]
    addresses: list[SupplierAddress]
    certifications: list[Certification]
    documents: list[SupplierDocument]
    catalog: list[supplier_catalog.EntryRow]
    price_breaks: dict[int, list[PriceBreak]]
    standing: ScorecardSnapshot | None
    as_of: date

    def current_breaks(self, entry_id: int) -> list[PriceBreak]:
        """The entry's price breaks valid on `as_of` (lowest quantity first)."""
        return [b for b in self.price_breaks.get(entry_id, [])
                if (b.valid_from is None or b.valid_from <= self.as_of) and (b.valid_to is None or self.as_of <= b.valid_to)]

    def cert_state(self, cert: Certification) -> str:
        """expired | expiring (within 30 days) | future | valid, on `as_of`."""
        if cert.expires_on < self.as_of:
            return "expired"
        if cert.issued_on > self.as_of:
            return "future"
        return "expiring" if cert.expires_on <= self.as_of + timedelta(days=EXPIRY_WARNING_DAYS) else "valid"


def profile(session: Session, supplier_id: int, as_of: date) -> Profile:
    """Everything the supplier page shows, in a fixed number of queries."""
    supplier = get_supplier(session, supplier_id)
    catalog = supplier_catalog.entry_rows(session, supplier_id=supplier.id)
    return Profile(supplier, contacts(session, supplier.id), addresses(session, supplier.id),
                   certifications.list_certifications(session, supplier.id),
                   certifications.list_documents(session, supplier.id), catalog,
                   supplier_catalog.breaks_for(session, [row.entry.id for row in catalog]),
                   scorecards.current_standing(session, supplier.id), as_of)
