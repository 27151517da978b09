"""One definition of demand: the totals the dashboard and the planning page show equal the forecaster's
daily history (`demand.load_histories`) summed over the same days, on random ledgers and imports; and the
planning page shows an item × warehouse's figure from the same function."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import lxml.html
import pytest

from scm.models import DemandRecord
from scm.services.planning import demand, demand_totals
from tests import factories as f
from tests.dashboard_factories import Clock
from tests.page_numbers import number

D = Decimal
NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_totals_equal_the_forecasters_history_over_the_same_days(session, monkeypatch, seed):
    rng = random.Random(seed)
    clock = Clock(session, monkeypatch)
    items = [f.item(session, f"R{seed}-{n}") for n in range(3)]
    warehouses = [f.warehouse(session, f"W{seed}{n}") for n in range(2)]
    for item in items:
        for wh in warehouses:
            clock.receive(datetime(2025, 1, 2, tzinfo=timezone.utc), item, wh, 10_000)
    for _ in range(60):
        item, wh = rng.choice(items), rng.choice(warehouses)
        when = NOW - timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 10))
        move = clock.issue(when, item, wh, rng.randint(1, 9), rng.choice(["sale", "consumption", "scrap", "sample"]))
        if rng.random() < 0.2:
            clock.reverse(when + timedelta(minutes=5), move)
    for _ in range(80):
        session.add(DemandRecord(item_id=rng.choice(items).id, warehouse_id=rng.choice(warehouses).id,
                                 day=NOW.date() - timedelta(days=rng.randint(0, 200)), qty=D(rng.randint(0, 20)),
                                 stockout=rng.random() < 0.1, source=f"s{rng.randint(0, 10**9)}"))
    session.flush()
    # The forecaster's history stops the day before its as_of: compare on complete days (through yesterday).
    yesterday_end = datetime.combine(NOW.date(), datetime.min.time(), tzinfo=timezone.utc) - timedelta(microseconds=1)
    histories = demand.load_histories(session, as_of=NOW.date(), item_ids=[i.id for i in items])
    for days in (30, 90, 180):
        window = demand_totals.Window(yesterday_end, days)
        for item in items:
            for wh in warehouses:
                history = histories.get((item.id, wh.id))
                expected = sum((D(str(q)) for d, q in (history.quantities.items() if history else ())
                                if window.first_day <= d <= yesterday_end.date()), D(0))
                got = demand_totals.key_demand(session, item.id, wh.id, now=yesterday_end, days=days)
                assert got == expected, (days, item.sku, wh.code)


def test_the_planning_page_shows_the_same_key_demand(client, login_as, session, monkeypatch):
    login_as("viewer")
    item, wh = f.item(session, "PUMP"), f.warehouse(session, "W")
    f.forecast(session, item, wh)
    clock = Clock(session, monkeypatch)
    now = datetime.now(timezone.utc)
    clock.receive(now - timedelta(days=400), item, wh, 500)
    clock.issue(now - timedelta(days=10), item, wh, 7)                   # in both windows
    clock.issue(now - timedelta(days=200), item, wh, 11, "consumption")  # in the 365-day window only
    clock.issue(now - timedelta(days=5), item, wh, 3, "scrap")           # not demand
    session.add(DemandRecord(item_id=item.id, warehouse_id=wh.id, day=now.date() - timedelta(days=30), qty=D(4),
                             stockout=False, source="import"))
    session.flush()
    doc = lxml.html.fromstring(client.get(f"/planning/forecast/{item.id}/{wh.id}").get_data(as_text=True))
    shown = {days: number(doc.xpath(f'//*[@data-kpi="demand-{days}"]//*[@class="stat-value"]')[0].text_content())
             for days in (90, 365)}
    assert shown == {90: D(11), 365: D(22)}          # by hand: 7 + 4, and 7 + 11 + 4
    for days in (90, 365):
        assert shown[days] == demand_totals.key_demand(session, item.id, wh.id, now=datetime.now(timezone.utc),
                                                       days=days)
