"""Supplier documents (uploaded files), certifications, the certificates items require, and expiry.

A certificate is valid from `issued_on` through `expires_on`. An item that requires a certificate type
may only be bought from a supplier holding a valid one of that type on the order date
(`missing_certificates`, used by `suppliers.purchase_blockers` and the sourcing rules).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from scm.models import Certification, Item, ItemCertRequirement, Supplier, SupplierDocument
from scm.models.suppliers import CERTIFICATION_TYPES, DOCUMENT_KINDS
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, ValidationFailed

MAX_FILE_BYTES = 10 * 1024 * 1024
# Files are recognised by their first bytes, never by the name or the browser's content type.
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
CERT_FIELDS = ("cert_type", "number", "issued_on", "expires_on", "document_id")
REMINDER_DAYS = 30


# ---------------------------------------------------------------- documents

def sniff_file(data: bytes) -> str:
    """The content type of an allowed upload (PDF, PNG, JPEG) or a field error on `file`."""
    if not data:
        raise ValidationFailed({"file": ["the file is empty"]})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed({"file": [f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"]})
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    raise ValidationFailed({"file": ["only PDF, PNG or JPEG files are accepted"]})


def safe_filename(name: str, content_type: str) -> str:
    """A plain file name for the download header: no path, no control characters, the right extension."""
    base = re.sub(r"[^\w.\- ]+", "_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._") or "document"
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[content_type]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem[:200] + extension


def store_document(session: Session, supplier_id: int, *, data: bytes, filename: str, title: str = "",
                   kind: str = "other", actor: Actor) -> SupplierDocument:
    """Validate an upload by its bytes and size (≤ 10 MB) and keep it in the database."""
    supplier = _supplier(session, supplier_id)
    errors: dict[str, list[str]] = {}
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = [f"must be one of: {', '.join(DOCUMENT_KINDS)}"]
    if len(title.strip()) > 200:
        errors["title"] = ["at most 200 characters"]
    try:
        content_type = sniff_file(data)
    except ValidationFailed as failed:
        errors.update(failed.field_errors)
    if errors:
        raise ValidationFailed(errors)
    name = safe_filename(filename, content_type)
    document = SupplierDocument(supplier_id=supplier.id, kind=kind, title=title.strip() or name, filename=name,
                                content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                content=data, uploaded_by=actor.user_id)
    session.add(document)
    session.flush()
    audit.record(session, actor, "supplier_document.upload", "supplier", supplier.id,
                 after={"document_id": document.id, "kind": kind, "filename": name, "size": len(data),
                        "sha256": document.sha256})
    return document


def get_document(session: Session, document_id: int) -> SupplierDocument:
    document = session.get(SupplierDocument, document_id)
    if document is None:
        raise NotFound(f"document {document_id} does not exist")
    return document


def list_documents(session: Session, supplier_id: int) -> list[SupplierDocument]:
    return list(session.scalars(select(SupplierDocument).where(SupplierDocument.supplier_id == supplier_id)
                                .order_by(SupplierDocument.uploaded_at.desc(), SupplierDocument.id.desc())))


# ---------------------------------------------------------------- certifications

def tidy_cert_type(text: Any) -> str:
    """Spaces tidied, and a known type spelled the known way ('iso  9001' -> 'ISO 9001')."""
    value = " ".join(str(text or "").split())
    for known in CERTIFICATION_TYPES:
        if value.casefold() == known.casefold():
            return known
    return value


def clean_certification(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    cert_type = tidy_cert_type(data.get("cert_type"))
    if not cert_type or len(cert_type) > 64:
        errors["cert_type"] = ["required, at most 64 characters"]
    number = str(data.get("number") or "").strip()
    if len(number) > 80:
        errors["number"] = ["at most 80 characters"]
    issued, expires = data.get("issued_on"), data.get("expires_on")
    for key, value in (("issued_on", issued), ("expires_on", expires)):
        if not isinstance(value, date):
            errors[key] = ["required: a date (YYYY-MM-DD)"]
    if not errors and expires < issued:  # type: ignore[operator]
        errors["expires_on"] = ["must be on or after the issue date"]
    if errors:
        raise ValidationFailed(errors)
    return {"cert_type": cert_type, "number": number, "issued_on": issued, "expires_on": expires}


def add_certification(session: Session, supplier_id: int, data: dict, *, actor: Actor, file: bytes | None = None,
                      filename: str = "") -> Certification:
    """Record a certificate, with its uploaded file when one is given (checked like any document)."""
    fields = clean_certification(data)
    supplier = _supplier(session, supplier_id)
    document = None
    if file is not None:  # an uploaded but empty file is refused ("the file is empty"), not ignored
        document = store_document(session, supplier.id, data=file, filename=filename, kind="certificate",
                                  title=f"{fields['cert_type']} {fields['number']}".strip(), actor=actor)
    cert = Certification(supplier_id=supplier.id, document_id=document.id if document else None, **fields)
    session.add(cert)
    session.flush()
    audit.record(session, actor, "certification.create", "supplier", supplier.id,
                 after={"certification_id": cert.id, **audit.snapshot(cert, CERT_FIELDS)})
    return cert


def remove_certification(session: Session, supplier_id: int, certification_id: int, *, actor: Actor) -> None:
    cert = session.get(Certification, certification_id)
    if cert is None or cert.supplier_id != supplier_id:
        raise NotFound(f"certification {certification_id} does not exist")
    before = {"certification_id": cert.id, **audit.snapshot(cert, CERT_FIELDS)}
    session.delete(cert)
    session.flush()
    audit.record(session, actor, "certification.delete", "supplier", supplier_id, before=before)


def list_certifications(session: Session, supplier_id: int) -> list[Certification]:
    return list(session.scalars(select(Certification).where(Certification.supplier_id == supplier_id)
                                .order_by(Certification.cert_type, Certification.expires_on.desc())))


@dataclass(frozen=True)
class ExpiringCertificate:
    certification_id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    cert_type: str
    number: str
    expires_on: date
    days_left: int  # negative once expired


def expiring_certifications(session: Session, as_of: date, within_days: int = REMINDER_DAYS, *,
                            include_expired_days: int = 0) -> list[ExpiringCertificate]:
    """Certificates expiring from `as_of` to `as_of + within_days` (and those expired in the last
    `include_expired_days` days), soonest first, unless a newer certificate of the same type replaces them."""
    newest = (select(Certification.supplier_id, Certification.cert_type,
                     func.max(Certification.expires_on).label("latest"))
              .group_by(Certification.supplier_id, Certification.cert_type).subquery())
    stmt = (select(Certification, Supplier.code, Supplier.name, newest.c.latest)
            .join(Supplier, Supplier.id == Certification.supplier_id)
            .join(newest, and_(newest.c.supplier_id == Certification.supplier_id,
                               newest.c.cert_type == Certification.cert_type))
            .where(Certification.expires_on >= as_of - timedelta(days=include_expired_days),
                   Certification.expires_on <= as_of + timedelta(days=within_days))
            .order_by(Certification.expires_on, Supplier.code))
    return [ExpiringCertificate(c.id, c.supplier_id, code, name, c.cert_type, c.number, c.expires_on,
                                (c.expires_on - as_of).days)
            for c, code, name, latest in session.execute(stmt) if latest <= c.expires_on]


def send_expiry_reminders(session: Session, *, as_of: date, actor: Actor,
                          within_days: int = REMINDER_DAYS) -> list[ExpiringCertificate]:
    """Mark each certificate expiring within `within_days` as reminded, once, with an audit entry
    (the audit log and the suppliers page are where buyers see it until e-mail exists)."""
    reminded = []
    for entry in expiring_certifications(session, as_of, within_days):
        cert = session.get(Certification, entry.certification_id)
        if cert is None or cert.reminded_on is not None:
            continue
        cert.reminded_on = as_of
        audit.record(session, actor, "certification.expiry_reminder", "supplier", cert.supplier_id,
                     after={"certification_id": cert.id, "cert_type": cert.cert_type,
                            "expires_on": cert.expires_on.isoformat(), "days_left": entry.days_left})
        reminded.append(entry)
    session.flush()
    return reminded


# ---------------------------------------------------------------- what items require

def add_requirement(session: Session, item_id: int, cert_type: Any, *, actor: Actor) -> ItemCertRequirement:
    kind = tidy_cert_type(cert_type)
    if not kind or len(kind) > 64:
        raise ValidationFailed({"cert_type": ["required, at most 64 characters"]})
    if session.get(Item, item_id) is None:
        raise NotFound(f"item {item_id} does not exist")
    if session.scalar(select(ItemCertRequirement.id).where(ItemCertRequirement.item_id == item_id,
                                                           ItemCertRequirement.cert_type == kind)):
        raise ValidationFailed({"cert_type": [f"the item already requires {kind}"]})
    requirement = ItemCertRequirement(item_id=item_id, cert_type=kind)
    session.add(requirement)
    session.flush()
    audit.record(session, actor, "item.require_certificate", "item", item_id, after={"cert_type": kind})
    return requirement


def remove_requirement(session: Session, requirement_id: int, *, actor: Actor) -> None:
    requirement = session.get(ItemCertRequirement, requirement_id)
    if requirement is None:
        raise NotFound(f"requirement {requirement_id} does not exist")
    item_id, kind = requirement.item_id, requirement.cert_type
    session.delete(requirement)
    session.flush()
    audit.record(session, actor, "item.unrequire_certificate", "item", item_id, before={"cert_type": kind})


def list_requirements(session: Session) -> list[tuple[ItemCertRequirement, str, str]]:
    """(requirement, SKU, item name) for every item that requires a certificate."""
    stmt = (select(ItemCertRequirement, Item.sku, Item.name).join(Item, Item.id == ItemCertRequirement.item_id)
            .order_by(Item.sku, ItemCertRequirement.cert_type))
    return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


def required_types(session: Session, item_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(item_ids))
    out: dict[int, list[str]] = {}
    if ids:
        for item_id, kind in session.execute(select(ItemCertRequirement.item_id, ItemCertRequirement.cert_type)
                                             .where(ItemCertRequirement.item_id.in_(ids))):
            out.setdefault(item_id, []).append(kind)
    return out


def latest_expiry(session: Session, supplier_ids: Iterable[int], as_of: date) -> dict[tuple[int, str], date]:
    """(supplier, type) -> the latest expiry of certificates already issued on `as_of`. One query."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    stmt = (select(Certification.supplier_id, Certification.cert_type, func.max(Certification.expires_on))
            .where(Certification.supplier_id.in_(ids), Certification.issued_on <= as_of)
            .group_by(Certification.supplier_id, Certification.cert_type))
    return {(sid, kind): latest for sid, kind, latest in session.execute(stmt)}


def certificate_problem(code: str, kind: str, latest: date | None, as_of: date, sku: str = "") -> str | None:
    """The sentence that explains why `code` may not supply an item requiring `kind` (None when fine)."""
    needs = f"; {sku} requires it" if sku else ""
    if latest is None:
        return f"{code} has no valid {kind} certificate{needs}"
    if latest < as_of:
        return f"{code}'s {kind} certificate expired on {latest.isoformat()}{needs}"
    return None


def missing_certificates(session: Session, supplier_id: int, item_id: int, as_of: date) -> list[str]:
    """Why this supplier may not supply this item on `as_of` for lack of a required certificate."""
    kinds = required_types(session, [item_id]).get(item_id, [])
    if not kinds:
        return []
    supplier, item = _supplier(session, supplier_id), session.get(Item, item_id)
    latest = latest_expiry(session, [supplier_id], as_of)
    problems = [certificate_problem(supplier.code, kind, latest.get((supplier_id, kind)), as_of,
                                    item.sku if item else "") for kind in sorted(kinds)]
    return [p for p in problems if p]


def _supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    return supplier
