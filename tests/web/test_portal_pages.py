"""Portal pages with two suppliers: no cross-supplier read or write on any route, drafts never shown,
and extra POST fields (price, status, received quantity, supplier id) ignored."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import Certification, PurchaseOrder, ShippingNotice, SupplierDocument
from scm.services import portal
from scm.services.suppliers import certifications
from tests import factories as f
from tests.portal_factories import NOW, two_suppliers

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTICE = {"carrier": "DHL", "tracking_number": "JD0001", "ship_date": "2026-03-05", "expected_arrival": "2026-03-09"}
EXTRA = {"unit_price": "0.01", "status": "received", "qty_received": "999", "qty_ordered": "999",
         "supplier_id": "0", "po_id": "0", "currency": "XXX"}


@pytest.fixture
def pair(session):  # type: ignore[no-untyped-def]
    return two_suppliers(session)


@pytest.fixture
def as_alpha(client, session, pair):  # type: ignore[no-untyped-def]
    a, b = pair
    f.login(client, session, a.user)
    return a, b


def snapshot(session, order_id: int) -> tuple:  # type: ignore[no-untyped-def]
    session.expire_all()
    order = session.get(PurchaseOrder, order_id)
    return (order.status, order.supplier_id, order.currency, order.reject_reason,
            [(l.qty_ordered, l.unit_price, l.confirmed_qty, l.confirmed_date, l.qty_received) for l in order.lines])


def test_list_and_home_show_only_own_sent_orders(client, session, as_alpha):
    a, b = as_alpha
    for url in ("/portal/orders", "/portal/", "/portal/orders?status=open"):
        body = client.get(url).get_data(as_text=True)
        assert a.sent.number in body, url
        assert b.sent.number not in body and a.draft.number not in body and a.approved.number not in body, url
    assert a.sent.number not in client.get("/portal/orders?status=draft").get_data(as_text=True)


def test_detail_of_own_order_shows_its_lines(client, session, as_alpha):
    a, _b = as_alpha
    response = client.get(f"/portal/orders/{a.sent.id}")
    assert response.status_code == 200 and a.sent.number in response.get_data(as_text=True)


@pytest.mark.parametrize("path, method", [("", "GET"), ("/confirm", "GET"), ("/confirm", "POST"), ("/reject", "POST"),
                                          ("/notices/new", "GET"), ("/notices/new", "POST")])
def test_another_suppliers_or_a_draft_order_is_404_and_unchanged(client, session, as_alpha, path, method):
    a, b = as_alpha
    portal.confirm(session, b.supplier.id, b.sent.id, actor=b.actor, now=NOW)  # so a notice would be allowed
    session.commit()
    data = {"reason": "no", "note": "x", f"qty-{b.sent.lines[0].id}": "1", **NOTICE}
    for order in (b.sent, a.draft, a.approved):
        before = snapshot(session, order.id)
        response = client.open(f"/portal/orders/{order.id}{path}", method=method, data=data)
        assert response.status_code == 404, (order.number, path, method)
        assert snapshot(session, order.id) == before
    assert session.scalar(select(func.count()).select_from(ShippingNotice)) == 0


def test_another_suppliers_document_is_404(client, session, as_alpha):
    a, b = as_alpha
    theirs = certifications.store_document(session, b.supplier.id, data=PDF, filename="b.pdf", kind="certificate",
                                           actor=f.actor())
    mine = certifications.store_document(session, a.supplier.id, data=PDF, filename="a.pdf", kind="certificate",
                                         actor=f.actor())
    session.commit()
    assert client.get(f"/portal/documents/{theirs.id}").status_code == 404
    response = client.get(f"/portal/documents/{mine.id}")
    assert response.status_code == 200 and response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"]


def test_confirm_partly_with_a_date_ignores_extra_fields(client, session, as_alpha):
    a, b = as_alpha
    first, second = a.sent.lines
    other_line = b.sent.lines[0]
    before_b, currency_before = snapshot(session, b.sent.id), a.sent.currency
    response = client.post(f"/portal/orders/{a.sent.id}/confirm", data={
        f"qty-{first.id}": "7", f"date-{first.id}": "2026-03-20", f"qty-{other_line.id}": "1",
        f"unit_price-{first.id}": "0.01", **EXTRA})
    assert response.status_code == 302
    status, supplier_id, currency, _reason, lines = snapshot(session, a.sent.id)
    assert (status, supplier_id, currency) == ("partially_confirmed", a.supplier.id, currency_before)
    assert lines[0] == (Decimal("10.000"), Decimal("2.0000"), Decimal("7.000"), date(2026, 3, 20), Decimal("0.000"))
    assert lines[1][2] == Decimal("4.000")  # left blank: confirmed in full
    assert snapshot(session, b.sent.id) == before_b


def test_confirm_refuses_more_than_ordered_with_422(client, session, as_alpha):
    a, _b = as_alpha
    first = a.sent.lines[0]
    before = snapshot(session, a.sent.id)
    response = client.post(f"/portal/orders/{a.sent.id}/confirm", data={f"qty-{first.id}": "11"})
    assert response.status_code == 422 and "cannot confirm more" in response.get_data(as_text=True)
    response = client.post(f"/portal/orders/{a.sent.id}/confirm", data={f"date-{first.id}": "soon"})
    assert response.status_code == 422
    assert snapshot(session, a.sent.id) == before


def test_reject_with_a_reason_ignores_extra_fields(client, session, as_alpha):
    a, _b = as_alpha
    assert client.post(f"/portal/orders/{a.sent.id}/reject", data={"reason": ""}).status_code == 422
    response = client.post(f"/portal/orders/{a.sent.id}/reject", data={"reason": "no capacity", **EXTRA})
    assert response.status_code == 302
    status, supplier_id, currency, reason, lines = snapshot(session, a.sent.id)
    assert (status, supplier_id, reason) == ("rejected", a.supplier.id, "no capacity")
    assert all(line[1] == Decimal("2.0000") and line[4] == 0 for line in lines)


def test_shipping_notice_validates_quantities_and_ignores_extra_fields(client, session, as_alpha):
    a, _b = as_alpha
    first, second = a.sent.lines
    portal.confirm(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, lines={first.id: ("6", None)})
    session.commit()
    url = f"/portal/orders/{a.sent.id}/notices/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data={**NOTICE, f"qty-{first.id}": "7"})
    assert response.status_code == 422 and "at most 6" in response.get_data(as_text=True)
    assert client.post(url, data={**NOTICE}).status_code == 422  # no line at all
    response = client.post(url, data={**NOTICE, f"qty-{first.id}": "6", f"qty-{second.id}": "4", **EXTRA})
    assert response.status_code == 302
    status, supplier_id, _currency, _reason, lines = snapshot(session, a.sent.id)
    assert (status, supplier_id) == ("in_transit", a.supplier.id)
    assert all(line[4] == 0 and line[1] == Decimal("2.0000") for line in lines)
    notice = session.scalar(select(ShippingNotice))
    assert (notice.supplier_id, notice.carrier, notice.ship_date) == (a.supplier.id, "DHL", date(2026, 3, 5))
    assert client.post(url, data={**NOTICE, f"qty-{first.id}": "1"}).status_code == 422  # all shipped already


def test_certificate_upload_is_for_own_company_only(client, session, as_alpha):
    a, b = as_alpha
    from io import BytesIO
    response = client.post("/portal/certificates", data={
        "cert_type": "ISO 9001", "number": "C-1", "issued_on": "2026-01-01", "expires_on": "2027-01-01",
        "supplier_id": str(b.supplier.id), "file": (BytesIO(PDF), "iso.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    cert = session.scalar(select(Certification))
    assert cert.supplier_id == a.supplier.id
    assert session.scalar(select(SupplierDocument.supplier_id)) == a.supplier.id
    body = client.get("/portal/certificates").get_data(as_text=True)
    assert "ISO 9001" in body and f"/portal/documents/{cert.document_id}" in body
    assert client.post("/portal/certificates", data={"cert_type": ""}).status_code == 422


def test_forecast_page_shows_only_own_items(client, session, as_alpha):
    a, b = as_alpha
    warehouse = f.warehouse(session)
    f.forecast(session, a.item, warehouse)
    f.forecast(session, b.item, warehouse)
    session.commit()
    body = client.get("/portal/forecast").get_data(as_text=True)
    assert "ALPHA-A" in body and "BETA-A" not in body


def test_scorecard_page_renders(client, session, as_alpha):
    response = client.get("/portal/scorecard")
    assert response.status_code == 200 and "scorecard" in response.get_data(as_text=True).lower()


def test_staff_cannot_use_portal_pages(client, session, pair, login_as):
    a, _b = pair
    login_as("buyer")
    assert client.get(f"/portal/orders/{a.sent.id}").status_code == 403
    assert client.post(f"/portal/orders/{a.sent.id}/confirm").status_code == 403
    assert snapshot(session, a.sent.id)[0] == "sent"


def test_lines_show_our_sku_and_the_suppliers_own_reference(client, session, as_alpha):
    a, _b = as_alpha
    from scm.models import CatalogEntry
    entry = session.scalar(select(CatalogEntry).where(CatalogEntry.supplier_id == a.supplier.id,
                                                      CatalogEntry.item_id == a.item.id))
    entry.supplier_sku = "AL-77-X"
    session.commit()
    for url in (f"/portal/orders/{a.sent.id}", f"/portal/orders/{a.sent.id}/confirm"):
        body = client.get(url).get_data(as_text=True)
        assert f"<code>{a.item.sku}</code>" in body and "your ref AL-77-X" in body, url


def test_open_orders_workbook_holds_only_own_sent_orders(client, session, as_alpha):
    import io

    from openpyxl import load_workbook
    a, b = as_alpha
    response = client.get("/portal/orders.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    numbers = {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert numbers == {a.sent.number}
    assert b.sent.number not in numbers and a.draft.number not in numbers
