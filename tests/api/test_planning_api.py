"""Demand in and forecasts out over the API."""
from __future__ import annotations

from sqlalchemy import func, select

from scm.models import DemandRecord
from tests import factories as f


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_post_demand_records_and_reports_bad_rows_by_index(client, session):
    f.item(session, "API-D1")
    f.warehouse(session, "WH-EAST")
    token = f.api_token(session, f.user(session, "buyer"))
    ok = client.post("/api/v1/demand", headers=headers(token), json={"records": [
        {"sku": "API-D1", "warehouse": "WH-EAST", "date": "2025-06-02", "quantity": "4"},
        {"sku": "API-D1", "warehouse": "WH-EAST", "date": "2025-06-03", "quantity": 0, "stockout": True}]})
    assert ok.status_code == 201 and ok.get_json() == {"recorded": 2}
    bad = client.post("/api/v1/demand", headers=headers(token), json={"records": [
        {"sku": "API-D1", "warehouse": "WH-EAST", "date": "2025-06-04", "quantity": "x"}]})
    assert bad.status_code == 422
    assert bad.get_json()["field_errors"] == {"records[0].quantity": ["a number ≥ 0 with at most 3 decimals"]}
    assert session.scalar(select(func.count()).select_from(DemandRecord)) == 2
    empty = client.post("/api/v1/demand", headers=headers(token), json={"records": []})
    assert empty.status_code == 422


def test_warehouse_token_cannot_post_demand(client, session):
    token = f.api_token(session, f.user(session, "warehouse"))
    assert client.post("/api/v1/demand", headers=headers(token), json={"records": []}).status_code == 403


def test_get_forecast(client, session):
    item, east = f.item(session, "API-F1"), f.warehouse(session, "WH-EAST")
    token = f.api_token(session, f.user(session, "viewer"))
    missing = client.get("/api/v1/forecasts?sku=API-F1&warehouse=WH-EAST", headers=headers(token))
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    f.forecast(session, item, east, weeks=3)
    body = client.get("/api/v1/forecasts?sku=API-F1&warehouse=WH-EAST", headers=headers(token)).get_json()
    assert body["model"] == "ses" and len(body["periods"]) == 3
    assert body["periods"][0] == {"start": "2026-01-05", "mean": 10.0, "lo80": 8.0, "hi80": 12.0, "lo95": 6.0,
                                  "hi95": 14.0}
    assert client.get("/api/v1/forecasts?sku=API-F1", headers=headers(token)).status_code == 422
