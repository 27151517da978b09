"""One figure, one function: on random data, every page, the API and the export show the same stock
value, the same turnover and demand (dashboard vs the planning pages), and the same scorecard scores
(list, scorecard page, dashboard ranking, API, export), each equal to a hand computation or to the
other views. Pages are parsed with lxml; workbooks read back with openpyxl."""
from __future__ import annotations

import io
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from sqlalchemy import select

from scm.models import DemandRecord, StockBalance, utcnow
from scm.services.dashboard import snapshots as dashboard_snapshots
from scm.services.suppliers import scorecard_facts, scorecards
from tests import factories as f
from tests.dashboard_factories import Clock
from tests.page_numbers import money, number
from tests.supplier_factories import delivery

D = Decimal
CENT = D("0.01")


def _doc(client, url: str, headers=None):  # type: ignore[no-untyped-def]
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.get_data(as_text=True))


def _kpi(doc, key: str) -> str:  # type: ignore[no-untyped-def]
    node = doc.xpath(f'//*[@data-kpi="{key}"]')[0]
    value = node.xpath('.//*[@class="stat-value"]')
    return (value[0] if value else node).text_content()


def _sheet(client, entity: str) -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(f"/spreadsheets/{entity}/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def shop(session, monkeypatch):  # type: ignore[no-untyped-def]
    rng = random.Random(20261204)
    clock, now = Clock(session, monkeypatch), utcnow()
    warehouses = [f.warehouse(session, f"W{n}") for n in range(3)]
    items = [f.item(session, f"ONE-{n}", unit_cost=D(rng.randint(5, 4000)) / 100) for n in range(6)]
    keys = []
    for item in items:
        for wh in rng.sample(warehouses, 2):
            keys.append((item, wh))
            clock.receive(now - timedelta(days=rng.randint(100, 500)), item, wh, rng.randint(50, 400))
    for _ in range(40):
        item, wh = rng.choice(keys)
        balance = session.scalar(select(StockBalance.on_hand).where(StockBalance.item_id == item.id,
                                                                    StockBalance.warehouse_id == wh.id))
        qty = min(balance, rng.randint(1, 12))
        if qty <= 0:
            continue
        move = clock.issue(now - timedelta(days=rng.randint(0, 380), hours=1), item, wh, qty,
                           rng.choice(["sale", "sale", "consumption", "scrap"]))
        if rng.random() < 0.15:
            clock.reverse(now - timedelta(minutes=30), move)
    for n in range(30):
        item, wh = rng.choice(keys)
        session.add(DemandRecord(item_id=item.id, warehouse_id=wh.id, day=now.date() - timedelta(days=rng.randint(1, 400)),
                                 qty=D(rng.randint(0, 30)), stockout=False, source=f"import-{n}"))
    for item, wh in keys:
        f.forecast(session, item, wh)
    session.flush()
    return keys


def test_stock_value_is_the_same_everywhere_and_right(client, login_as, session, shop):
    user = login_as("admin")
    bearer = {"Authorization": f"Bearer {f.api_token(session, user)}"}
    by_hand = sum(((b.on_hand * item.unit_cost).quantize(D("0.0000001")) for item, wh in shop
                   for b in session.scalars(select(StockBalance).where(StockBalance.item_id == item.id,
                                                                       StockBalance.warehouse_id == wh.id))), D(0))
    per_wh: dict[str, D] = {}
    for item, wh in shop:
        on_hand = session.scalar(select(StockBalance.on_hand).where(StockBalance.item_id == item.id,
                                                                    StockBalance.warehouse_id == wh.id))
        per_wh[wh.code] = per_wh.get(wh.code, D(0)) + on_hand * item.unit_cost
    expected = sum((v.quantize(CENT) for v in per_wh.values()), D(0))
    assert abs(expected - by_hand.quantize(CENT)) <= D("0.03")      # per-warehouse rounding only
    dashboard = money(_kpi(_doc(client, "/dashboard"), "stock-value"))
    balances_doc = _doc(client, "/stock/")
    balances = money(_kpi(balances_doc, "stock-value"))
    api = client.get("/api/v1/stock/value", headers=bearer).get_json()
    export = {r["Warehouse"]: D(str(r["Stock value"])) for r in _sheet(client, "stock_value")}
    assert dashboard == balances == money(api["total"]) == export["Total"].quantize(CENT) == expected
    for code, value in per_wh.items():
        assert money(_kpi(balances_doc, f"stock-value-{code}")) == value.quantize(CENT)
        assert export[code].quantize(CENT) == value.quantize(CENT)
    dashboard_snapshots.refresh(session, utcnow())   # the job's snapshot shows the same figure
    assert money(_kpi(_doc(client, "/dashboard"), "stock-value")) == expected


def test_turnover_and_demand_agree_between_the_dashboard_and_the_planning_pages(client, login_as, session, shop):
    login_as("viewer")
    dash = _doc(client, "/dashboard")
    cogs, turnover = money(_kpi(dash, "cogs")), number(_kpi(dash, "turnover"))
    days_of_inventory, average = number(_kpi(dash, "days-of-inventory")), money(_kpi(dash, "average-stock"))
    from_planning = D(0)
    for item, wh in shop:
        page = _doc(client, f"/planning/forecast/{item.id}/{wh.id}")
        from_planning += number(_kpi(page, "demand-365")) * item.unit_cost
    assert cogs == from_planning.quantize(CENT) and cogs > 0
    assert turnover == (cogs / average).quantize(CENT)
    assert days_of_inventory == (average / cogs * 365).quantize(D("0.1"))


def _scorecard_world(session) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    today = utcnow().date()
    month = today.replace(day=1) if today.day > 3 else (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    item = f.item(session, "SC-ITEM")
    for code in ("ALPHA", "BETA", "GAMMA", "DELTA"):
        supplier = f.supplier(session, code)
        for n in range(rng.randint(2, 6)):
            ordered = month
            delivery(session, supplier, item, ordered=ordered, promised=ordered + timedelta(days=rng.randint(1, 3)),
                     received=ordered + timedelta(days=rng.randint(0, 3)), qty_ordered=rng.randint(5, 20),
                     qty_received=rng.randint(3, 20), stated=2, receipt=f"{code}{n}", line=f"{code}{n}")
            scorecard_facts.record_inspection(session, supplier_id=supplier.id, item_id=item.id,
                                              inspected_on=month, qty_inspected=10, qty_accepted=rng.randint(6, 10),
                                              receipt_ref=f"{code}{n}")
        for n in range(rng.randint(0, 4)):
            sent = datetime(month.year, month.month, month.day, 8, tzinfo=timezone.utc) + timedelta(hours=n)
            scorecard_facts.record_po_sent(session, supplier_id=supplier.id, po_ref=f"{code}-{n}", sent_at=sent)
            scorecard_facts.record_confirmation(session, supplier_id=supplier.id, po_ref=f"{code}-{n}",
                                                confirmed_at=sent + timedelta(hours=rng.randint(1, 100)))
    scorecards.refresh(session, today)


def test_scorecard_scores_are_the_same_on_every_view(client, login_as, session):
    _scorecard_world(session)
    user = login_as("admin")
    bearer = {"Authorization": f"Bearer {f.api_token(session, user)}"}
    start, rows = scorecards.ranking(session, "month")
    listed = {r.get("data-supplier"): r for r in _doc(client, "/scorecards").xpath("//tr[@data-supplier]")}
    api = {s["supplier"]: s for s in client.get("/api/v1/scorecards", headers=bearer).get_json()["scorecards"]}
    panel = _doc(client, "/dashboard").xpath('//*[@data-panel="supplier-ranking"]')[0]
    ranked = {r.get("data-supplier"): r for r in panel.xpath(".//tr[@data-supplier]")}
    export = {r["Supplier"]: r for r in _sheet(client, "scorecards")
              if r["Period"] == "month" and r["Period start"].date() == start}
    assert set(listed) == set(api) == set(export) == {"ALPHA", "BETA", "GAMMA", "DELTA"}
    assert set(ranked) == {r.code for r in rows if r.rank is not None}
    for row in rows:
        code, snap = row.code, row.snapshot
        cell = lambda tr, col: tr.xpath(f'.//*[@data-col="{col}"]')[0].text_content()  # noqa: E731
        page = _doc(client, f"/scorecards/{snap.supplier_id}")
        metrics = {tr.get("data-metric"): tr for tr in page.xpath("//tr[@data-metric]")}
        for metric in scorecards.METRICS:
            value = getattr(snap, metric)
            shown = [number(cell(listed[code], metric)), number(cell(metrics[metric], "score")),
                     None if api[code][metric] is None else D(api[code][metric]),
                     None if export[code][scorecards_label(metric)] in (None, "") else
                     D(str(export[code][scorecards_label(metric)]))]
            if value is None:
                assert "no activity" in cell(listed[code], metric) and shown[2] is None and shown[3] is None
            else:
                assert [s.quantize(D("0.1")) for s in shown] == [value.quantize(D("0.1"))] * 4, (code, metric)
        assert number(cell(listed[code], "overall")).quantize(D("0.1")) == snap.overall.quantize(D("0.1"))
        assert number(page.xpath('//*[@data-col="overall"]')[0].text_content()) == snap.overall.quantize(D("0.1"))
        assert D(api[code]["overall"]) == snap.overall == D(str(export[code]["Overall"]))
        assert cell(listed[code], "standing").startswith(api[code]["standing_label"]) \
            and export[code]["Standing"] == api[code]["standing_label"]
        if code in ranked:
            assert number(cell(ranked[code], "overall")) == snap.overall
            assert cell(ranked[code], "rank").strip() == cell(listed[code], "rank").strip() == str(api[code]["rank"])


def scorecards_label(metric: str) -> str:
    from scm.services.suppliers.sheets import SCORECARDS
    return next(c.header for c in SCORECARDS.columns if c.key == metric)
