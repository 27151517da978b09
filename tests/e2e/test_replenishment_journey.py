"""A buyer on a phone: a demand spike raises a critical stock-out warning; the buyer runs the plan,
opens the suggested orders, reads the arithmetic and approves; the primary supplier gets a draft for
what it can make and the backup a draft for the remainder. Running the plan again suggests nothing:
the planning page shows both drafts on order.

The figures read on the pages are checked against a hand computation (PUMP-1, class A: 98 %):

    on hand 30, 20 a day with σ 4, lead time 7 days (both suppliers), review 7 days
    S = 20·14 + z·4·√14 = 310.74      need S − 30 = 280.74: ACME 100 (its week), GLOBEX 181 (the rest)
    stock-out tomorrow; short 7·20 − 30 = 110 before any order could arrive; cover 30 / 20 = 1.5 days
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from statistics import NormalDist

from sqlalchemy import select

from scm.models import PurchaseOrder, Supplier, utcnow
from scm.services.planning import replenishment
from scm.services.stock import ledger as stock_ledger
from tests import factories as f
from tests import replen_factories as rf
from tests.e2e.conftest import shot
from tests.page_figures import number, shows
from tests.supplier_factories import entry

S = 20 * 14 + NormalDist().inv_cdf(0.98) * 4 * math.sqrt(14)


def figure(scope, name: str) -> str:  # type: ignore[no-untyped-def]
    """The text of the first element marked data-figure=name in `scope` (shown or folded away)."""
    element = scope.locator(f"[data-figure='{name}']").first
    tag = element.evaluate("e => e.tagName")
    return element.input_value() if tag == "INPUT" else " ".join((element.text_content() or "").split())


def test_spike_critical_warning_then_buyer_approves_split_orders(page, live_server, seeded, live_app):
    today = utcnow().date()

    def data(session):  # type: ignore[no-untyped-def]
        main = f.warehouse(session, "MAIN", name="Main DC")
        pump = f.item(session, "PUMP-1", name="Pump", abc_class="A")
        acme, globex = f.supplier(session, "ACME", name="Acme"), f.supplier(session, "GLOBEX", name="Globex")
        entry(session, acme, pump, "primary", 100, lead=7)        # makes 100 a week
        entry(session, globex, pump, "backup", 100000, lead=7)
        f.stock(session, pump, main, 200)
        rf.daily_forecast(session, pump, main, 5.0, sigma=1.0, start=today)
        replenishment.plan(session, as_of=today, actor=f.actor(), now=datetime.now(timezone.utc))
        # the spike: a big sale empties the shelf and the new forecast expects 20 a day
        stock_ledger.issue(session, item_id=pump.id, warehouse_id=main.id, qty=Decimal(170), reason="sale",
                           actor=f.actor())
        rf.daily_forecast(session, pump, main, 20.0, sigma=4.0, start=today)
        f.user(session, "buyer", email="bea@example.com", approval_limit=Decimal(100000))
    seeded(data)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("bea@example.com")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Replenishment", exact=True).click()
    page.wait_for_url(f"{live_server}/replenishment/warnings")
    assert page.locator("#count-critical").inner_text() == "0"
    page.get_by_role("button", name="Run the plan now").click()
    page.get_by_text("Planned 1 item-warehouse pair").wait_for()
    row = page.locator("#warnings tbody tr", has_text="PUMP-1")
    row.get_by_text("critical", exact=True).wait_for()
    assert page.locator("#count-critical").inner_text() == "1"
    assert figure(row, "stockout_on") == (today + timedelta(days=1)).isoformat()
    assert shows(figure(row, "qty_short"), 110) and shows(figure(row, "days_of_cover"), "1.5")
    assert shows(figure(row, "suggested_qty"), 281)
    shot(page, "replenishment-01-critical")

    page.goto(f"{live_server}/dashboard")  # the warning is on every buyer's home page too
    panel = page.locator("[data-panel='stock_warnings']")
    panel.locator("li[data-sku='PUMP-1']").get_by_text("critical", exact=True).wait_for()
    assert shows(figure(panel, "qty_short"), 110) and shows(figure(panel, "suggested_qty"), 281)
    shot(page, "replenishment-01a-dashboard")
    panel.get_by_role("link", name="Review the suggested orders →").click()
    page.wait_for_url(f"{live_server}/replenishment/suggestions")
    lines = page.locator("#suggestions tbody tr")
    assert lines.count() == 2
    lines.first.locator("summary").click()
    lines.first.get_by_text("forecast over lead time + review").wait_for()
    assert "98 % service" in lines.first.inner_text()
    for k in range(2):   # both lines carry the pair's arithmetic: check every term by hand
        line = lines.nth(k)
        assert [number(figure(line, n)) for n in ("on_hand", "reserved", "on_order", "in_transit", "position")] == [
            30, 0, 0, 0, 30]
        assert shows(figure(line, "order_up_to"), S) and shows(figure(line, "forecast_cover"), 280)
        assert shows(figure(line, "need"), S - 30)
    quantities = {line.get_attribute("data-kind") + ":" + line.locator("select option[selected]").inner_text():
                  number(figure(line, "qty")) for line in lines.all()}
    assert quantities == {"buy:ACME (primary)": 100, "buy:GLOBEX (backup)": math.ceil(S - 30) - 100}
    shot(page, "replenishment-02-arithmetic")
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Approve selected: create draft orders").click()
    page.get_by_text("Created 2 draft order(s)").wait_for()
    shot(page, "replenishment-03-approved")

    page.get_by_role("button", name="Run the plan now").click()   # tonight's job, or another buyer
    page.get_by_text("Planned 1 item-warehouse pair").wait_for()
    page.get_by_text("Nothing to order.").wait_for()             # the drafts are on order: no second buy
    page.goto(f"{live_server}/replenishment/warnings")
    row = page.locator("#warnings tbody tr", has_text="PUMP-1")
    assert shows(figure(row, "suggested_qty"), 0) and "(draft)" in row.inner_text()
    row.get_by_role("link", name="PUMP-1").click()               # the planning page of the pair
    page.locator("#projection").wait_for()
    projection = page.locator("#projection")
    assert shows(figure(projection, "on_order"), math.ceil(S - 30)) and shows(figure(projection, "suggested_qty"), 0)
    assert shows(figure(projection, "position"), 30 + math.ceil(S - 30))
    due = (today + timedelta(days=7)).isoformat()
    assert projection.locator(f"circle.chart-receipt[data-date='{due}']").count() == 1
    counted = projection.locator("li[data-order]")
    assert counted.count() == 2 and "draft" in (counted.first.text_content() or "")
    projection.scroll_into_view_if_needed()
    shot(page, "replenishment-04-projection")

    with live_app.app_context():
        from scm.extensions import db
        orders = {db.session.get(Supplier, o.supplier_id).code: o for o in db.session.scalars(select(PurchaseOrder))}
        assert set(orders) == {"ACME", "GLOBEX"} and all(o.status == "draft" for o in orders.values())
        assert orders["ACME"].lines[0].qty_ordered == Decimal(100)      # all the primary can make in a week
        assert orders["GLOBEX"].lines[0].qty_ordered == math.ceil(S - 30) - 100   # the remainder
        assert {o.lines[0].promised_date for o in orders.values()} == {today + timedelta(days=7)}
        db.session.close()
