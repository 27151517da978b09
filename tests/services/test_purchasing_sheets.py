"""Purchase-order spreadsheets: the order and line exports, export-only registry entries, lines imported
into a draft (row and column in every error, only drafts, all-or-nothing) and a supplier's open orders."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from scm.models import PurchaseOrder
from scm.services import importers
from scm.services.purchasing import sheets as purchasing_sheets
from scm.services.purchasing.figures import figures_of
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ImportRejected, InvalidTransition, PermissionDenied
from scm.sheets import export_rows
from tests import factories as f

BUYER = Actor(user_id=None, label="buyer@test", via="import", role="buyer")
HEADER = "SKU,Quantity,Promised date,Unit price\n"


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    wh = f.warehouse(session, "WH-XL")
    sup_a, sup_b = f.supplier(session, "XL-A"), f.supplier(session, "XL-B")
    bolt, nut, other = f.item(session, "XL-BOLT"), f.item(session, "XL-NUT"), f.item(session, "XL-OTHER")
    f.catalog(session, sup_a, bolt, moq="10", multiple="5")
    f.catalog(session, sup_a, nut, breaks=[{"min_qty": "0", "unit_price": "1.50"}, {"min_qty": "100", "unit_price": "1.20"}])
    f.catalog(session, sup_b, other)
    return {"wh": wh, "a": sup_a, "b": sup_b, "bolt": bolt, "nut": nut, "other": other}


def rows_of(data: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def test_export_orders_and_lines(session, world):
    draft = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20), (world["nut"], 100)])
    sent = f.purchase_order(session, world["b"], world["wh"], [(world["other"], 3)], status="sent")
    orders = rows_of(importers.export(session, "purchase_orders"))
    assert [(r["PO number"], r["Status"], r["Supplier"], r["Lines"]) for r in orders] == [
        (draft.number, "draft", "XL-A", 2), (sent.number, "sent", "XL-B", 1)]
    assert Decimal(str(orders[0]["Total"])) == Decimal(160)  # 20 × 2.00 + 100 × 1.20
    lines = rows_of(importers.export(session, "purchase_order_lines"))
    assert [(r["PO number"], r["SKU"], Decimal(str(r["Quantity"]))) for r in lines] == [
        (draft.number, "XL-BOLT", Decimal(20)), (draft.number, "XL-NUT", Decimal(100)), (sent.number, "XL-OTHER", Decimal(3))]
    assert lines[1]["Line id"] == draft.lines[1].id and Decimal(str(lines[1]["Unit price"])) == Decimal("1.2")
    assert Decimal(str(lines[2]["Open quantity"])) == Decimal(3)


@pytest.mark.parametrize("entity", ["purchase_orders", "purchase_order_lines"])
def test_registry_entries_are_export_only(session, world, entity):
    f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20)])
    assert importers.IMPORTERS[entity].import_roles == ()
    result = importers.parse(session, entity, importers.export(session, entity), "export.xlsx")
    assert result.errors and "cannot be imported" in result.errors[0].message
    with pytest.raises(ImportRejected):
        importers.IMPORTERS[entity].apply(session, result, BUYER)


def test_import_lines_adds_priced_lines_to_a_draft(session, world):
    order = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20)])
    data = export_rows(purchasing_sheets.DRAFT_LINES, [
        {"sku": "XL-NUT", "quantity": Decimal(100), "promised_date": date(2026, 4, 1), "unit_price": None},
        {"sku": "XL-BOLT", "quantity": Decimal(15), "promised_date": None, "unit_price": Decimal("1.75")}])
    added = purchasing_sheets.import_lines(session, order.id, data, "lines.xlsx", BUYER)
    assert [(line.qty_ordered, line.unit_price) for line in added] == [(Decimal(100), Decimal("1.2")),
                                                                     (Decimal(15), Decimal("1.75"))]
    session.refresh(order)
    assert len(order.lines) == 3 and figures_of(order).total == Decimal(40) + Decimal(120) + Decimal("26.25")


def test_import_errors_name_row_and_column_and_nothing_is_added(session, world):
    order = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20)])
    data = csv("NOPE,10,,", "XL-BOLT,7,,", "XL-BOLT,12,,", "XL-NUT,10,2026-01-01,", "XL-OTHER,5,,",
               "XL-NUT,50,2026-04-01,")
    with pytest.raises(ImportRejected) as rejected:
        purchasing_sheets.import_lines(session, order.id, data, "lines.csv", BUYER)
    found = {(e["row"], e["column"]) for e in rejected.value.report}
    assert found == {(2, "A"), (3, "B"), (4, "B"), (5, "C"), (6, "A")}, rejected.value.report
    messages = " ".join(e["message"] for e in rejected.value.report)
    assert "no item with this SKU" in messages and "minimum order quantity" in messages
    assert "not a multiple of 5" in messages and "active catalog" in messages
    session.refresh(order)
    assert len(order.lines) == 1  # the good last row was not added either


def test_import_cell_errors_come_from_the_reader_with_locations(session, world):
    order = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20)])
    with pytest.raises(ImportRejected) as rejected:
        purchasing_sheets.import_lines(session, order.id, csv("XL-NUT,abc,,", ",5,,"), "lines.csv", BUYER)
    assert {(e["row"], e["column"]) for e in rejected.value.report} == {(2, "B"), (3, "A")}
    with pytest.raises(ImportRejected):
        purchasing_sheets.import_lines(session, order.id, b"not a workbook", "lines.xlsx", BUYER)


def test_import_only_into_drafts_and_only_for_buyers(session, world):
    sent = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20)], status="sent")
    with pytest.raises(InvalidTransition):
        purchasing_sheets.import_lines(session, sent.id, csv("XL-NUT,10,,"), "lines.csv", BUYER)
    assert len(session.get(PurchaseOrder, sent.id).lines) == 1
    draft = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20)])
    clerk = Actor(user_id=None, label="wh", via="import", role="warehouse")
    with pytest.raises(PermissionDenied):
        purchasing_sheets.import_lines(session, draft.id, csv("XL-NUT,10,,"), "lines.csv", clerk)


def test_open_orders_workbook_is_the_suppliers_own_sent_open_orders(session, world):
    sent = f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 20), (world["nut"], 10)], status="sent")
    f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 30)])  # draft: invisible
    f.purchase_order(session, world["a"], world["wh"], [(world["bolt"], 40)], status="approved")  # not sent yet
    theirs = f.purchase_order(session, world["b"], world["wh"], [(world["other"], 5)], status="sent")
    rows = rows_of(purchasing_sheets.open_orders_workbook(session, world["a"].id))
    assert [(r["PO number"], r["SKU"], r["Ship to"]) for r in rows] == [(sent.number, "XL-BOLT", "WH-XL"),
                                                                       (sent.number, "XL-NUT", "WH-XL")]
    assert {r["PO number"] for r in rows_of(purchasing_sheets.open_orders_workbook(session, world["b"].id))} == {
        theirs.number}
    assert rows_of(purchasing_sheets.open_orders_workbook(session, 999999)) == []
