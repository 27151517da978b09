"""The supplier pages: create a supplier, certificates with an uploaded file, catalog entries with price
breaks, the sourcing page, scorecards; validation errors come back with 422 and the message in place."""
from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scm.models import AuditEntry, CatalogEntry, Certification, Supplier, SupplierDocument, utcnow
from scm.services.suppliers import scorecards, catalog as supplier_catalog
from tests import factories as f
from tests.supplier_factories import certify, delivery, entry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")  # money: "3.00&nbsp;USD"


def no_inline_style_or_script(body: str) -> None:
    assert not re.search(r"<[^>]+\sstyle=", body), "inline style attribute (CSP forbids it)"
    assert not re.search(r"<script(?![^>]*\ssrc=)", body), "inline script (CSP forbids it)"


@pytest.fixture
def acme(session):  # type: ignore[no-untyped-def]
    return f.supplier(session, "ACME", name="Acme Industrial")


def test_buyer_creates_a_supplier_and_errors_are_422(client, login_as, session):
    login_as("buyer")
    form = client.get("/suppliers/new")
    assert form.status_code == 200 and "New supplier" in text(form)
    bad = client.post("/suppliers/new", data={"code": "ACME", "name": "Acme", "currency": "XYZ",
                                              "status": "blocked"})
    assert bad.status_code == 422
    assert "must be an ISO 4217 currency code" in text(bad) and "say why the supplier is blocked" in text(bad)
    ok = client.post("/suppliers/new", data={"code": "acme", "name": "Acme", "currency": "usd", "status": "active",
                                             "payment_terms": "Net 30"})
    supplier = session.scalar(select(Supplier).where(Supplier.code == "ACME"))
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/suppliers/{supplier.id}")
    assert supplier.status_since == utcnow().date()
    assert session.scalar(select(AuditEntry.via).where(AuditEntry.action == "supplier.create")) == "web"
    page = client.get(f"/suppliers/{supplier.id}")
    assert page.status_code == 200 and "Acme" in text(page) and "Net 30" in text(page)
    no_inline_style_or_script(page.get_data(as_text=True))
    duplicate = client.post("/suppliers/new", data={"code": "ACME", "name": "Again", "currency": "USD",
                                                    "status": "active"})
    assert duplicate.status_code == 422 and "supplier code ACME already exists" in text(duplicate)


