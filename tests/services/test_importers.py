"""Imports through the database: all-or-nothing, errors with row and column, re-upload detection."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from scm.models import Item, StockBalance, StockMove
from scm.services import importers
from scm.services.stock import sheets as count_sheets
from scm.services.stock.counts import VarianceLimits
from scm.services.kernel.errors import Conflict, ImportRejected
from scm.sheets import build_template
from tests import factories as f


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def admin(session):  # type: ignore[no-untyped-def]
    from scm.services.kernel.actors import Actor
    user = f.user(session, "admin")
    return Actor.for_user(user, "web")


def test_items_import_creates_and_updates_in_one_go(session, admin):
    f.item(session, "OLD-1", name="Old name")
    data = workbook([["SKU", "Name", "Unit", "Unit cost", "ABC class", "Core item"],
                     ["OLD-1", "New name", "ea", 1.5, "A", "yes"],
                     ["NEW-1", "Brand new", "box", "0.25", "C", "no"]])
    batch, result = importers.preview(session, "items", data, "items.xlsx", actor=admin)
    assert result.errors == [] and session.scalar(select(Item).where(Item.sku == "NEW-1")) is None
    importers.apply(session, batch.id, actor=admin)
    old = session.scalar(select(Item).where(Item.sku == "OLD-1"))
    new = session.scalar(select(Item).where(Item.sku == "NEW-1"))
    assert (old.name, old.unit_cost, old.abc_class, old.is_core) == ("New name", Decimal("1.5"), "A", True)
    assert (new.uom, new.unit_cost) == ("box", Decimal("0.25"))
    assert batch.status == "applied" and "1 item(s) created, 1 updated" in batch.summary


def test_one_bad_row_imports_nothing_and_names_row_and_column(session, admin):
    data = workbook([["SKU", "Name", "Unit", "Unit cost"],
                     ["OK-1", "Fine", "ea", 1],
                     ["BAD-1", "", "ea", -2],
                     ["BAD 2", "Spaces in SKU", "crate", 1]])
    batch, result = importers.preview(session, "items", data, "items.xlsx", actor=admin)
    found = {(e.row, e.column) for e in result.errors}
    assert {(3, "B"), (3, "D")} <= found
    assert batch.status == "rejected" and result.rows == []
    with pytest.raises(Conflict):
        importers.apply(session, batch.id, actor=admin)
    # The unit is checked against the units table, a database lookup: it is reported once the cells are valid.
    fixed = workbook([["SKU", "Name", "Unit", "Unit cost"], ["OK-1", "Fine", "ea", 1], ["BAD-2", "Crated", "crate", 1]])
    _batch, result = importers.preview(session, "items", fixed, "items.xlsx", actor=admin)
    assert [(e.row, e.column) for e in result.errors] == [(3, "C")]
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_stock_count_import_posts_differences_and_flags_unknown_codes(session, admin):
    item, other = f.item(session, "CNT-1"), f.item(session, "CNT-2")
    east = f.warehouse(session, "WH-EAST")
    f.stock(session, item, east, 10)
    bad = workbook([["Warehouse", "SKU", "Counted quantity"], ["WH-EAST", "CNT-1", 7], ["WH-NOPE", "NOPE", 1]])
    _batch, result = importers.preview(session, "stock_counts", bad, "count.xlsx", actor=admin)
    assert {(e.row, e.column, e.message) for e in result.errors} == {
        (3, "A", "no warehouse with this code"), (3, "B", "no item with this SKU")}
    good = workbook([["SKU", "Warehouse", "Counted quantity"], ["CNT-1", "WH-EAST", 7], ["CNT-2", "wh-east", 3]])
    batch, result = importers.preview(session, "stock_counts", good, "count.xlsx", actor=admin)
    # CNT-2 has no stock on record: a large variance, confirmed a second time with the preview's token.
    [review] = count_sheets.review_counts(session, result, VarianceLimits())
    assert [line.sku for line in review.large] == ["CNT-2"]
    importers.apply(session, batch.id, actor=admin, options={"confirm": {"large-WH-EAST": review.large_token}})
    on_hand = dict(session.execute(select(StockBalance.item_id, StockBalance.on_hand)).all())
    assert on_hand == {item.id: Decimal(7), other.id: Decimal(3)}
    assert session.scalar(select(func.count()).select_from(StockMove).where(StockMove.kind == "count")) == 2


def test_reuploading_an_applied_file_is_flagged(session, admin):
    data = workbook([["SKU", "Name", "Unit"], ["R-1", "Once", "ea"]])
    batch, _ = importers.preview(session, "items", data, "a.xlsx", actor=admin)
    importers.apply(session, batch.id, actor=admin)
    again, _ = importers.preview(session, "items", data, "a-copy.xlsx", actor=admin)
    assert f"already imported (batch {batch.id})" in again.summary


def test_unreadable_file_is_rejected_whole(session, admin):
    with pytest.raises(ImportRejected):
        importers.preview(session, "items", b"%PDF-1.4 not a workbook", "items.xlsx", actor=admin)


def test_export_round_trips_through_import(session, admin):
    f.item(session, "RT-1", name="Round trip", unit_cost=Decimal("3.1416"))
    data = importers.export(session, "items")
    _batch, result = importers.preview(session, "items", data, "export.xlsx", actor=admin)
    assert result.errors == []
    assert result.rows[0]["sku"] == "RT-1" and result.rows[0]["unit_cost"] == Decimal("3.1416")


@pytest.mark.parametrize("entity", sorted(importers.IMPORTERS))
def test_every_template_reads_back_as_an_empty_import(entity):
    template = build_template(importers.IMPORTERS[entity].spec)
    assert template[:2] == b"PK"
