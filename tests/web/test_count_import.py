"""The stock-count spreadsheet import: the preview shows the differences per warehouse, large variances
are confirmed a second time, and the result names each warehouse and count document."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from sqlalchemy import func, select

from scm.models import ImportBatch, StockCount, StockMove
from scm.services.stock import ledger as stock_ledger
from tests import factories as f
from tests.web.test_count_review import doc, flashes, number, table

D = Decimal


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, rows):  # type: ignore[no-untyped-def]
    return client.post("/spreadsheets/stock_counts/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(_xlsx(rows)), "count.xlsx")})


def _confirm_form(response) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    form = doc(response).xpath("//form[@id='import-confirm']")[0]
    return form.get("action"), {el.get("name"): el.get("value") or "" for el in form.xpath(".//input[@name]")}


def _stocked(session):  # type: ignore[no-untyped-def]
    bolt, nut = f.item(session, "BOLT-M8", unit_cost=D("2.50")), f.item(session, "NUT-M8", unit_cost=D("0.10"))
    east, west = f.warehouse(session, "WH-EAST"), f.warehouse(session, "WH-WEST")
    f.stock(session, bolt, east, 10)
    f.stock(session, nut, west, 40)
    return bolt, nut, east, west


def test_the_preview_shows_each_warehouses_differences_and_the_result_names_the_counts(client, session, login_as):
    bolt, nut, east, west = _stocked(session)
    login_as("warehouse")
    preview = _upload(client, [["Warehouse", "SKU", "Counted quantity"], ["WH-EAST", "BOLT-M8", 9],
                               ["WH-WEST", "NUT-M8", 38]])
    assert preview.status_code == 200
    east_rows, west_rows = table(preview, "count-review-WH-EAST"), table(preview, "count-review-WH-WEST")
    assert (number(east_rows["BOLT-M8"]["On hand"]), number(east_rows["BOLT-M8"]["Difference"]),
            number(east_rows["BOLT-M8"]["Value"]), number(east_rows["BOLT-M8"]["Share"])) == \
        (D(10), D(-1), D("-2.50"), D("-10.0"))
    assert (number(west_rows["NUT-M8"]["On hand"]), number(west_rows["NUT-M8"]["Difference"]),
            number(west_rows["NUT-M8"]["Value"]), number(west_rows["NUT-M8"]["Share"])) == \
        (D(40), D(-2), D("-0.20"), D("-5.0"))
    assert session.scalar(select(func.count()).select_from(StockCount)) == 0
    action, data = _confirm_form(preview)
    applied = client.post(action, data=data)
    assert applied.status_code == 302
    counts = session.scalars(select(StockCount).order_by(StockCount.id)).all()
    shown = " ".join(flashes(client.get(applied.headers["Location"])))
    assert f"Count CNT-{counts[0].id:06d} posted in WH-EAST: 1 difference" in shown
    assert f"Count CNT-{counts[1].id:06d} posted in WH-WEST: 1 difference" in shown
    assert stock_ledger.ledger_check(session) == []


def test_a_large_variance_in_an_import_is_confirmed_a_second_time(client, session, login_as):
    bolt, _nut, east, _west = _stocked(session)
    login_as("warehouse")
    preview = _upload(client, [["Warehouse", "SKU", "Counted quantity"], ["WH-EAST", "BOLT-M8", 0]])
    assert list(table(preview, "count-large-WH-EAST")) == ["BOLT-M8"]   # flagged in the preview already
    action, data = _confirm_form(preview)
    asked = client.post(action, data=data)
    assert asked.status_code == 200
    assert session.scalar(select(func.count()).select_from(StockMove).where(StockMove.kind == "count")) == 0
    assert session.scalar(select(ImportBatch.status)) == "previewed"
    large = table(asked, "count-large-WH-EAST")
    assert (number(large["BOLT-M8"]["On hand"]), number(large["BOLT-M8"]["Difference"]),
            number(large["BOLT-M8"]["Share"])) == (D(10), D(-10), D("-100.0"))
    action, data = _confirm_form(asked)
    applied = client.post(action, data=data)
    assert applied.status_code == 302
    session.expire_all()
    assert session.scalar(select(ImportBatch.status)) == "applied"
    assert stock_ledger.ledger_check(session) == []


def test_a_count_sheet_must_name_the_warehouse_of_every_row(client, session, login_as):
    _stocked(session)
    login_as("warehouse")
    response = _upload(client, [["Warehouse", "SKU", "Counted quantity"], ["", "BOLT-M8", 3]])
    assert response.status_code == 422
    errors = [[td.text_content().strip() for td in tr.xpath("./td")]
              for tr in doc(response).xpath("//table[@id='import-errors']/tbody/tr")]
    assert errors and errors[0][:2] == ["2", "A (Warehouse)"]
    assert session.scalar(select(func.count()).select_from(StockCount)) == 0


def test_a_count_row_with_too_many_decimals_for_its_unit_names_row_and_column(client, session, login_as):
    _stocked(session)
    login_as("warehouse")
    response = _upload(client, [["Warehouse", "SKU", "Counted quantity"], ["WH-EAST", "BOLT-M8", 2.5]])
    assert response.status_code == 422
    errors = [[td.text_content().strip() for td in tr.xpath("./td")]
              for tr in doc(response).xpath("//table[@id='import-errors']/tbody/tr")]
    assert [(row, column, message) for row, column, _value, message in errors] == [
        ("2", "C (Counted quantity)", "BOLT-M8 is counted in ea: whole numbers only")]
    assert number(errors[0][2]) == D("2.5")
