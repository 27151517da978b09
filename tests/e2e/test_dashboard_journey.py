"""An admin on a phone: the dashboard's panels and charts, then the jobs page and "run now"."""
from __future__ import annotations

from decimal import Decimal

from scm.services import stock_ledger
from tests import factories as f
from tests.e2e.conftest import shot


def _data(session):  # type: ignore[no-untyped-def]
    east, west = f.warehouse(session, "WH-EAST", name="East DC"), f.warehouse(session, "WH-WEST", name="West DC")
    bolt = f.item(session, "BOLT-M8", name="Hex bolt M8", unit_cost=Decimal("0.40"))
    pump = f.item(session, "PUMP-2", name="Gear pump", unit_cost=Decimal("180"))
    f.stock(session, bolt, east, 500)
    f.stock(session, bolt, west, 40)
    f.stock(session, pump, east, 3)
    stock_ledger.issue(session, item_id=bolt.id, warehouse_id=east.id, qty=Decimal(120), reason="sale", actor=f.actor())
    stock_ledger.issue(session, item_id=bolt.id, warehouse_id=west.id, qty=Decimal(40), reason="sale", actor=f.actor())
    supplier = f.supplier(session, "ACME", name="Acme Industrial")
    f.catalog(session, supplier, bolt)
    f.purchase_order(session, supplier, east, [(bolt, 1000)], status="sent")
    f.user(session, "admin", email="ada@example.com")


def test_admin_sees_the_dashboard_and_runs_a_job(page, live_server, seeded):
    seeded(_data)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    # 380 bolts × 0.40 + 3 pumps × 180 = 692.00
    assert "692.00" in page.locator("[data-kpi='stock-value']").inner_text()
    assert page.locator("svg.mini-chart").count() >= 1
    assert page.locator("[data-panel='confirmation'] [data-count]").inner_text() == "1"
    assert "WH-WEST" in page.locator("[data-panel='stock-outs']").inner_text()
    assert "Computed now" in page.locator("[data-panel='slow-dead']").inner_text()   # no snapshot yet
    shot(page, "dashboard-01-admin-phone")

    page.goto(f"{live_server}/admin/jobs")
    shot(page, "dashboard-02-jobs")
    page.locator("form[action='/admin/jobs/ledger-check/run'] button").click()
    page.get_by_text("ledger and balances agree").first.wait_for()
    shot(page, "dashboard-03-job-history")

    page.goto(f"{live_server}/admin/jobs")
    page.locator("form[action='/admin/jobs/dashboard-figures/run'] button").click()
    page.get_by_text("slow_dead in").first.wait_for()
    page.goto(f"{live_server}/dashboard")
    assert "As of" in page.locator("[data-panel='slow-dead']").inner_text()          # now from the snapshot
    assert "692.00" in page.locator("[data-kpi='stock-value']").inner_text()
    page.locator("[data-panel='slow-dead']").scroll_into_view_if_needed()
    shot(page, "dashboard-04-snapshot-phone")
