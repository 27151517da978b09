"""Planning pages: runs with accuracy lists, one forecast explained with its chart, promotions."""
from __future__ import annotations

import html

from sqlalchemy import func, select

from scm.models import AuditEntry, Promotion
from tests import factories as f


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def test_planning_page_lists_runs_and_worst_forecasts(client, session, login_as):
    item, east = f.item(session, "PLAN-1", name="Planned widget"), f.warehouse(session, "WH-EAST")
    f.forecast(session, item, east)
    login_as("viewer")
    page = text(client.get("/planning/"))
    assert "Forecast runs" in page and "PLAN-1" in page and "0.80" in page


def test_forecast_page_explains_the_choice_with_a_chart(client, session, login_as):
    item, east = f.item(session, "PLAN-2"), f.warehouse(session, "WH-EAST")
    f.forecast(session, item, east, level=12)
    login_as("buyer")
    response = client.get(f"/planning/forecast/{item.id}/{east.id}")
    page = text(response)
    assert response.status_code == 200
    assert "<svg" in page and 'class="chart-forecast"' in page and 'class="chart-band80"' in page
    assert "Why this model" in page and "chosen" in page and "12.0" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # CSP forbids inline styles


def test_forecast_page_without_a_forecast_says_so(client, session, login_as):
    item, east = f.item(session, "PLAN-3"), f.warehouse(session, "WH-EAST")
    login_as("buyer")
    response = client.get(f"/planning/forecast/{item.id}/{east.id}")
    assert response.status_code == 404 and "run the forecast first" in text(response)


def test_find_a_forecast_by_sku(client, session, login_as):
    item, east = f.item(session, "PLAN-4"), f.warehouse(session, "WH-EAST")
    login_as("viewer")
    response = client.get(f"/planning/?sku=PLAN-4&warehouse={east.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/planning/forecast/{item.id}/{east.id}")
    assert "No item with SKU" in text(client.get(f"/planning/?sku=NOPE&warehouse={east.id}", follow_redirects=True))


def test_buyer_plans_a_promotion_and_bad_dates_are_refused(client, session, login_as):
    f.item(session, "PROMO-1")
    east = f.warehouse(session, "WH-EAST")
    login_as("buyer")
    bad = client.post("/planning/promotions", data={"sku": "PROMO-1", "warehouse_id": east.id,
                                                   "starts_on": "2026-05-10", "ends_on": "2026-05-01", "uplift": "0.3"})
    assert bad.status_code == 422 and "the last day is before the first day" in text(bad)
    unknown = client.post("/planning/promotions", data={"sku": "NOPE", "warehouse_id": east.id,
                                                       "starts_on": "2026-05-01", "ends_on": "2026-05-10", "uplift": "0.3"})
    assert unknown.status_code == 422 and "no item with SKU" in text(unknown)
    assert session.scalar(select(func.count()).select_from(Promotion)) == 0
    good = client.post("/planning/promotions", data={"sku": "PROMO-1", "warehouse_id": east.id,
                                                    "starts_on": "2026-05-01", "ends_on": "2026-05-10", "uplift": "0.3"})
    assert good.status_code == 302
    assert session.scalar(select(func.count()).select_from(Promotion)) == 1
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.entity_type == "promotion")) == "promotion.create"
