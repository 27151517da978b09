"""Units of measure on the pages and the API: the admin manages them, items must name one, and the
posting forms refuse more decimals than the item's unit allows, with the SKU and unit in the error."""
from __future__ import annotations

import io
from decimal import Decimal

import lxml.html
import openpyxl
from sqlalchemy import func, select

from scm.models import AuditEntry, Item, StockMove, UnitOfMeasure
from tests import factories as f


def doc(response):  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.get_data(as_text=True))


def field_errors(response, field_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [li.text_content().strip() for li in doc(response).xpath(f"//*[@id='{field_id}-error']/li")]


def units_table(response) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = {}
    for tr in doc(response).xpath("//table[@id='units']/tbody/tr"):
        cells = [td.text_content().strip() for td in tr.xpath("./td")]
        rows[cells[0]] = (cells[1], cells[2])
    return rows


def test_admin_lists_adds_and_edits_units(client, session, login_as):
    login_as("admin")
    listed = units_table(client.get("/admin/units"))
    assert listed["ea"][1] == "0" and listed["kg"][1] == "3"
    response = client.post("/admin/units", data={"code": "drum", "name": "Drum", "decimals": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert units_table(client.get("/admin/units"))["drum"] == ("Drum", "0")
    response = client.post("/admin/units/drum/edit", data={"name": "Drum 200 l", "decimals": "2"})
    assert response.status_code == 302
    assert units_table(client.get("/admin/units"))["drum"] == ("Drum 200 l", "2")
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == "unit_of_measure")) == 2


def test_a_bad_unit_is_a_field_error_and_changes_nothing(client, session, login_as):
    login_as("admin")
    response = client.post("/admin/units", data={"code": "drum", "name": "Drum", "decimals": "7"})
    assert response.status_code == 422
    assert field_errors(response, "decimals") == ["must be 0, 1, 2 or 3"]
    response = client.post("/admin/units", data={"code": "ea", "name": "Each again", "decimals": "0"})
    assert response.status_code == 422
    assert field_errors(response, "code") == ["unit ea already exists"]
    assert session.get(UnitOfMeasure, "drum") is None
    assert client.get("/admin/units/nope/edit").status_code == 404


def test_the_item_form_offers_the_units_and_refuses_an_unknown_one(client, session, login_as):
    login_as("admin")
    page = doc(client.get("/items/new"))
    offered = [o.get("value") for o in page.xpath("//select[@id='uom']/option")]
    assert {"ea", "kg", "pcs"} <= set(offered)
    response = client.post("/items/new", data={"sku": "NEW-1", "name": "New", "uom": "crate", "abc_class": "C"})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_receiving_a_fraction_of_an_each_is_refused_with_the_sku_and_unit(client, session, login_as):
    f.item(session, "BOLT-M8", uom="ea")
    east = f.warehouse(session, "WH-EAST")
    login_as("warehouse")
    response = client.post("/stock/receive", data={"sku": "BOLT-M8", "warehouse_id": east.id, "quantity": "1.5"})
    assert response.status_code == 422
    assert field_errors(response, "quantity") == ["BOLT-M8 is counted in ea: whole numbers only"]
    assert session.scalar(select(func.count()).select_from(StockMove)) == 0


def test_a_transfer_line_with_a_fraction_of_an_each_is_refused(client, session, login_as):
    bolt = f.item(session, "BOLT-M8", uom="ea")
    east, west = f.warehouse(session, "WH-EAST"), f.warehouse(session, "WH-WEST")
    f.stock(session, bolt, east, 10)
    login_as("warehouse")
    response = client.post("/stock/transfer", data={"from_warehouse_id": east.id, "to_warehouse_id": west.id,
                                                   "lines-0-sku": "BOLT-M8", "lines-0-quantity": "2.5"})
    assert response.status_code == 422
    assert "BOLT-M8 is counted in ea: whole numbers only" in doc(response).text_content()
    assert session.scalar(select(func.count()).select_from(StockMove)) == 1


# ---------------------------------------------------------------- API

def _bearer(session, role: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {f.api_token(session, f.user(session, role))}"}


def test_api_lists_creates_and_updates_units(client, session):
    admin = _bearer(session, "admin")
    listed = client.get("/api/v1/units", headers=admin).json["units"]
    assert {"code": "ea", "name": "each", "decimals": 0} in listed
    created = client.post("/api/v1/units", json={"code": "drum", "name": "Drum", "decimals": 1}, headers=admin)
    assert created.status_code == 201 and created.json == {"code": "drum", "name": "Drum", "decimals": 1}
    patched = client.patch("/api/v1/units/drum", json={"decimals": 0}, headers=admin)
    assert patched.status_code == 200 and patched.json["decimals"] == 0
    bad = client.post("/api/v1/units", json={"code": "x y", "name": "", "decimals": 9}, headers=admin)
    assert bad.status_code == 422 and set(bad.json["field_errors"]) == {"code", "name", "decimals"}
    assert client.patch("/api/v1/units/nope", json={"decimals": 0}, headers=admin).status_code == 404
    buyer = _bearer(session, "buyer")
    assert client.post("/api/v1/units", json={"code": "tin", "name": "Tin", "decimals": 0},
                       headers=buyer).status_code == 403


def test_api_refuses_an_item_with_an_unknown_unit_and_a_fractional_each(client, session):
    f.item(session, "BOLT-M8", uom="ea")
    f.warehouse(session, "WH-EAST")
    admin = _bearer(session, "admin")
    item = client.post("/api/v1/items", json={"sku": "NEW-1", "name": "New", "uom": "crate"}, headers=admin)
    assert item.status_code == 422
    assert item.json["field_errors"]["uom"] == ["no unit of measure 'crate'; an admin can add it under Units"]
    move = client.post("/api/v1/stock/moves", headers=admin, json={
        "kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": "1.5"})
    assert move.status_code == 422
    assert move.json["field_errors"] == {"quantity": ["BOLT-M8 is counted in ea: whole numbers only"]}
    assert client.get("/api/v1/items?q=BOLT", headers=admin).json["items"][0]["uom"] == "ea"


# ---------------------------------------------------------------- item import

def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_item_import_names_the_row_and_column_of_an_unknown_unit(client, session, login_as):
    login_as("admin")
    data = _xlsx([["SKU", "Name", "Unit"], ["OK-1", "Fine", "kg"], ["BAD-1", "Crated", "crate"]])
    response = client.post("/spreadsheets/items/import", data={"file": (io.BytesIO(data), "items.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    rows = [[td.text_content().strip() for td in tr.xpath("./td")]
            for tr in doc(response).xpath("//table[@id='import-errors']/tbody/tr")]
    assert rows == [["3", "C (Unit)", "crate", "no unit of measure 'crate'; an admin can add it under Units"]]
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_decimals_are_the_units_not_a_fixed_three(session):
    from scm.services.stock import ledger as stock_ledger
    flour = f.item(session, "FLOUR-1", uom="kg")
    wh = f.warehouse(session)
    assert stock_ledger.receive(session, item_id=flour.id, warehouse_id=wh.id, qty=Decimal("0.125"),
                                actor=f.actor()).balance_after == Decimal("0.125")