def test_contacts_and_addresses_on_the_profile_page(client, login_as, session, acme):
    login_as("admin")
    bad = client.post(f"/suppliers/{acme.id}/contacts", data={"contact-name": "Pat", "contact-email": "nope"})
    assert bad.status_code == 422 and "not an e-mail address" in text(bad)
    ok = client.post(f"/suppliers/{acme.id}/contacts", data={"contact-name": "Pat", "contact-email": "pat@x.example",
                                                             "contact-role": "Sales"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("#contacts")
    client.post(f"/suppliers/{acme.id}/addresses", data={"address-kind": "plant", "address-line1": "9 Mill Rd",
                                                         "address-city": "Leeds", "address-country": "gb"})
    page = text(client.get(f"/suppliers/{acme.id}"))
    assert "pat@x.example" in page and "9 Mill Rd" in page and "GB" in page


def test_add_a_certificate_with_its_file_and_download_it_as_an_attachment(client, login_as, session, acme):
    login_as("buyer")
    data = {"cert_type": "ISO 9001", "number": "Q-77", "issued_on": "2025-01-01", "expires_on": "2027-12-31",
            "file": (io.BytesIO(PDF), "iso cert.pdf")}
    response = client.post(f"/suppliers/{acme.id}/certifications/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    cert = session.scalar(select(Certification))
    document = session.get(SupplierDocument, cert.document_id)
    assert (cert.cert_type, document.content_type, document.filename) == ("ISO 9001", "application/pdf", "iso cert.pdf")
    page = text(client.get(f"/suppliers/{acme.id}"))
    assert "Q-77" in page and "valid" in page
    download = client.get(f"/suppliers/{acme.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"
    other = f.supplier(session, "OTHER")
    assert client.get(f"/suppliers/{other.id}/documents/{document.id}").status_code == 404


def test_a_disguised_or_oversized_upload_is_refused_with_422(client, login_as, session, acme):
    login_as("buyer")
    fake = {"cert_type": "UL", "issued_on": "2025-01-01", "expires_on": "2027-01-01",
            "file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "cert.pdf")}
    response = client.post(f"/suppliers/{acme.id}/certifications/new", data=fake, content_type="multipart/form-data")
    assert response.status_code == 422 and "only PDF, PNG or JPEG files are accepted" in text(response)
    big = {"document-title": "Huge", "document-kind": "contract",
           "document-file": (io.BytesIO(b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1)), "big.pdf")}
    response = client.post(f"/suppliers/{acme.id}/documents", data=big, content_type="multipart/form-data")
    assert response.status_code == 422 and "larger than 10 MB" in text(response)
    dates = {"cert_type": "UL", "issued_on": "2026-01-02", "expires_on": "2026-01-01"}
    response = client.post(f"/suppliers/{acme.id}/certifications/new", data=dates)
    assert response.status_code == 422 and "must be on or after the issue date" in text(response)
    assert session.scalar(select(Certification)) is None and session.scalar(select(SupplierDocument)) is None


def catalog_form(supplier_id: int, sku: str, role: str = "primary", **extra: str) -> dict[str, object]:
    return {"supplier_id": supplier_id, "sku": sku, "role": role, "lead_time_days": "7", "capacity_per_week": "500",
            "moq": "10", "order_multiple": "5", "active": "y",
            "price_breaks-0-min_qty": "0", "price_breaks-0-unit_price": "2.50", "price_breaks-0-currency": "USD",
            "price_breaks-1-min_qty": "100", "price_breaks-1-unit_price": "2.25", "price_breaks-1-currency": "USD",
            "price_breaks-1-valid_to": "2027-12-31", **extra}


def test_add_a_catalog_entry_with_price_breaks_and_edit_it(client, login_as, session, acme):
    f.item(session, "BOLT")
    login_as("buyer")
    assert client.get(f"/catalog/new?supplier_id={acme.id}&sku=BOLT&role=backup").status_code == 200
    response = client.post("/catalog/new", data=catalog_form(acme.id, "BOLT"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/suppliers/{acme.id}#catalog")
    created = session.scalar(select(CatalogEntry))
    breaks = supplier_catalog.breaks_of(session, created.id)
    assert [(str(b.min_qty), str(b.unit_price), b.valid_to) for b in breaks] == [
        ("0.000", "2.5000", None), ("100.000", "2.2500", date(2027, 12, 31))]
    edit = client.get(f"/catalog/{created.id}/edit")
    assert edit.status_code == 200 and 'value="2.25"' in edit.get_data(as_text=True)
    changed = client.post(f"/catalog/{created.id}/edit", data=catalog_form(
        acme.id, "BOLT", **{"capacity_per_week": "900", "price_breaks-1-min_qty": "", "price_breaks-1-unit_price": ""}))
    assert changed.status_code == 302
    session.expire_all()
    assert session.get(CatalogEntry, created.id).capacity_per_week == 900
    assert len(supplier_catalog.breaks_of(session, created.id)) == 1


def test_catalog_entry_errors_are_422_and_in_place(client, login_as, session, acme):
    f.item(session, "BOLT")
    login_as("buyer")
    unknown = client.post("/catalog/new", data=catalog_form(acme.id, "GHOST"))
    assert unknown.status_code == 422 and "no item with SKU 'GHOST'" in text(unknown)
    negative = client.post("/catalog/new", data=catalog_form(acme.id, "BOLT", **{"price_breaks-0-currency": "ABC"}))
    assert negative.status_code == 422 and "break 1: currency must be an ISO 4217 currency code" in text(negative)
    client.post("/catalog/new", data=catalog_form(acme.id, "BOLT"))
    second = client.post("/catalog/new", data=catalog_form(f.supplier(session, "GLOBEX").id, "BOLT"))
    assert second.status_code == 422 and "BOLT already has a primary supplier (ACME)" in text(second)


def test_sourcing_page_lists_problems_and_answers_who_gets_an_order(client, login_as, session, acme):
    core = f.item(session, "CORE-1", is_core=True, name="Core bolt")
    entry(session, acme, core, "primary", 100, breaks=[{"min_qty": 0, "unit_price": "3.00"}])
    login_as("viewer")
    page = client.get("/sourcing")
    body = text(page)
    assert page.status_code == 200 and "CORE-1" in body and "No backup" in body
    assert "Add backup" not in body  # viewers read only
    no_inline_style_or_script(page.get_data(as_text=True))
    need_by = (utcnow().date() + timedelta(days=30)).isoformat()
    answer = client.get(f"/sourcing?sku=CORE-1&quantity=40&need_by={need_by}")
    assert answer.status_code == 200 and "primary, arrives" in text(answer) and "3.00 USD" in text(answer)
    bad = client.get(f"/sourcing?sku=GHOST&quantity=40&need_by={need_by}")
    assert bad.status_code == 422 and "no item with SKU 'GHOST'" in text(bad)


def test_requirements_page_adds_and_removes(client, login_as, session):
    f.item(session, "VALVE")
    login_as("buyer")
    assert client.post("/sourcing/requirements", data={"sku": "GHOST", "cert_type": "UL"}).status_code == 422
    assert client.post("/sourcing/requirements", data={"sku": "VALVE", "cert_type": "iso 9001"}).status_code == 302
    page = text(client.get("/sourcing/requirements"))
    assert "VALVE" in page and "ISO 9001" in page
    again = client.post("/sourcing/requirements", data={"sku": "VALVE", "cert_type": "ISO 9001"})
    assert again.status_code == 422 and "already requires ISO 9001" in text(again)


def test_scorecard_pages_show_scores_a_trend_and_no_activity(client, login_as, session, acme):
    item = f.item(session, "BOLT")
    today = utcnow().date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    delivery(session, acme, item, ordered=last_month - timedelta(days=7), promised=last_month,
             received=last_month - timedelta(days=1))
    f.supplier(session, "IDLE")
    scorecards.refresh(session, today)
    login_as("viewer")
    ranking = client.get("/scorecards")
    body = text(ranking)
    assert ranking.status_code == 200 and "ACME" in body and "preferred" in body and "no activity" in body
    no_inline_style_or_script(ranking.get_data(as_text=True))
    card = client.get(f"/scorecards/{acme.id}")
    body = text(card)
    assert card.status_code == 200 and "<svg" in body and "<polyline" in body and "no activity" in body
    no_inline_style_or_script(card.get_data(as_text=True))
    assert client.get("/scorecards/settings").status_code == 403


def test_admin_edits_weights_and_bad_thresholds_are_422(client, login_as, session):
    login_as("admin")
    values = scorecards.settings_values(scorecards.get_settings(session))
    bad = client.post("/scorecards/settings", data={**values, "approved_min": 95})
    assert bad.status_code == 422 and "thresholds must go preferred ≥ approved ≥ watch" in text(bad)
    ok = client.post("/scorecards/settings", data={**values, "weight_price": 40})
    assert ok.status_code == 302
    assert scorecards.get_settings(session).weights["price"] == 40


def test_supplier_list_shows_expiring_certificates(client, login_as, session, acme):
    certify(session, acme, "ISO 9001", expires=utcnow().date() + timedelta(days=9), number="Q-9")
    login_as("viewer")
    body = text(client.get("/suppliers"))
    assert "Certificates expiring or expired" in body and "Q-9" in body and "in 9 days" in body
