"""Dashboard figures on a small dataset worked out by hand (see the comments for each number)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from scm.models import DemandRecord
from scm.services.dashboard import panels as dashboard, kpis as dashboard_kpis, snapshots as dashboard_snapshots
from scm.services.purchasing import orders as purchasing
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests.dashboard_factories import Clock

D = Decimal
NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, tzinfo=timezone.utc)


@pytest.fixture
def shop(session, monkeypatch):  # type: ignore[no-untyped-def]
    """Warehouses A and B; BOLT 2.00, NUT 0.50, DEAD 10.00, SLOW 1.00 (unit costs).

    Window of turnover: 2025-03-20 12:00 .. NOW. Window of dead stock: 2025-12-20 12:00 .. NOW.
    """
    a, b = f.warehouse(session, "A"), f.warehouse(session, "B")
    bolt, nut = f.item(session, "BOLT", unit_cost=D("2")), f.item(session, "NUT", unit_cost=D("0.5"))
    dead, slow = f.item(session, "DEAD", unit_cost=D("10")), f.item(session, "SLOW", unit_cost=D("1"))
    c = Clock(session, monkeypatch)
    c.receive(at(2025, 1, 10), bolt, a, 100)       # before the window: opening stock
    c.receive(at(2025, 2, 1), dead, a, 5)          # before the window: opening stock, never asked for
    c.issue(at(2025, 6, 1), bolt, a, 40)           # sale: 80.00 of demand
    c.receive(at(2025, 12, 1), slow, a, 100)
    c.receive(at(2026, 1, 2), bolt, b, 5)
    c.receive(at(2026, 1, 5), nut, b, 20)
    c.issue(at(2026, 2, 1), slow, a, 10)           # sale: 10.00
    c.issue(at(2026, 2, 10), bolt, b, 5, "scrap")  # not demand; BOLT@B is at zero all March
    c.issue(at(2026, 3, 5), nut, b, 20)            # sale 10.00; NUT@B at zero Mar 5..11 (7 days)
    c.issue(at(2026, 3, 10), bolt, a, 30)          # sale 60.00
    c.receive(at(2026, 3, 12), nut, b, 10)
    wrong = c.issue(at(2026, 3, 15), bolt, a, 5)   # posted by mistake and reversed: not demand
    c.reverse(at(2026, 3, 15), wrong)
    c.issue(at(2026, 3, 18), nut, b, 10, "consumption")  # 5.00; NUT@B at zero Mar 18..20 (3 days)
    session.add(DemandRecord(item_id=slow.id, warehouse_id=a.id, day=date(2026, 3, 3), qty=D(1), stockout=True))
    session.flush()
    return {"a": a, "b": b, "bolt": bolt, "nut": nut, "dead": dead, "slow": slow}


def test_stock_value_is_on_hand_times_unit_cost(session, shop):
    value = dashboard_kpis.stock_value(session)
    # BOLT 30 × 2 + DEAD 5 × 10 + SLOW 90 × 1 (NUT is at zero) = 200.00, all in A
    assert value.total == D("200.00")
    assert value.by_warehouse == [("A", D("200.00")), ("B", D("0.00"))]


def _mean_daily_value(opening: D, changes: dict[date, D], first: date, last: date) -> D:
    """By hand: walk the days, apply each day's change in value, average the closing values."""
    value, closings, day = opening, [], first
    while day <= last:
        value += changes.get(day, D(0))
        closings.append(value)
        day += timedelta(days=1)
    return (sum(closings, D(0)) / len(closings)).quantize(D("0.01"))


