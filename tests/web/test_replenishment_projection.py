"""The projected stock of an item × warehouse, shown on its planning page (a server-drawn chart, the
figures and a day-by-day table) and by GET /api/v1/replenishment/projection, against a hand computation
and against what the plan stored.

BOLT at MAIN: 60 on hand, 10 a day (σ 3), a sent order of 100 due in 7 days (ACME's stated lead time):

    projected[t] = 60 − 10·(t + 1) + (100 from day 7)      stock-out on day 6 (−10), 80 on day 7
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from statistics import NormalDist

import pytest

from scm.models import utcnow
from scm.services.planning import replenishment
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf
from tests.page_figures import figures, number, parse, shows

TODAY = utcnow().date()
API = "/api/v1/replenishment/projection"
Z = NormalDist().inv_cdf(0.95)


def hand(t: int) -> int:
    return 60 - 10 * (t + 1) + (100 if t >= 7 else 0)


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    main = f.warehouse(session, "MAIN")
    bolt = f.item(session, "BOLT", abc_class="B")
    acme = f.supplier(session, "ACME")
    sf.entry(session, acme, bolt, "primary", 100000, lead=7)
    rf.daily_forecast(session, bolt, main, 10.0, sigma=3.0, start=TODAY)
    f.stock(session, bolt, main, 60)
    order = f.purchase_order(session, acme, main, [(bolt, 100)], status="sent", as_of=TODAY)
    viewer = f.user(session, "viewer")
    headers = {"Authorization": f"Bearer {f.api_token(session, viewer)}"}
    replenishment.plan(session, as_of=TODAY, actor=f.actor(), now=datetime.now(timezone.utc))
    session.commit()
    return main, bolt, order, viewer, headers


def test_the_api_gives_the_plans_projection_day_by_day(client, world):  # type: ignore[no-untyped-def]
    _main, _bolt, order, _viewer, headers = world
    body = client.get(f"{API}?sku=BOLT&warehouse=MAIN", headers=headers).get_json()
    assert [d["date"] for d in body["days"]] == [(TODAY + timedelta(days=t)).isoformat() for t in range(56)]
    assert [d["projected"] for d in body["days"]] == [pytest.approx(hand(t)) for t in range(56)]
    assert [d["receipts"] for d in body["days"]] == [100 if t == 7 else 0 for t in range(56)]
    assert body["safety_stock"] == pytest.approx(Z * 3 * math.sqrt(7), abs=0.01)
    assert body["reorder_point"] == pytest.approx(70 + Z * 3 * math.sqrt(7), abs=0.01)
    assert body["order_up_to"] == pytest.approx(140 + Z * 3 * math.sqrt(14), abs=0.01)
    assert body["stockout_on"] == (TODAY + timedelta(days=6)).isoformat()
    assert [o["number"] for o in body["on_order_lines"]] == [order.number]
    warning = client.get("/api/v1/replenishment/warnings", headers=headers).get_json()["warnings"][0]
    assert (warning["stockout_on"], warning["qty_short"], warning["days_of_cover"]) == (
        body["stockout_on"], body["qty_short"], float(body["days_of_cover"]))   # the plan's own figures


def test_the_api_names_a_missing_or_unknown_field(client, world):  # type: ignore[no-untyped-def]
    _main, _bolt, _order, _viewer, headers = world
    missing = client.get(f"{API}?sku=BOLT", headers=headers)
    assert missing.status_code == 422 and set(missing.get_json()["field_errors"]) == {"warehouse"}
    assert client.get(API, headers=headers).get_json()["field_errors"].keys() == {"sku", "warehouse"}
    assert client.get(f"{API}?sku=NOPE&warehouse=MAIN", headers=headers).status_code == 404
    assert client.get(f"{API}?sku=BOLT&warehouse=NOPE", headers=headers).status_code == 404


def test_a_pair_without_forecast_has_no_projection(client, session, world):  # type: ignore[no-untyped-def]
    _main, _bolt, _order, _viewer, headers = world
    f.warehouse(session, "WEST")
    session.commit()
    response = client.get(f"{API}?sku=BOLT&warehouse=WEST", headers=headers)
    assert response.status_code == 404 and "no forecast" in response.get_json()["message"]


def test_the_planning_page_draws_the_projection_and_shows_its_figures(client, session, world):  # type: ignore[no-untyped-def]
    main, bolt, order, viewer, headers = world
    body = client.get(f"{API}?sku=BOLT&warehouse=MAIN", headers=headers).get_json()
    f.login(client, session, viewer)
    page = parse(client.get(f"/planning/forecast/{bolt.id}/{main.id}").get_data(as_text=True))
    (section,) = page.xpath("//section[@id='projection']")
    (svg,) = section.xpath(".//*[local-name()='svg']")
    (line,) = svg.xpath(".//*[local-name()='polyline'][@class='chart-projected']")
    assert line.get("data-days") == "56" and len(line.get("points").split()) == 56
    (marker,) = svg.xpath(".//*[local-name()='circle'][@class='chart-receipt']")
    assert marker.get("data-date") == (TODAY + timedelta(days=7)).isoformat() and order.number in marker.text_content()
    levels = {el.get("data-level"): float(el.get("data-value")) for el in svg.xpath(".//*[@data-level]")}
    assert levels == {"safety": body["safety_stock"], "rop": body["reorder_point"], "upto": body["order_up_to"]}
    (stockout,) = svg.xpath(".//*[@class='chart-stockout']")
    assert stockout.get("data-date") == body["stockout_on"]
    shown = figures(section)
    assert shown["stockout_on"] == body["stockout_on"] and shows(shown["qty_short"], body["qty_short"])
    assert shows(shown["days_of_cover"], body["days_of_cover"]) and shows(shown["position"], 160)
    assert shows(shown["order_up_to"], body["order_up_to"]) and shows(shown["on_order"], 100)
    table = {td.get("data-day"): number(td.text_content()) for td in section.xpath(".//td[@data-day]")}
    assert [table[(TODAY + timedelta(days=t)).isoformat()] for t in range(56)] == [Decimal(hand(t)) for t in range(56)]
