"""The supplier page shows its catalog in the body (not in the tab title), and the item page says who
sells the item, at what price today and with which real lead time (the sourcing rules' own figures)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import lxml.html

from scm.models import utcnow
from tests import factories as f
from tests.page_numbers import number
from tests.supplier_factories import certify, delivery, entry, require


def _page(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_supplier_page_title_is_short_and_the_catalog_is_in_the_body(client, login_as, session):
    login_as("buyer")
    acme = f.supplier(session, "ACME", name="Acme Industrial")
    bolt = f.item(session, "BOLT-M8", name="Bolt M8")
    entry(session, acme, bolt, "primary", 500, moq=100, multiple=50, supplier_sku="AC-778",
          breaks=[{"min_qty": "0", "unit_price": "0.40"}, {"min_qty": "1000", "unit_price": "0.35"}])
    doc = _page(client, f"/suppliers/{acme.id}")
    title = doc.findtext(".//title")
    assert len(title) < 120 and "ACME" in title and "<" not in title
    table = doc.get_element_by_id("catalog").find(".//table")
    assert table is not None
    cells = [c.text_content().strip() for c in table.findall(".//tbody/tr/td")]
    assert cells[0].startswith("BOLT-M8") and "primary" in cells[2] and cells[3] == "AC-778"
    assert number(cells[4]) == Decimal(100) and number(cells[5]) == Decimal(50)
    assert "0.40" in cells[8] and "0.35" in cells[8]


def _cells(row) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {td.get("data-col"): td.text_content().strip() for td in row.findall("td")}


def test_item_page_lists_its_suppliers_with_price_today_and_real_lead_time(client, login_as, session):
    login_as("viewer")
    today = utcnow().date()
    item = f.item(session, "VALVE-1", name="Valve")
    acme, globex, initech = (f.supplier(session, c) for c in ("ACME", "GLOBEX", "INITECH"))
    initech.status, initech.status_reason = "blocked", "fraud"
    entry(session, acme, item, "primary", 400, lead=7, moq=30, multiple=10, supplier_sku="A-1",
          breaks=[{"min_qty": "0", "unit_price": "5.00"}, {"min_qty": "30", "unit_price": "4.50"},
                  {"min_qty": "30", "unit_price": "3.00", "valid_to": (today - timedelta(days=1)).isoformat()}])
    entry(session, globex, item, "backup", 150, lead=5, breaks=[{"min_qty": "0", "unit_price": "6.00",
                                                                   "currency": "EUR"}])
    entry(session, initech, item, "alternate", 100, lead=3)
    require(session, item, "ISO 9001")
    certify(session, acme, "ISO 9001", expires=today + timedelta(days=200))
    certify(session, initech, "ISO 9001", expires=today + timedelta(days=200))
    for n, late in enumerate((10, 12, 14)):   # three receipts: the real lead time becomes their mean (12 d)
        ordered = today - timedelta(days=60 + n)
        delivery(session, acme, item, ordered=ordered, promised=ordered + timedelta(days=7),
                 received=ordered + timedelta(days=late), receipt=f"r{n}")
    doc = _page(client, f"/items/{item.id}")
    section = doc.get_element_by_id("item-suppliers")
    rows = {r.get("data-supplier"): _cells(r) for r in section.findall(".//tbody/tr")}
    assert list(rows) == ["ACME", "GLOBEX", "INITECH"]
    a = rows["ACME"]
    assert "primary" in a["role"] and a["supplier_sku"] == "A-1"
    assert number(a["moq"]) == 30 and number(a["multiple"]) == 10 and number(a["capacity"]) == 400
    assert number(a["price"]) == Decimal("4.50") and "USD" in a["price"] and "at 30" in a["price"]
    assert number(a["stated_lead"]) == 7 and number(a["real_lead"]) == 12 and "3 deliveries" in a["real_lead"]
    assert "usable" in a["status"]
    g = rows["GLOBEX"]
    assert number(g["price"]) == Decimal("6.00") and "EUR" in g["price"] and number(g["real_lead"]) == 5
    assert "stated" in g["real_lead"] and "cannot order" in g["status"] and "ISO 9001" in g["supplier"]  # uncertified
    assert "blocked" in rows["INITECH"]["status"] and "fraud" in rows["INITECH"]["supplier"]
