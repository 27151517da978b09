"""The replenishment API: warnings, suggestions with their arithmetic, approving, policies; roles."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from scm.models import utcnow
from scm.services.planning import replenishment
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf

API = "/api/v1/replenishment"
TODAY = utcnow().date()


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    main = f.warehouse(session, "MAIN")
    bolt = f.item(session, "BOLT", abc_class="B")
    acme = f.supplier(session, "ACME")
    sf.entry(session, acme, bolt, "primary", 100000, lead=7)
    f.stock(session, bolt, main, 30)
    rf.daily_forecast(session, bolt, main, 10.0, sigma=3.0, start=TODAY)
    replenishment.plan(session, as_of=TODAY, actor=f.actor(), now=datetime.now(timezone.utc))
    tokens = {role: {"Authorization": f"Bearer {f.api_token(session, f.user(session, role))}"}
              for role in ("buyer", "viewer", "warehouse")}
    session.commit()
    return main, bolt, tokens


def test_warnings_and_suggestions_with_arithmetic(client, world):  # type: ignore[no-untyped-def]
    _main, _bolt, tokens = world
    body = client.get(f"{API}/warnings?severity=critical", headers=tokens["viewer"]).get_json()
    assert body["counts"]["critical"] == 1
    (warning,) = body["warnings"]
    assert (warning["sku"], warning["warehouse"], warning["qty_short"]) == ("BOLT", "MAIN", "40.000")
    assert client.get(f"{API}/warnings?severity=bad", headers=tokens["viewer"]).status_code == 422
    (suggestion,) = client.get(f"{API}/suggestions", headers=tokens["warehouse"]).get_json()["suggestions"]
    assert suggestion["supplier"] == "ACME" and suggestion["arithmetic"]["lead_time_days"] == 7
    assert {"safety_stock", "reorder_point", "order_up_to", "on_hand", "on_order"} <= set(suggestion["arithmetic"])


def test_approve_creates_a_draft_and_only_buyers_may(client, world):  # type: ignore[no-untyped-def]
    _main, _bolt, tokens = world
    (suggestion,) = client.get(f"{API}/suggestions", headers=tokens["buyer"]).get_json()["suggestions"]
    assert client.post(f"{API}/suggestions/approve", json={"ids": [suggestion["id"]]},
                       headers=tokens["viewer"]).status_code == 403
    response = client.post(f"{API}/suggestions/approve", json={"ids": [suggestion["id"]]}, headers=tokens["buyer"])
    assert response.status_code == 201
    (order,) = response.get_json()["orders"]
    assert order["status"] == "draft"
    again = client.post(f"{API}/suggestions/approve", json={"ids": [suggestion["id"]]}, headers=tokens["buyer"])
    assert again.status_code == 409  # already approved


def test_policy_get_and_put(client, world):  # type: ignore[no-untyped-def]
    main, bolt, tokens = world
    url = f"{API}/policies/{bolt.id}/{main.id}"
    assert client.get(url, headers=tokens["viewer"]).get_json()["service_level"] == "95"
    bad = client.put(url, json={"review_period_days": 0}, headers=tokens["buyer"])
    assert bad.status_code == 422 and "review_period_days" in bad.get_json()["field_errors"]
    saved = client.put(url, json={"service_level": "99", "auto_order": True}, headers=tokens["buyer"]).get_json()
    assert (saved["service_level"], saved["auto_order"], saved["stored"]) == ("99", True, True)
    assert client.put(url, json={}, headers=tokens["warehouse"]).status_code == 403
    assert client.get(f"{API}/policies/999999/{main.id}", headers=tokens["viewer"]).status_code == 404