def test_turnover_and_days_of_inventory(session, shop):
    t = dashboard_kpis.turnover(session, now=NOW, closing_value=D("200.00"))
    # Demand at cost over 2025-03-21..2026-03-20: BOLT 40 + 30 (140.00), NUT 20 + 10 (15.00), SLOW 10 (10.00)
    # and SLOW's imported 1 (1.00); scrap and the reversed issue are not demand.
    assert t.cogs == D("166.00") and t.first_day == date(2025, 3, 21)
    # Opening = closing − net moves in the window (−50.00) = 250.00 = BOLT 100 × 2 + DEAD 5 × 10.
    assert t.opening_value == D("250.00")
    changes = {date(2025, 6, 1): D(-80), date(2025, 12, 1): D(100), date(2026, 1, 2): D(10), date(2026, 1, 5): D(10),
               date(2026, 2, 1): D(-10), date(2026, 2, 10): D(-10), date(2026, 3, 5): D(-10),
               date(2026, 3, 10): D(-60), date(2026, 3, 12): D(5), date(2026, 3, 18): D(-5)}
    average = _mean_daily_value(D(250), changes, date(2025, 3, 21), date(2026, 3, 20))
    assert t.average_value == average == D("215.56") and t.covered_days == 365
    assert t.turnover == (D(166) / average).quantize(D("0.01")) == D("0.77")
    assert t.days_of_inventory == (average / D(166) * 365).quantize(D("0.1")) == D("474.0")


def test_turnover_counts_imported_demand_and_only_the_days_the_ledger_covers(session, monkeypatch):
    """The demo's case: two years of imported sales, stock received today. Demand 10 a day at 2.00 over
    365 days = 7,300.00; the ledger exists since today, so the average stock is today's: 200 × 2.00."""
    item, wh = f.item(session, "PUMP", unit_cost=D("2")), f.warehouse(session, "W")
    for n in range(730):
        session.add(DemandRecord(item_id=item.id, warehouse_id=wh.id, day=date(2026, 3, 19) - timedelta(days=n),
                                 qty=D(10), stockout=False))
    Clock(session, monkeypatch).receive(datetime(2026, 3, 20, 8, tzinfo=timezone.utc), item, wh, 200)
    t = dashboard_kpis.turnover(session, now=NOW, closing_value=D("400.00"))
    assert t.cogs == D("7280.00")            # 364 imported days in the window (today has no record yet)
    assert (t.average_value, t.covered_days) == (D("400.00"), 1)
    assert t.turnover == D("18.20") and t.days_of_inventory == D("20.1")
    sd = dashboard_kpis.slow_and_dead(session, now=NOW)
    assert (sd.slow_items, sd.dead_items) == (0, 0)   # 200 on hand vs 890 demanded in 90 days


def test_stock_out_days_this_month(session, shop):
    outs = dashboard_kpis.stock_outs(session, now=NOW)
    # BOLT@B 20 days (1..20 March), NUT@B 7 + 3, SLOW@A 1 flagged by imported demand.
    assert (outs.days, outs.keys) == (31, 3)
    assert [(r["sku"], r["warehouse"], r["days"]) for r in outs.worst] == [("BOLT", "B", 20), ("NUT", "B", 10),
                                                                           ("SLOW", "A", 1)]


def test_a_key_first_stocked_this_month_is_not_out_of_stock_before_it(session, shop, monkeypatch):
    c = Clock(session, monkeypatch)
    c.receive(at(2026, 3, 14), shop["dead"], shop["b"], 2)   # DEAD@B exists from the 14th
    c.issue(at(2026, 3, 16), shop["dead"], shop["b"], 2, "scrap")
    outs = dashboard_kpis.stock_outs(session, now=NOW)
    # DEAD@B adds the 16th..20th (5 days), not the 1st..13th.
    assert (outs.days, outs.keys) == (36, 4)
    assert ("DEAD", "B", 5) in [(r["sku"], r["warehouse"], r["days"]) for r in outs.worst]


def test_dead_and_slow_moving_stock(session, shop):
    sd = dashboard_kpis.slow_and_dead(session, now=NOW)
    # DEAD: 5 on hand, no demand since 2025-12-20 -> dead, 50.00.
    # SLOW: 90 on hand, 90-day demand 10 (ledger) + 1 (imported) = 11; 90 > 2 × 11 -> slow, 90.00.
    # BOLT: 30 on hand, 90-day demand 30 (the reversed 5 does not count): neither.
    assert (sd.dead_items, sd.dead_value, sd.slow_items, sd.slow_value) == (1, D("50.00"), 1, D("90.00"))
    assert [(r["sku"], r["on_hand"], r["value"]) for r in sd.worst_dead] == [("DEAD", D(5), D("50.00"))]


