"""Replenishment pages: alerts (filter, acknowledge), suggestions (arithmetic, edit, approve), policies
(edit, Excel import), and the suggestions Excel round trip with its diff preview."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from scm.models import PurchaseOrder, ReplenishmentPolicy, StockWarning, Suggestion, utcnow
from scm.services.planning import replenishment
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf

TODAY = utcnow().date()


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    """BOLT at MAIN runs out in 3 days (critical); NUT is well stocked."""
    main = f.warehouse(session, "MAIN")
    bolt, nut = f.item(session, "BOLT", abc_class="A"), f.item(session, "NUT", abc_class="C")
    acme = f.supplier(session, "ACME")
    for item in (bolt, nut):
        sf.entry(session, acme, item, "primary", 100000, lead=7)
    f.stock(session, bolt, main, 30)
    f.stock(session, nut, main, 5000)
    rf.daily_forecast(session, bolt, main, 10.0, sigma=2.0, start=TODAY)
    rf.daily_forecast(session, nut, main, 1.0, start=TODAY)
    replenishment.plan(session, as_of=TODAY, actor=f.actor(), now=datetime.now(timezone.utc))
    session.commit()
    return main, bolt, nut, acme


def login(client, session, role="buyer", **kw):  # type: ignore[no-untyped-def]
    return f.login(client, session, f.user(session, role, **kw))


def test_alerts_list_filter_and_acknowledge(client, session, world):  # type: ignore[no-untyped-def]
    login(client, session)
    page = client.get("/replenishment/warnings").get_data(as_text=True)
    assert "BOLT" in page and "critical" in page and "NUT" not in page
    assert "BOLT" not in client.get("/replenishment/warnings?severity=watch").get_data(as_text=True)
    warning = session.scalar(select(StockWarning))
    response = client.post(f"/replenishment/warnings/{warning.id}/acknowledge")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(StockWarning, warning.id).status == "acknowledged"


def test_viewer_sees_alerts_without_buttons(client, session, world):  # type: ignore[no-untyped-def]
    login(client, session, "viewer")
    page = client.get("/replenishment/warnings").get_data(as_text=True)
    assert "BOLT" in page and "Acknowledge" not in page and "Run the plan now" not in page


def test_suggestions_show_the_arithmetic_and_approve_creates_a_draft(client, session, world):  # type: ignore[no-untyped-def]
    _main, bolt, _nut, acme = world
    login(client, session)
    page = client.get("/replenishment/suggestions").get_data(as_text=True)
    assert "forecast over lead time" in page and "Safety stock" in page and "98 % service" in page
    (row,) = session.scalars(select(Suggestion).where(Suggestion.status == "open"))
    response = client.post("/replenishment/suggestions", data={
        "select": str(row.id), f"qty-{row.id}": "200", f"supplier-{row.id}": str(acme.id), "do": "approve"})
    assert response.status_code == 302
    order = session.scalar(select(PurchaseOrder))
    assert order.status == "draft" and order.lines[0].qty_ordered == Decimal(200) and order.lines[0].item_id == bolt.id
    assert "Created 1 draft order" in client.get("/replenishment/suggestions").get_data(as_text=True)


def test_policy_edit_form_stores_only_what_is_given(client, session, world):  # type: ignore[no-untyped-def]
    main, bolt, _nut, _acme = world
    login(client, session)
    assert client.get(f"/replenishment/policies/{bolt.id}/{main.id}").status_code == 200
    bad = client.post(f"/replenishment/policies/{bolt.id}/{main.id}", data={"service_level": "120",
                                                                             "safety_method": "formula"})
    assert bad.status_code == 422 and "50 to 99.9" in bad.get_data(as_text=True)
    client.post(f"/replenishment/policies/{bolt.id}/{main.id}", data={
        "service_level": "97.5", "review_period_days": "14", "safety_method": "backtest", "auto_order": "y"})
    row = session.scalar(select(ReplenishmentPolicy))
    assert (row.service_level, row.review_period_days, row.min_cover_days, row.auto_order) == (
        Decimal("97.5"), 14, None, True)
    assert "97.5 %" in client.get("/replenishment/policies?q=BOLT").get_data(as_text=True)


def _workbook_with(data: bytes, column: str, value: object) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index(column) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_suggestions_round_trip_through_excel_with_a_diff_preview(client, session, world):  # type: ignore[no-untyped-def]
    login(client, session)
    exported = client.get("/spreadsheets/replenishment_suggestions/export.xlsx")
    assert exported.status_code == 200
    edited = _workbook_with(exported.data, "Quantity", 321)
    preview = client.post("/spreadsheets/replenishment_suggestions/import",
                          data={"file": (io.BytesIO(edited), "suggestions.xlsx")}, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Changes against what is stored" in page and "321" in page
    (row,) = session.scalars(select(Suggestion).where(Suggestion.status == "open"))
    assert row.qty != Decimal(321)  # nothing applied before confirming
    batch_id = int(page.split("/spreadsheets/imports/")[1].split("/apply")[0])
    assert client.post(f"/spreadsheets/imports/{batch_id}/apply").status_code == 302
    session.expire_all()
    assert session.get(Suggestion, row.id).qty == Decimal(321)


def test_policies_import_from_a_sheet_rejects_unknown_skus_with_their_row(client, session, world):  # type: ignore[no-untyped-def]
    login(client, session)
    sheet = b"SKU,Warehouse,Service level %,Auto-order\nBOLT,MAIN,99,yes\nNOPE,MAIN,95,no\n"
    preview = client.post("/spreadsheets/replenishment_policies/import",
                          data={"file": (io.BytesIO(sheet), "policies.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 422 and "no item with this SKU" in preview.get_data(as_text=True)
    good = client.post("/spreadsheets/replenishment_policies/import",
                       data={"file": (io.BytesIO(sheet.replace(b"NOPE", b"NUT")), "policies.csv")},
                       content_type="multipart/form-data")
    batch_id = int(good.get_data(as_text=True).split("/spreadsheets/imports/")[1].split("/apply")[0])
    client.post(f"/spreadsheets/imports/{batch_id}/apply")
    assert [p.service_level for p in session.scalars(select(ReplenishmentPolicy).order_by(ReplenishmentPolicy.item_id))] == [
        Decimal(99), Decimal(95)]
