"""Scorecards say how much evidence each score rests on, and nobody is ranked or graded on too little:
the list, the scorecard page, the dashboard ranking, the API and the export all show it. An order line
past its promised date with nothing received is a late line (a late shipment is not on time)."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import lxml.html
import openpyxl

from scm.models import PurchaseOrder, PurchaseOrderLine, utcnow
from scm.services.suppliers import scorecard_facts, scorecards
from tests import factories as f
from tests.page_numbers import number
from tests.supplier_factories import delivery


def _orders(session, supplier, day: date, n: int, hours: int = 1) -> None:  # type: ignore[no-untyped-def]
    for k in range(n):
        sent = datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc) + timedelta(hours=k)
        scorecard_facts.record_po_sent(session, supplier_id=supplier.id, po_ref=f"{supplier.code}-{day}-{k}",
                                       sent_at=sent)
        scorecard_facts.record_confirmation(session, supplier_id=supplier.id, po_ref=f"{supplier.code}-{day}-{k}",
                                            confirmed_at=sent + timedelta(hours=hours))


def _overdue_line(session, supplier, item, warehouse, promised: date) -> None:  # type: ignore[no-untyped-def]
    """A sent order whose line was promised on `promised` and has received nothing (its shipment is late)."""
    order = PurchaseOrder(number=f"PO-{supplier.code}", supplier_id=supplier.id, warehouse_id=warehouse.id,
                          currency="USD", status="in_transit", ordered_on=promised - timedelta(days=7))
    session.add(order)
    session.flush()
    session.add(PurchaseOrderLine(po_id=order.id, item_id=item.id, qty_ordered=50, unit_price=1,
                                  stated_lead_time_days=7, promised_date=promised))
    session.flush()


def _world(session):  # type: ignore[no-untyped-def]
    """GOOD: three on-time receipts with inspections and three quick confirmations (five metrics of 3 facts).
    QUICK: three quick confirmations (responsiveness 100) and one overdue line, nothing else."""
    today = utcnow().date()
    month = today.replace(day=1)
    if today.day < 6:   # keep every fact inside this month, before today
        today, month = month - timedelta(days=1), (month - timedelta(days=1)).replace(day=1)
    good, quick = f.supplier(session, "GOOD"), f.supplier(session, "QUICK")
    item, warehouse = f.item(session, "BOLT"), f.warehouse(session, "WH1")
    for n in range(3):
        delivery(session, good, item, ordered=month, promised=month + timedelta(days=3),
                 received=month + timedelta(days=2), stated=3, receipt=f"g{n}", line=f"l{n}")
        scorecard_facts.record_inspection(session, supplier_id=good.id, item_id=item.id, inspected_on=month,
                                          qty_inspected=10, qty_accepted=9, receipt_ref=f"g{n}")
    _orders(session, good, month, 3, hours=30)
    _orders(session, quick, month, 3)
    _overdue_line(session, quick, item, warehouse, month + timedelta(days=1))
    scorecards.refresh(session, today)
    return good, quick, month


def test_thin_evidence_is_not_ranked_nor_graded_and_overdue_lines_are_late(session):
    good, quick, month = _world(session)
    _start, rows = scorecards.ranking(session, "month", month)
    by = {r.code: r for r in rows}
    assert by["GOOD"].rank == 1 and by["GOOD"].snapshot.standing is not None and by["GOOD"].snapshot.rated
    q = by["QUICK"].snapshot
    assert q.responsiveness == 100 and q.on_time == 0          # the late shipment's line counts as late
    assert (q.lines, q.overdue_lines, q.orders_scored, q.metrics_counted) == (1, 1, 3, 1)
    assert by["QUICK"].rank is None and q.standing is None and not q.rated
    assert scorecards.standing_label(q) == "not enough evidence"
    assert [r.code for r in rows] == ["GOOD", "QUICK"]
    assert by["GOOD"].evidence == {"on_time": 3, "quality": 3, "lead_time": 3, "fill_rate": 3, "price": 0,
                                   "responsiveness": 3}     # no catalog price to compare with


def _doc(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_every_view_shows_the_evidence_and_ranks_only_the_rated(client, login_as, session):
    good, quick, month = _world(session)
    admin = login_as("admin")
    bearer = {"Authorization": f"Bearer {f.api_token(session, admin)}"}
    rows = {r.get("data-supplier"): r for r in _doc(client, f"/scorecards?start={month}").xpath("//tr[@data-supplier]")}
    cell = lambda row, col: row.xpath(f'.//*[@data-col="{col}"]')[0].text_content().strip()  # noqa: E731
    assert cell(rows["GOOD"], "rank") == "1" and cell(rows["QUICK"], "rank") == ""
    assert cell(rows["QUICK"], "standing") == "not enough evidence"
    assert cell(rows["QUICK"], "metrics_counted").startswith("1 /")
    assert "1 line (1 overdue)" in cell(rows["QUICK"], "on_time") and "3 orders" in cell(rows["QUICK"], "responsiveness")
    assert "3 inspections, 30 inspected" in cell(rows["GOOD"], "quality")

    page = _doc(client, f"/scorecards/{quick.id}")
    assert page.xpath('//*[@data-col="standing"]')[0].text_content().strip() == "not enough evidence"
    evidence = {r.get("data-metric"): r.xpath('.//*[@data-col="evidence"]')[0] for r in page.xpath("//tr[@data-metric]")}
    assert evidence["on_time"].get("data-facts") == "1" and "too few to count" in evidence["on_time"].text_content()
    assert "3 orders" in evidence["responsiveness"].text_content()

    panel = _doc(client, "/dashboard").xpath('//*[@data-panel="supplier-ranking"]')[0]
    ranked = [r.get("data-supplier") for r in panel.xpath("//tr[@data-supplier]")]
    assert ranked == ["GOOD"] and panel.xpath(".//*[@data-unrated]")[0].get("data-unrated") == "1"
    assert "3 lines, 3 inspections, 3 orders" in panel.xpath('.//*[@data-col="evidence"]')[0].text_content()

    api = {s["supplier"]: s for s in client.get(f"/api/v1/scorecards?start={month}", headers=bearer).get_json()["scorecards"]}
    assert api["QUICK"]["rank"] is None and api["QUICK"]["standing_label"] == "not enough evidence"
    assert api["QUICK"]["evidence"]["on_time"] == 1 and api["QUICK"]["rated"] is False
    assert api["GOOD"]["rank"] == 1 and api["GOOD"]["evidence"]["quality"] == 3 and number(api["GOOD"]["qty_inspected"]) == 30

    book = openpyxl.load_workbook(io.BytesIO(client.get("/spreadsheets/scorecards/export.xlsx").data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows_x = [dict(zip(header, [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    mine = {r["Supplier"]: r for r in rows_x if r["Period"] == "month" and r["Label"] == f"{month:%Y-%m}"}
    assert mine["QUICK"]["Standing"] == "not enough evidence" and mine["QUICK"]["Enough evidence"] in (False, "no")
    assert mine["QUICK"]["Overdue lines"] == 1 and mine["GOOD"]["Metrics with enough facts"] == 5
    assert number(str(mine["GOOD"]["Quantity inspected"])) == 30


def test_settings_page_sets_the_minimum_evidence(client, login_as, session):
    good, quick, month = _world(session)
    login_as("admin")
    bad = client.post("/scorecards/settings", data={**scorecards.settings_values(scorecards.get_settings(session)),
                                                   "min_metrics": "9"})
    assert bad.status_code == 422
    assert scorecards.get_settings(session).min_metrics == 3       # nothing saved
    values = {**scorecards.settings_values(scorecards.get_settings(session)), "min_metrics": "1", "min_facts": "1"}
    assert client.post("/scorecards/settings", data=values).status_code == 302
    _start, rows = scorecards.ranking(session, "month", month)
    assert {r.code: r.rank for r in rows} == {"GOOD": 1, "QUICK": 2}   # recomputed with the new minimum
    assert {r.code: r.snapshot.standing for r in rows}["QUICK"] == "probation"


def test_the_supplier_portal_says_not_enough_evidence(client, session):
    good, quick, month = _world(session)
    f.login(client, session, f.user(session, "supplier", supplier_id=quick.id))
    doc = _doc(client, "/portal/scorecard")
    row = next(r for r in doc.xpath("//tbody/tr") if r.findtext("td") == f"{month:%b %Y}")
    assert row.findall("td")[-1].text_content().strip() == "not enough evidence"
