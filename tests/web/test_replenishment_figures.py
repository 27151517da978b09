"""One figure, one function: stock-out date, quantity short, days of cover and suggested quantity of every
item × warehouse are the same on the warnings page, the suggestions page, the planning page, the dashboard
panel, the API (warnings, suggestions, projection) and the Excel export.

Many random situations (seeded, so a failure replays): items with and without demand, error, reservations,
sent orders and drafts, lead times and minimum order quantities, in two warehouses (so some needs are
met by transfers). Pages are parsed with lxml, the workbook read back with openpyxl.
"""
from __future__ import annotations

import io
import random
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from scm.models import utcnow
from scm.services.planning import replenishment
from scm.services.stock import ledger as stock_ledger
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf
from tests.page_figures import figures, parse, shows, text

TODAY = utcnow().date()
FIGURES = ("stockout_on", "qty_short", "days_of_cover")


def _situation(session, rng: random.Random, n_items: int = 14):  # type: ignore[no-untyped-def]
    warehouses = [f.warehouse(session, "MAIN", latitude=52.0, longitude=5.0),
                  f.warehouse(session, "WEST", latitude=48.9, longitude=2.3)]
    acme = f.supplier(session, "ACME")
    for n in range(n_items):
        item = f.item(session, f"RND-{n:02d}", abc_class=rng.choice("ABC"))
        sf.entry(session, acme, item, "primary", 100000, lead=rng.randint(2, 15), moq=rng.choice([0, 0, 10, 25]))
        for warehouse in warehouses:
            rate = rng.choice([0.0, 0.4, 2.5, 7.0, 13.0, 21.0])
            rf.daily_forecast(session, item, warehouse, rate, sigma=round(rng.uniform(0, 0.6) * rate, 2), start=TODAY)
            on_hand = rng.choice([0, 3, 20, 45, 90, 160, 400])
            if on_hand:
                f.stock(session, item, warehouse, on_hand)
            if on_hand and rng.random() < 0.25:
                stock_ledger.reserve(session, item_id=item.id, warehouse_id=warehouse.id,
                                     qty=Decimal(rng.randint(1, on_hand)), reference=f"SO-{n}", actor=f.actor())
            if rng.random() < 0.3:
                f.purchase_order(session, acme, warehouse, [(item, rng.choice([25, 60, 150]))],
                                 status=rng.choice(["draft", "sent"]), as_of=TODAY)


@pytest.fixture
def situation(session):  # type: ignore[no-untyped-def]
    _situation(session, random.Random(20261204))
    replenishment.plan(session, as_of=TODAY, actor=f.actor(), now=datetime.now(timezone.utc))
    buyer = f.user(session, "buyer")
    headers = {"Authorization": f"Bearer {f.api_token(session, buyer)}"}
    session.commit()
    return buyer, headers


def _same(shown: dict[str, str], expected: dict[str, str | None], where: str) -> None:
    """Page text against API values: dates equal, numbers equal at the places the page shows."""
    for key, value in expected.items():
        if key == "stockout_on" or value is None:
            assert shown[key] == (value or "—"), f"{where}: {key} {shown[key]!r} != {value!r}"
        else:
            assert shows(shown[key], value), f"{where}: {key} {shown[key]!r} != {value!r}"


