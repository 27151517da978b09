"""Supplier profiles, documents, certificates and what stops or warns a new purchase order."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from scm import jobs
from scm.models import AuditEntry, Certification, ScorecardSnapshot
from scm.services.suppliers import certifications, profiles as suppliers, catalog as supplier_catalog
from scm.services.kernel.errors import NotFound, ValidationFailed
from tests import factories as f
from tests.supplier_factories import certify, entry, require

TODAY = date(2026, 3, 2)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def actions(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_and_update_a_supplier_with_status_reason_and_date(session):
    supplier = suppliers.create_supplier(session, {"code": "acme", "name": "Acme", "currency": "eur",
                                                   "payment_terms": "Net 30"}, actor=f.actor(), as_of=TODAY)
    assert (supplier.code, supplier.currency, supplier.status, supplier.status_since) == ("ACME", "EUR", "active", TODAY)
    with pytest.raises(ValidationFailed) as missing_reason:
        suppliers.update_supplier(session, supplier, {"status": "blocked"}, actor=f.actor(), as_of=TODAY)
    assert "status_reason" in missing_reason.value.field_errors
    later = TODAY + timedelta(days=5)
    suppliers.update_supplier(session, supplier, {"status": "blocked", "status_reason": "fraud"}, actor=f.actor(),
                              as_of=later)
    assert (supplier.status, supplier.status_reason, supplier.status_since) == ("blocked", "fraud", later)
    suppliers.update_supplier(session, supplier, {"status": "active"}, actor=f.actor(), as_of=later)
    assert (supplier.status, supplier.status_reason) == ("active", "")
    change = actions(session, "supplier.update")[0]
    assert change.before == {"status": "active", "status_since": TODAY.isoformat(), "status_reason": ""}


def test_supplier_validation_names_every_bad_field(session):
    f.supplier(session, "TAKEN")
    with pytest.raises(ValidationFailed) as bad:
        suppliers.create_supplier(session, {"code": "bad code", "name": "", "currency": "XYZ", "status": "asleep"},
                                  actor=f.actor(), as_of=TODAY)
    assert set(bad.value.field_errors) == {"code", "name", "currency", "status"}
    with pytest.raises(ValidationFailed) as taken:
        suppliers.create_supplier(session, {"code": "taken", "name": "Dup"}, actor=f.actor(), as_of=TODAY)
    assert taken.value.field_errors == {"code": ["supplier code TAKEN already exists"]}


def test_contacts_and_addresses_are_validated_scoped_and_audited(session):
    acme, other = f.supplier(session, "ACME"), f.supplier(session, "OTHER")
    contact = suppliers.add_contact(session, acme.id, {"name": "Pat", "email": "PAT@acme.example"}, actor=f.actor())
    assert contact.email == "pat@acme.example"
    with pytest.raises(ValidationFailed) as bad:
        suppliers.add_contact(session, acme.id, {"name": "", "email": "nope", "phone": "call me"}, actor=f.actor())
    assert set(bad.value.field_errors) == {"name", "email", "phone"}
    with pytest.raises(ValidationFailed):
        suppliers.add_address(session, acme.id, {"line1": "1 Main", "city": "X", "country": "USA"}, actor=f.actor())
    address = suppliers.add_address(session, acme.id, {"line1": "1 Main", "city": "X", "country": "us"}, actor=f.actor())
    assert address.country == "US"
    with pytest.raises(NotFound):  # another supplier's contact cannot be removed through this one
        suppliers.remove_contact(session, other.id, contact.id, actor=f.actor())
    suppliers.remove_contact(session, acme.id, contact.id, actor=f.actor())
    assert suppliers.contacts(session, acme.id) == []
    assert [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
        "supplier_contact.create", "supplier_address.create", "supplier_contact.delete"]


@pytest.mark.parametrize("data, content_type", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_documents_are_recognised_by_their_bytes(session, data, content_type):
    supplier = f.supplier(session)
    document = certifications.store_document(session, supplier.id, data=data, filename="../../etc/x.exe",
                                             kind="contract", actor=f.actor())
    assert document.content_type == content_type and document.size == len(data)
    assert "/" not in document.filename and document.filename.startswith("x.")
    assert not document.filename.endswith(".exe")


@pytest.mark.parametrize("data, message", [
    (b"<html><script>alert(1)</script>", "only PDF, PNG or JPEG files are accepted"),
    (b"GIF89a....", "only PDF, PNG or JPEG files are accepted"),
    (b"", "the file is empty"),
    (b"%PDF-" + b"0" * (10 * 1024 * 1024), "the file is larger than 10 MB"),
])
def test_documents_of_other_types_or_too_big_are_refused(session, data, message):
    with pytest.raises(ValidationFailed) as refused:
        certifications.store_document(session, f.supplier(session).id, data=data, filename="x.pdf", actor=f.actor())
    assert refused.value.field_errors == {"file": [message]}


def test_a_certificate_keeps_its_file_and_validates_dates(session):
    supplier = f.supplier(session, "ACME")
    cert = certifications.add_certification(
        session, supplier.id, {"cert_type": "iso  9001", "number": "Q-1", "issued_on": date(2025, 1, 1),
                               "expires_on": date(2026, 1, 1)}, file=PDF, filename="iso.pdf", actor=f.actor())
    assert cert.cert_type == "ISO 9001" and cert.document_id is not None
    assert certifications.get_document(session, cert.document_id).content == PDF
    with pytest.raises(ValidationFailed) as bad:
        certifications.add_certification(session, supplier.id, {"cert_type": "UL", "issued_on": date(2026, 1, 2),
                                                                "expires_on": date(2026, 1, 1)}, actor=f.actor())
    assert bad.value.field_errors == {"expires_on": ["must be on or after the issue date"]}


def test_expiring_certificates_and_the_daily_reminder_job(session):
    acme, globex = f.supplier(session, "ACME"), f.supplier(session, "GLOBEX")
    soon = certify(session, acme, "ISO 9001", expires=TODAY + timedelta(days=10))
    certify(session, acme, "UL", expires=TODAY + timedelta(days=31))                 # outside 30 days
    old = certify(session, globex, "ISO 9001", expires=TODAY + timedelta(days=5))
    certify(session, globex, "ISO 9001", expires=TODAY + timedelta(days=400))        # renewed: not listed
    expired = certify(session, globex, "UL", expires=TODAY - timedelta(days=3))
    assert [c.certification_id for c in certifications.expiring_certifications(session, TODAY)] == [soon.id]
    listed = certifications.expiring_certifications(session, TODAY, include_expired_days=30)
    assert [(c.certification_id, c.days_left) for c in listed] == [(expired.id, -3), (soon.id, 10)]
    now = datetime(2026, 3, 2, 6, tzinfo=timezone.utc)
    assert jobs.certificate_expiry(session, now, {}) == "1 certificate(s) expiring within 30 days reminded"
    assert jobs.certificate_expiry(session, now + timedelta(hours=1), {}) == "0 certificate(s) expiring within 30 days reminded"
    assert jobs.certificate_expiry(session, now + timedelta(days=1), {}) == "1 certificate(s) expiring within 30 days reminded"
    assert session.get(Certification, soon.id).reminded_on == TODAY
    assert session.get(Certification, old.id).reminded_on is None
    assert len(actions(session, "certification.expiry_reminder")) == 2  # ISO 9001 today, UL the next day
    assert jobs.job_by_id("certificate-expiry").run is jobs.certificate_expiry


def test_purchase_blockers_name_the_reason(session):
    acme = f.supplier(session, "ACME")
    bolt, valve = f.item(session, "BOLT"), f.item(session, "VALVE")
    require(session, valve, "ISO 9001")
    assert suppliers.purchase_blockers(session, acme.id, bolt.id, TODAY) == []
    assert suppliers.purchase_blockers(session, acme.id, valve.id, TODAY) == [
        "ACME has no valid ISO 9001 certificate; VALVE requires it"]
    certify(session, acme, "ISO 9001", expires=TODAY - timedelta(days=1))
    assert suppliers.purchase_blockers(session, acme.id, valve.id, TODAY) == [
        "ACME's ISO 9001 certificate expired on 2026-03-01; VALVE requires it"]
    assert suppliers.purchase_blockers(session, acme.id, valve.id, TODAY - timedelta(days=1)) == []
    suppliers.update_supplier(session, acme, {"status": "blocked", "status_reason": "failed audit"}, actor=f.actor(),
                              as_of=TODAY)
    assert suppliers.purchase_blockers(session, acme.id, bolt.id, TODAY) == [
        "ACME is blocked since 2026-03-02: failed audit"]


def test_purchase_warnings_for_probation_by_status_or_by_scorecard(session):
    acme = f.supplier(session, "ACME")
    valve = f.item(session, "VALVE")
    require(session, valve, "ISO 9001")
    certify(session, acme, "ISO 9001", expires=TODAY + timedelta(days=20))
    assert suppliers.purchase_warnings(session, acme.id, valve.id, TODAY) == [
        "ACME's ISO 9001 certificate expires on 2026-03-22"]
    suppliers.update_supplier(session, acme, {"status": "probation", "status_reason": "late twice"}, actor=f.actor(),
                              as_of=TODAY)
    session.add(ScorecardSnapshot(supplier_id=acme.id, period="month", period_start=date(2026, 2, 1),
                                  period_end=date(2026, 2, 28), overall=52, standing="probation",
                                  replace_candidate=True, rated=True))
    session.flush()
    assert suppliers.purchase_warnings(session, acme.id, None, TODAY) == [
        "ACME is on probation since 2026-03-02: late twice",
        "ACME's scorecard standing is probation (overall 52.00 in 2026-02)",
        "ACME is a replace candidate: too many bad scorecard periods in a row"]


def test_one_primary_per_item_and_one_entry_per_supplier_and_item(session):
    acme, globex, item = f.supplier(session, "ACME"), f.supplier(session, "GLOBEX"), f.item(session, "BOLT")
    first = entry(session, acme, item, "primary", 100)
    with pytest.raises(ValidationFailed) as second_primary:
        entry(session, globex, item, "primary", 100)
    assert second_primary.value.field_errors["role"][0].startswith("BOLT already has a primary supplier (ACME)")
    with pytest.raises(ValidationFailed) as duplicate:
        entry(session, acme, item, "backup", 100)
    assert "already has a catalog entry" in duplicate.value.field_errors["sku"][0]
    backup = entry(session, globex, item, "backup", 100)
    supplier_catalog.update_entry(session, first, {"role": "backup"}, actor=f.actor())
    supplier_catalog.update_entry(session, backup, {"role": "primary"}, actor=f.actor())  # the primary moved


def test_price_breaks_are_validated_with_the_break_number(session):
    acme, item = f.supplier(session, "ACME"), f.item(session, "BOLT")
    with pytest.raises(ValidationFailed) as bad:
        entry(session, acme, item, "primary", 100, breaks=[
            {"min_qty": "0", "unit_price": "1.00"},
            {"min_qty": "10", "unit_price": "-1", "currency": "usd"},
            {"min_qty": "20", "unit_price": "0.9", "currency": "EURO", "valid_from": "2026-05-01",
             "valid_to": "2026-04-01"}])
    assert bad.value.field_errors["price_breaks"] == [
        "break 2: unit price must be ≥ 0", "break 3: currency must be an ISO 4217 currency code such as USD or EUR",
        "break 3: valid to must be on or after valid from"]
    created = entry(session, acme, item, "primary", 100, breaks=[{"min_qty": "100", "unit_price": "0.9"},
                                                                 {"min_qty": "0", "unit_price": "1"}])
    assert [(b.min_qty, b.currency) for b in supplier_catalog.breaks_of(session, created.id)] == [
        (0, "USD"), (100, "USD")]
