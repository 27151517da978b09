"""Supplier spreadsheets: import all-or-nothing with row and column in every error, export round trips."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from scm.models import CatalogEntry, Supplier
from scm.services import importers
from scm.services.suppliers import scorecards, catalog as supplier_catalog
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import Conflict
from tests import factories as f
from tests.supplier_factories import delivery, entry


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_of(data: bytes) -> list[list[object]]:
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        return book.get_sheet_by_index(0).to_python()


@pytest.fixture
def buyer(session):  # type: ignore[no-untyped-def]
    return Actor.for_user(f.user(session, "buyer"), "web")


def errors(result) -> set[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return {(e.row, e.column, e.message) for e in result.errors}


def test_suppliers_import_creates_and_updates(session, buyer):
    f.supplier(session, "ACME", name="Old name")
    data = workbook([["Code", "Name", "Status", "Status reason", "Currency", "Payment terms"],
                     ["ACME", "Acme Industrial", "probation", "late twice", "USD", "Net 30"],
                     ["globex", "Globex", "active", None, "EUR", None]])
    batch, result = importers.preview(session, "suppliers", data, "suppliers.xlsx", actor=buyer)
    assert result.errors == []
    importers.apply(session, batch.id, actor=buyer)
    acme = session.scalar(select(Supplier).where(Supplier.code == "ACME"))
    globex = session.scalar(select(Supplier).where(Supplier.code == "GLOBEX"))
    assert (acme.name, acme.status, acme.status_reason) == ("Acme Industrial", "probation", "late twice")
    assert globex.currency == "EUR" and "1 supplier(s) created, 1 updated" in batch.summary


def test_a_bad_supplier_row_names_row_and_column_and_imports_nothing(session, buyer):
    data = workbook([["Code", "Name", "Status", "Status reason", "Currency"],
                     ["GOOD", "Good", "active", None, "USD"],
                     ["BAD", "Bad", "blocked", None, "XYZ"]])
    batch, result = importers.preview(session, "suppliers", data, "s.xlsx", actor=buyer)
    assert errors(result) == {(3, "D", "say why the supplier is blocked"),
                              (3, "E", "must be an ISO 4217 currency code such as USD or EUR")}
    with pytest.raises(Conflict):
        importers.apply(session, batch.id, actor=buyer)
    assert session.scalar(select(Supplier).where(Supplier.code == "GOOD")) is None


def test_catalog_import_reports_unknown_supplier_and_sku_by_cell(session, buyer):
    f.supplier(session, "ACME")
    f.item(session, "BOLT")
    data = workbook([["Supplier", "SKU", "Role", "Lead time (days)", "Capacity per week"],
                     ["ACME", "BOLT", "primary", 7, 100],
                     ["NOPE", "BOLT", "backup", 7, 100],
                     ["ACME", "GHOST", "backup", 7, 100]])
    _batch, result = importers.preview(session, "catalog", data, "c.xlsx", actor=buyer)
    assert errors(result) == {(3, "A", "no supplier with this code"), (4, "B", "no item with this SKU")}


def test_catalog_import_refuses_a_second_primary_and_can_move_the_primary(session, buyer):
    acme, globex = f.supplier(session, "ACME"), f.supplier(session, "GLOBEX")
    bolt = f.item(session, "BOLT")
    entry(session, acme, bolt, "primary", 100)
    header = ["Supplier", "SKU", "Role", "Lead time (days)", "Capacity per week", "MOQ", "Order multiple"]
    twice = workbook([header, ["GLOBEX", "BOLT", "primary", 5, 80, 10, 5]])
    _batch, result = importers.preview(session, "catalog", twice, "c.xlsx", actor=buyer)
    assert errors(result) == {(2, "C", "BOLT would have more than one primary (also ACME)")}
    moved = workbook([header, ["GLOBEX", "BOLT", "primary", 5, 80, 10, 5], ["ACME", "BOLT", "backup", 7, 100, 0, 1]])
    batch, result = importers.preview(session, "catalog", moved, "c.xlsx", actor=buyer)
    assert result.errors == []
    importers.apply(session, batch.id, actor=buyer)
    roles = {e.supplier_id: (e.role, e.moq) for e in session.scalars(select(CatalogEntry))}
    assert roles == {globex.id: ("primary", Decimal(10)), acme.id: ("backup", Decimal(0))}


def test_price_breaks_import_needs_a_catalog_entry_and_replaces_breaks(session, buyer):
    acme = f.supplier(session, "ACME")
    bolt, nut = f.item(session, "BOLT"), f.item(session, "NUT")
    bolt_entry = entry(session, acme, bolt, "primary", 100, breaks=[{"min_qty": 0, "unit_price": "5"}])
    header = ["Supplier", "SKU", "Minimum quantity", "Unit price", "Currency", "Valid from", "Valid to"]
    bad = workbook([header, ["ACME", "NUT", 0, 1, "USD", None, None],
                    ["ACME", "BOLT", 0, 1, "usd", date(2026, 5, 1), date(2026, 4, 1)],
                    ["ACME", "BOLT", 10, 1, "ABC", None, None]])
    _batch, result = importers.preview(session, "price_breaks", bad, "p.xlsx", actor=buyer)
    assert errors(result) == {(2, "B", "ACME has no catalog entry for this SKU; import the catalog first"),
                              (3, "G", "valid to must be on or after valid from"),
                              (4, "E", "currency must be an ISO 4217 currency code such as USD or EUR")}
    good = workbook([header, ["ACME", "BOLT", 0, "1.20", "USD", None, None], ["ACME", "BOLT", 100, "1.10", "USD",
                                                                               date(2026, 1, 1), None]])
    batch, result = importers.preview(session, "price_breaks", good, "p.xlsx", actor=buyer)
    assert result.errors == []
    importers.apply(session, batch.id, actor=buyer)
    assert [(b.min_qty, b.unit_price, b.valid_from) for b in supplier_catalog.breaks_of(session, bolt_entry.id)] == [
        (Decimal(0), Decimal("1.2"), None), (Decimal(100), Decimal("1.1"), date(2026, 1, 1))]
    assert nut.id  # untouched: no entry was created for it


def test_exports_round_trip_through_import(session, buyer):
    acme = f.supplier(session, "ACME", payment_terms="Net 30")
    entry(session, acme, f.item(session, "BOLT"), "primary", 250, moq=10, multiple=5,
          breaks=[{"min_qty": 0, "unit_price": "2.5"}, {"min_qty": 100, "unit_price": "2.25"}])
    for entity in ("suppliers", "catalog", "price_breaks"):
        data = importers.export(session, entity)
        batch, result = importers.preview(session, entity, data, f"{entity}.xlsx", actor=buyer)
        assert result.errors == [], (entity, result.errors)
        importers.apply(session, batch.id, actor=buyer)
    assert rows_of(importers.export(session, "price_breaks"))[1:] == [
        ["ACME", "BOLT", 0.0, 2.5, "USD", "", ""], ["ACME", "BOLT", 100.0, 2.25, "USD", "", ""]]


def test_scorecards_export_shows_no_activity_and_cannot_be_imported(session, buyer):
    acme, item = f.supplier(session, "ACME"), f.item(session, "BOLT")
    delivery(session, acme, item, ordered=date(2026, 2, 1), promised=date(2026, 2, 8), received=date(2026, 2, 7))
    scorecards.refresh(session, date(2026, 3, 15))
    rows = rows_of(importers.export(session, "scorecards"))
    header = rows[0]
    by_label = {r[header.index("Label")]: r for r in rows[1:]}
    assert by_label["2026-02"][header.index("Overall")] == 100.0
    assert by_label["2026-03"][header.index("Standing")] == "no activity"
    assert by_label["2026-03"][header.index("Overall")] == ""
    assert importers.IMPORTERS["scorecards"].import_roles == ()
    _batch, result = importers.preview(session, "scorecards", importers.export(session, "scorecards"), "s.xlsx",
                                       actor=buyer)
    assert result.errors and "cannot be imported" in result.errors[0].message