def test_every_page_the_api_and_the_export_show_the_same_figures(client, session, situation):  # type: ignore[no-untyped-def]
    buyer, headers = situation
    warnings = client.get("/api/v1/replenishment/warnings?limit=5000", headers=headers).get_json()["warnings"]
    expected = {(w["sku"], w["warehouse"]): {"stockout_on": w["stockout_on"], "qty_short": w["qty_short"],
                                             "days_of_cover": w["days_of_cover"], "suggested_qty": w["suggested_qty"]}
                for w in warnings}
    assert len(expected) >= 10 and {w["severity"] for w in warnings} == {"critical", "warning", "watch"}
    lines = client.get("/api/v1/replenishment/suggestions", headers=headers).get_json()["suggestions"]
    suggested: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        key = (line["sku"], line["warehouse"])
        suggested[key] += Decimal(line["qty"])
        _same({k: str(line["arithmetic"][k] or "—") for k in FIGURES},
              {k: expected[key][k] for k in FIGURES}, f"suggestions API {key}")
    assert {k: v["suggested_qty"] for k, v in expected.items() if Decimal(v["suggested_qty"])} == {
        k: f"{v.normalize():f}" for k, v in suggested.items()}
    assert any(Decimal(v["suggested_qty"]) == 0 for v in expected.values())   # a warning can wait for a review

    f.login(client, session, buyer)
    alerts = parse(client.get("/replenishment/warnings?per_page=200").get_data(as_text=True))
    rows = alerts.xpath("//table[@id='warnings']/tbody/tr")
    assert len(rows) == len(expected)
    for row in rows:
        key = (row.get("data-sku"), row.get("data-warehouse"))
        _same(figures(row), expected[key], f"alerts page {key}")

    page = parse(client.get("/replenishment/suggestions?per_page=200").get_data(as_text=True))
    shown_qty: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in page.xpath("//table[@id='suggestions']/tbody/tr"):
        key = (row.get("data-sku"), row.get("data-warehouse"))
        shown = figures(row)
        _same(shown, {k: expected[key][k] for k in FIGURES}, f"suggestions page {key}")
        shown_qty[key] += Decimal(shown["qty"])
    assert dict(shown_qty) == dict(suggested)

    dashboard = parse(client.get("/dashboard").get_data(as_text=True))
    items = dashboard.xpath("//*[@data-panel='stock_warnings']//li[@data-sku]")
    assert items, text(dashboard.xpath("//*[@data-panel='stock_warnings']")[0])
    for li in items:
        key = (li.get("data-sku"), li.get("data-warehouse"))
        _same(figures(li), {k: v for k, v in expected[key].items() if k != "stockout_on" or v}, f"dashboard {key}")

    book = load_workbook(io.BytesIO(client.get("/spreadsheets/replenishment_suggestions/export.xlsx").data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    exported: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for values in sheet.iter_rows(min_row=2, values_only=True):
        cells = dict(zip(header, values))
        key = (cells["SKU"], cells["Warehouse"])
        exported[key] += Decimal(str(cells["Quantity"]))
        day = cells["Stock-out date"]
        assert (day.date().isoformat() if hasattr(day, "date") else day) == expected[key]["stockout_on"], key
        assert Decimal(str(cells["Quantity short"])) == Decimal(expected[key]["qty_short"]), key
        cover = expected[key]["days_of_cover"]
        assert (cells["Days of cover"] is None) == (cover is None), key
        assert cover is None or Decimal(str(cells["Days of cover"])) == Decimal(str(cover)), key
    assert dict(exported) == dict(suggested)

    ids = {w.code: w.id for w in _warehouses(session)}
    items_by_sku = {sku: item_id for sku, item_id in _items(session)}
    for (sku, code), values in expected.items():
        projection = client.get(f"/api/v1/replenishment/projection?sku={sku}&warehouse={code}", headers=headers)
        body = projection.get_json()
        _same({k: str(body[k] or "—") for k in FIGURES}, {k: values[k] for k in FIGURES}, f"projection {sku} {code}")
        assert body["suggested_qty"] == values["suggested_qty"]
        planning = parse(client.get(f"/planning/forecast/{items_by_sku[sku]}/{ids[code]}").get_data(as_text=True))
        (section,) = planning.xpath("//section[@id='projection']")
        _same(figures(section), values, f"planning page {sku} {code}")


def _warehouses(session):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from scm.models import Warehouse
    return list(session.scalars(select(Warehouse)))


def _items(session):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from scm.models import Item
    return list(session.execute(select(Item.sku, Item.id)))
