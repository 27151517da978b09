"""An admin on a phone: the dashboard's panels and charts, then the jobs page and "run now"."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from scm.models import DemandRecord, utcnow
from scm.services.stock import ledger as stock_ledger
from tests import factories as f
from tests.e2e.conftest import shot
from tests.page_numbers import money, number


def _data(session):  # type: ignore[no-untyped-def]
    east, west = f.warehouse(session, "WH-EAST", name="East DC"), f.warehouse(session, "WH-WEST", name="West DC")
    bolt = f.item(session, "BOLT-M8", name="Hex bolt M8", unit_cost=Decimal("0.40"))
    pump = f.item(session, "PUMP-2", name="Gear pump", unit_cost=Decimal("180"))
    f.stock(session, bolt, east, 500)
    f.stock(session, bolt, west, 40)
    f.stock(session, pump, east, 3)
    stock_ledger.issue(session, item_id=bolt.id, warehouse_id=east.id, qty=Decimal(120), reason="sale", actor=f.actor())
    stock_ledger.issue(session, item_id=bolt.id, warehouse_id=west.id, qty=Decimal(40), reason="sale", actor=f.actor())
    # Imported past sales of BOLT-M8 in WH-EAST: 10 a day for the 100 days before today.
    today = utcnow().date()
    session.add_all(DemandRecord(item_id=bolt.id, warehouse_id=east.id, day=today - timedelta(days=n), qty=Decimal(10),
                                 stockout=False, source="import") for n in range(1, 101))
    f.forecast(session, bolt, east)
    f.forecast(session, bolt, west)
    supplier = f.supplier(session, "ACME", name="Acme Industrial")
    f.catalog(session, supplier, bolt)
    f.purchase_order(session, supplier, east, [(bolt, 1000)], status="sent")
    f.user(session, "admin", email="ada@example.com")
    return {"BOLT-M8": bolt.id, "WH-EAST": east.id, "WH-WEST": west.id}


def test_admin_sees_the_dashboard_and_runs_a_job(page, live_server, seeded):
    ids = seeded(_data)
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
    _check_turnover(page)
    shot(page, "dashboard-01-admin-phone")
    # The planning pages show the demand the turnover is made of: BOLT-M8 in WH-EAST 120 sold + 1,000 imported,
    # in WH-WEST 40 sold; × 0.40 = 464.00, the dashboard's demand at cost.
    demand = {}
    for warehouse in ("WH-EAST", "WH-WEST"):
        page.goto(f"{live_server}/planning/forecast/{ids['BOLT-M8']}/{ids[warehouse]}")
        demand[warehouse] = number(page.locator("[data-kpi='demand-365'] .stat-value").inner_text())
    assert demand == {"WH-EAST": Decimal(1120), "WH-WEST": Decimal(40)}
    assert (sum(demand.values()) * Decimal("0.40")).quantize(Decimal("0.01")) == Decimal("464.00")
    page.goto(f"{live_server}/stock/")
    assert money(page.locator("[data-kpi='stock-value']").inner_text()) == Decimal("692.00")   # the stock list agrees

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
    _check_turnover(page)                                                             # the snapshot agrees
    page.locator("[data-panel='slow-dead']").scroll_into_view_if_needed()
    shot(page, "dashboard-04-snapshot-phone")


def _check_turnover(page) -> None:  # type: ignore[no-untyped-def]
    """By hand: demand over the last 365 days = BOLT-M8 120 + 40 sold + 1,000 imported = 1,160 × 0.40 = 464.00.
    The ledger began today, so the average stock is today's 692.00: turnover 464 / 692 = 0.67×, days of
    inventory 692 / 464 × 365 = 544.4. PUMP-2 (3 × 180) had no demand in 90 days: dead stock 540.00; BOLT-M8
    (380 on hand, 1,050 demanded in 90 days) is neither slow nor dead."""
    stat = lambda key: page.locator(f"[data-kpi='{key}'] .stat-value").inner_text()  # noqa: E731
    assert money(stat("cogs")) == Decimal("464.00")
    assert number(stat("turnover")) == Decimal("0.67")
    assert number(stat("days-of-inventory")) == Decimal("544.4")
    assert money(page.locator("[data-kpi='average-stock']").inner_text()) == Decimal("692.00")
    assert money(stat("dead-stock")) == Decimal("540.00") and money(stat("slow-stock")) == Decimal("0.00")