def test_orders_awaiting_approval_and_confirmation_with_age(session, shop):
    supplier = f.supplier(session, "ACME")
    f.catalog(session, supplier, shop["bolt"])
    sent = f.purchase_order(session, supplier, shop["a"], [(shop["bolt"], 10)], status="sent",
                            as_of=date(2026, 3, 16))
    pending = f.purchase_order(session, supplier, shop["a"], [(shop["bolt"], 10)], as_of=date(2026, 3, 18))
    purchasing.submit(session, pending.id, actor=Actor.system("clerk", via="cli"),
                      now=datetime(2026, 3, 18, 9, tzinfo=timezone.utc))
    f.purchase_order(session, supplier, shop["a"], [(shop["bolt"], 1)])   # a draft waits for nobody
    ctx = dashboard.DashboardContext(now=NOW, role="buyer")
    approval, confirmation = dashboard.awaiting_approval(session, ctx), dashboard.awaiting_confirmation(session, ctx)
    assert approval.count == 1 and [(r.number, r.age_days) for r in approval.oldest] == [(pending.number, 2)]
    assert confirmation.count == 1 and [(r.number, r.supplier, r.age_days) for r in confirmation.oldest] == [
        (sent.number, "ACME", 4)]


def test_panels_depend_on_the_role(session, shop):
    def keys(role: str) -> list[str]:
        return [k for k, _d in dashboard.panels_for(session, dashboard.DashboardContext(now=NOW, role=role))]
    everything = ["stock_warnings", "late_inbound", "stock_figures", "awaiting_approval", "awaiting_confirmation", "stock_outs", "slow_dead",
                  "fill_rate", "supplier_ranking"]
    assert keys("admin") == keys("buyer") == everything
    assert keys("viewer") == [k for k in everything if k != "awaiting_approval"]
    assert keys("warehouse") == ["stock_warnings", "late_inbound", "stock_figures", "stock_outs", "slow_dead"]
    assert keys("supplier") == []


def test_a_panel_is_one_row_and_a_provider_may_hide_itself(session):
    ctx = dashboard.DashboardContext(now=NOW, role="viewer")
    extra = [dashboard.Panel("shown", dashboard.EVERY_STAFF, lambda s, c: {"n": 1}),
             dashboard.Panel("hidden", dashboard.EVERY_STAFF, lambda s, c: None),
             dashboard.Panel("admins", frozenset({"admin"}), lambda s, c: {"n": 2})]
    assert dashboard.panels_for(session, ctx, extra) == [("shown", {"n": 1})]


def test_empty_database_gives_blank_figures_not_errors(session):
    panels = dict(dashboard.panels_for(session, dashboard.DashboardContext(now=NOW, role="admin")))
    assert panels["stock_figures"].value.total == D("0.00")
    assert panels["stock_figures"].turnover.turnover is None
    assert panels["stock_figures"].turnover.days_of_inventory is None
    assert panels["fill_rate"].rate is None and panels["supplier_ranking"].rows == []


def test_a_snapshot_panel_is_read_from_its_snapshot_and_the_others_stay_live(session):
    calls: list[str] = []

    def compute(key: str):  # type: ignore[no-untyped-def]
        return lambda s, c: calls.append(key) or f"live {key}"
    panels = [dashboard.Panel("slow", dashboard.EVERY_STAFF, compute("slow"), snapshot=True),
              dashboard.Panel("fast", dashboard.EVERY_STAFF, compute("fast"))]
    ctx = dashboard.DashboardContext(now=NOW, role="viewer")
    stored = {"slow": dashboard_snapshots.Snapshot(NOW, 1.0, "stored"), "fast": dashboard_snapshots.Snapshot(NOW, 0, "x")}
    assert dashboard.panels_for(session, ctx, panels, stored) == [("slow", "stored"), ("fast", "live fast")]
    assert dashboard.panels_for(session, ctx, panels, {}) == [("slow", "live slow"), ("fast", "live fast")]
    assert calls == ["fast", "slow", "fast"]
