"""Advice a buyer can trust: no duplicate buys, no pointless buys, the whole arithmetic shown, drafted
lines promised on the expected arrival, and a watch that orders only when waiting would be too late.

One item (BOLT, class B: 95 %) at MAIN: 10 a day with σ 3 a day, primary ACME with a stated lead time of
7 days and a minimum order of 20; review period R = 7 days. By hand:

    SS(L)   = z·3·√7      = 13.06     ROP = 10·7 + SS(L)     = 83.06
    SS(L+R) = z·3·√14     = 18.46     S   = 10·14 + SS(L+R)  = 158.46

Everything is read where a buyer reads it: the API's JSON and the rendered pages.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from statistics import NormalDist

import pytest

from scm.models import utcnow
from scm.services.planning import replenishment
from scm.services.purchasing import orders as purchasing
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf
from tests.page_figures import figures, parse, shows, text

D = Decimal
TODAY = utcnow().date()
NOW = datetime.now(timezone.utc)
API = "/api/v1/replenishment"
Z = NormalDist().inv_cdf(0.95)
SS_L, SS_LR = Z * 3 * math.sqrt(7), Z * 3 * math.sqrt(14)
ROP, S = 70 + SS_L, 140 + SS_LR


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    main = f.warehouse(session, "MAIN", latitude=52.0, longitude=5.0)
    bolt = f.item(session, "BOLT", abc_class="B")
    acme = f.supplier(session, "ACME")
    sf.entry(session, acme, bolt, "primary", 100000, lead=7, moq=20)
    rf.daily_forecast(session, bolt, main, 10.0, sigma=3.0, start=TODAY)
    buyer = f.user(session, "buyer", approval_limit=D(100000))
    headers = {"Authorization": f"Bearer {f.api_token(session, buyer)}"}
    return main, bolt, acme, buyer, headers


def plan(session) -> None:  # type: ignore[no-untyped-def]
    replenishment.plan(session, as_of=TODAY, actor=f.actor(), now=NOW)
    session.commit()


def get(client, headers, path):  # type: ignore[no-untyped-def]
    response = client.get(f"{API}/{path}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def approve(client, headers, ids):  # type: ignore[no-untyped-def]
    response = client.post(f"{API}/suggestions/approve", json={"ids": ids}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def suggestion_rows(client, session, buyer):  # type: ignore[no-untyped-def]
    f.login(client, session, buyer)
    page = parse(client.get("/replenishment/suggestions").get_data(as_text=True))
    return page.xpath("//table[@id='suggestions']/tbody/tr")


# ---------------------------------------------------------------- 1. no duplicate buys

@pytest.mark.parametrize("status", ["draft", "pending_approval", "approved"])
def test_approved_buys_count_as_on_order_and_are_not_bought_again(client, session, world, status):
    main, bolt, _acme, buyer, headers = world
    f.stock(session, bolt, main, 30)
    plan(session)
    (buy,) = get(client, headers, "suggestions")["suggestions"]
    assert (buy["kind"], D(buy["qty"])) == ("buy", D(math.ceil(S - 30)))
    (order,) = approve(client, headers, [buy["id"]])["orders"]
    if status == "pending_approval":      # a system actor has no approval limit: it waits for approval
        purchasing.submit(session, order["id"], actor=f.actor(), now=NOW)
    elif status == "approved":            # within the buyer's limit
        purchasing.submit(session, order["id"], actor=Actor.for_user(buyer, "web"), now=NOW)
    session.commit()

    plan(session)                         # the nightly job, or another buyer pressing "Run the plan now"
    assert get(client, headers, "suggestions")["suggestions"] == []
    (warning,) = get(client, headers, "warnings")["warnings"]
    assert any(order["number"] in entry for entry in warning["open_orders"])
    projection = get(client, headers, "projection?sku=BOLT&warehouse=MAIN")
    assert D(projection["on_order"]) == D(buy["qty"])
    (counted,) = projection["on_order_lines"]
    assert (counted["number"], counted["status"], D(counted["qty"])) == (order["number"], status, D(buy["qty"]))
    assert counted["due"] == (TODAY + timedelta(days=7)).isoformat()
    due = next(day for day in projection["days"] if day["date"] == counted["due"])
    assert D(due["receipts"]) == D(buy["qty"])


def test_the_arithmetic_lists_the_unsent_orders_it_counted(client, session, world):
    main, bolt, acme, buyer, headers = world
    f.stock(session, bolt, main, 30)
    draft = f.purchase_order(session, acme, main, [(bolt, 50)], as_of=TODAY)   # expected today + 7 (stated)
    plan(session)
    (buy,) = get(client, headers, "suggestions")["suggestions"]
    assert D(buy["qty"]) == D(math.ceil(S - 80))                                 # position 30 + 50
    assert buy["arithmetic"]["on_order_lines"] == [{
        "number": draft.number, "status": "draft", "qty": "50", "due": (TODAY + timedelta(days=7)).isoformat()}]
    (row,) = suggestion_rows(client, session, buyer)
    shown = figures(row)
    assert shows(shown["on_order"], 50) and shows(shown["position"], 80) and shows(shown["need"], S - 80)
    (line,) = row.xpath(".//li[@data-order]")
    assert draft.number in text(line) and "draft" in text(line)
    assert (TODAY + timedelta(days=7)).isoformat() in text(line)


def test_approved_transfers_count_as_in_transit_and_nothing_is_suggested_again(client, session, world):
    main, bolt, _acme, buyer, headers = world
    near = f.warehouse(session, "NEAR", latitude=52.1, longitude=5.1)
    rf.daily_forecast(session, bolt, near, 1.0, start=TODAY)     # S at NEAR = 14 (no σ): 486 to spare
    f.stock(session, bolt, near, 500)
    f.stock(session, bolt, main, 30)
    plan(session)
    lines = get(client, headers, "suggestions")["suggestions"]
    moved = sum(D(s["qty"]) for s in lines if s["kind"] == "transfer")
    bought = sum((D(s["qty"]) for s in lines if s["kind"] == "buy"), D(0))
    assert moved > 0
    approve(client, headers, [s["id"] for s in lines])
    f.login(client, session, buyer)
    assert client.post("/replenishment/run").status_code == 302   # a buyer runs the plan again
    assert get(client, headers, "suggestions")["suggestions"] == []
    projection = get(client, headers, "projection?sku=BOLT&warehouse=MAIN")
    assert D(projection["in_transit"]) == moved and D(projection["on_order"]) == bought
    page = parse(client.get("/replenishment/suggestions").get_data(as_text=True))
    assert "Nothing to order" in text(page)


# ---------------------------------------------------------------- 2. no pointless buys

def _donor(session, bolt, stock):  # type: ignore[no-untyped-def]
    """NEAR sells 1 a day without error: its order-up-to level is 14, everything above it can move."""
    near = f.warehouse(session, "NEAR", latitude=52.1, longitude=5.1)
    rf.daily_forecast(session, bolt, near, 1.0, start=TODAY)
    f.stock(session, bolt, near, stock)
    return near


def test_a_rounded_down_transfer_leaves_no_pointless_buy(client, session, world):
    main, bolt, _acme, buyer, headers = world
    _donor(session, bolt, 78)                # 64 above its order-up-to level: all 64 can move, not 65
    f.stock(session, bolt, main, 94)         # need S − 94 = 64.46
    plan(session)
    (move,) = get(client, headers, "suggestions")["suggestions"]   # no MOQ of 20 bought for the 0.46 left
    assert (move["kind"], D(move["qty"])) == ("transfer", D(64))
    (row,) = suggestion_rows(client, session, buyer)
    assert "remainder 0.464 not bought" in text(row) and "safety stock" in text(row)


def test_a_transfer_is_rounded_up_when_the_donor_can_spare_it(client, session, world):
    main, bolt, _acme, _buyer, headers = world
    _donor(session, bolt, 200)
    f.stock(session, bolt, main, 94)
    plan(session)
    (move,) = get(client, headers, "suggestions")["suggestions"]
    assert (move["kind"], D(move["qty"])) == ("transfer", D(65))


def test_a_remainder_that_still_risks_running_short_is_bought(client, session, world):
    main, bolt, _acme, _buyer, headers = world
    _donor(session, bolt, 44)                # only 30 to spare
    f.stock(session, bolt, main, 94)
    plan(session)
    move, buy = sorted(get(client, headers, "suggestions")["suggestions"], key=lambda s: s["kind"], reverse=True)
    assert (move["kind"], D(move["qty"])) == ("transfer", D(30))
    assert (buy["kind"], D(buy["qty"])) == ("buy", D(35))             # 34.46 left, to whole units


def test_the_arithmetic_shows_every_term_of_the_order_up_to_level_and_the_position(client, session, world):
    main, bolt, acme, buyer, _headers = world
    f.stock(session, bolt, main, 30)
    stock_ledger.reserve(session, item_id=bolt.id, warehouse_id=main.id, qty=D(5), reference="SO-1", actor=f.actor())
    f.purchase_order(session, acme, main, [(bolt, 20)], status="sent", as_of=TODAY)
    plan(session)
    (row,) = suggestion_rows(client, session, buyer)
    shown = figures(row)
    assert shows(shown["forecast_cover"], 140) and shows(shown["safety_stock_cover"], SS_LR)
    assert shows(shown["order_up_to"], S)
    assert shows(shown["order_up_to"], sum(D(shown[k]) for k in ("forecast_cover", "safety_stock_cover")))
    assert shows(shown["forecast_lead_time"], 70) and shows(shown["safety_stock"], SS_L)
    assert shows(shown["reorder_point"], ROP)
    assert [D(shown[k]) for k in ("on_hand", "reserved", "on_order", "in_transit", "position")] == [
        30, 5, 20, 0, 45]
    assert shows(shown["need"], S - 45)
    why = shown["why"]
    assert "safety stock" in why and (TODAY + timedelta(days=7)).isoformat() in why
    assert (TODAY + timedelta(days=14)).isoformat() in why


# ---------------------------------------------------------------- 3. promised dates and the watch rule

def test_lines_drafted_from_suggestions_are_promised_on_the_expected_arrival(client, session, world):
    main, bolt, acme, buyer, headers = world
    f.stock(session, bolt, main, 30)
    plan(session)
    (buy,) = get(client, headers, "suggestions")["suggestions"]
    assert buy["expected_arrival"] == (TODAY + timedelta(days=7)).isoformat()
    f.login(client, session, buyer)
    client.post("/replenishment/suggestions", data={"select": str(buy["id"]), f"qty-{buy['id']}": buy["qty"],
                                                    f"supplier-{buy['id']}": str(acme.id), "do": "approve"})
    (order,) = client.get("/api/v1/purchase-orders", headers=headers).get_json()["orders"]
    order_id = order["id"]
    detail = client.get(f"/api/v1/purchase-orders/{order_id}", headers=headers).get_json()
    assert [line["promised_date"] for line in detail["lines"]] == [buy["expected_arrival"]]


def test_a_watch_that_a_later_review_can_still_order_in_time_suggests_nothing(client, session, world):
    main, bolt, _acme, _buyer, headers = world
    f.stock(session, bolt, main, 155)        # runs out on day 15; at day 13 still 15 above SS(L) = 13.06
    plan(session)
    (warning,) = get(client, headers, "warnings")["warnings"]
    assert warning["severity"] == "watch" and warning["stockout_on"] == (TODAY + timedelta(days=15)).isoformat()
    assert get(client, headers, "suggestions")["suggestions"] == []


def test_a_watch_that_would_run_out_before_the_next_reviews_order_arrives_is_ordered(client, session, world):
    main, bolt, _acme, _buyer, headers = world
    f.stock(session, bolt, main, 140)        # 0 left at the end of day 13: below SS(L) before day 14
    plan(session)
    (warning,) = get(client, headers, "warnings")["warnings"]
    assert warning["severity"] == "watch"
    (buy,) = get(client, headers, "suggestions")["suggestions"]
    assert D(buy["qty"]) == D(20)            # 18.46 to S, up to the MOQ
    assert "safety stock" in buy["arithmetic"]["why"]
