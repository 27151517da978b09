"""A buyer on a phone: a demand spike raises a critical stock-out warning; the buyer runs the plan,
opens the suggested orders, reads the arithmetic and approves; the primary supplier gets a draft for
what it can make and the backup a draft for the remainder."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from scm.models import PurchaseOrder, Supplier, utcnow
from scm.services import replenishment, stock_ledger
from tests import factories as f
from tests import replen_factories as rf
from tests.e2e.conftest import shot
from tests.supplier_factories import entry


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
    page.wait_for_url(f"{live_server}/replenishment/alerts")
    assert page.locator("#count-critical").inner_text() == "0"
    page.get_by_role("button", name="Run the plan now").click()
    page.get_by_text("Planned 1 item-warehouse pair").wait_for()
    row = page.locator("#alerts tbody tr", has_text="PUMP-1")
    row.get_by_text("critical", exact=True).wait_for()
    assert page.locator("#count-critical").inner_text() == "1"
    shot(page, "replenishment-01-critical")

    page.goto(f"{live_server}/dashboard")  # the warning is on every buyer's home page too
    panel = page.locator("[data-panel='stock_warnings']")
    panel.locator("li[data-sku='PUMP-1']").get_by_text("critical", exact=True).wait_for()
    shot(page, "replenishment-01a-dashboard")
    panel.get_by_role("link", name="Review the suggested orders →").click()
    page.wait_for_url(f"{live_server}/replenishment/suggestions")
    lines = page.locator("#suggestions tbody tr")
    assert lines.count() == 2
    lines.first.locator("summary").click()
    lines.first.get_by_text("Forecast over lead time").wait_for()
    assert "98 % service" in lines.first.inner_text()
    shot(page, "replenishment-02-arithmetic")
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Approve selected: create draft orders").click()
    page.get_by_text("Created 2 draft order(s)").wait_for()
    shot(page, "replenishment-03-approved")

    with live_app.app_context():
        from scm.extensions import db
        orders = {db.session.get(Supplier, o.supplier_id).code: o for o in db.session.scalars(select(PurchaseOrder))}
        assert set(orders) == {"ACME", "GLOBEX"} and all(o.status == "draft" for o in orders.values())
        assert orders["ACME"].lines[0].qty_ordered == Decimal(100)      # all the primary can make in a week
        assert orders["GLOBEX"].lines[0].qty_ordered > 0                # the remainder
        db.session.close()
