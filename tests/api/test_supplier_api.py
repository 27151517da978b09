"""Suppliers, catalog entries, scorecards and the sourcing check over /api/v1, with real bearer tokens."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scm.models import AuditEntry, utcnow
from scm.services.suppliers import scorecards
from tests import factories as f
from tests.supplier_factories import delivery, entry


@pytest.fixture
def api(client, session):  # type: ignore[no-untyped-def]
    """api('buyer').get('/suppliers'): calls as a new user of that role."""

    class Caller:
        def __init__(self, role: str) -> None:
            self.headers = {"Authorization": f"Bearer {f.api_token(session, f.user(session, role))}"}

        def __getattr__(self, method: str):  # type: ignore[no-untyped-def]
            def call(path: str, **kw):  # type: ignore[no-untyped-def]
                return client.open("/api/v1" + path, method=method.upper(), headers=self.headers, **kw)
            return call

    return Caller


def test_create_read_update_a_supplier(api, session):
    buyer = api("buyer")
    created = buyer.post("/suppliers", json={"code": "acme", "name": "Acme", "currency": "EUR"})
    assert created.status_code == 201
    supplier_id = created.json["id"]
    assert (created.json["code"], created.json["currency"], created.json["status"]) == ("ACME", "EUR", "active")
    bad = buyer.patch(f"/suppliers/{supplier_id}", json={"status": "blocked"})
    assert bad.status_code == 422 and bad.json["field_errors"] == {"status_reason": ["say why the supplier is blocked"]}
    blocked = buyer.patch(f"/suppliers/{supplier_id}", json={"status": "blocked", "status_reason": "audit"})
    assert blocked.status_code == 200 and blocked.json["status_since"] == utcnow().date().isoformat()
    viewer = api("viewer")
    detail = viewer.get(f"/suppliers/{supplier_id}")
    assert detail.status_code == 200 and detail.json["contacts"] == [] and detail.json["standing"] is None
    assert viewer.get("/suppliers?status=blocked").json["total"] == 1
    assert viewer.get("/suppliers/999999").status_code == 404
    assert session.scalar(select(AuditEntry.via).where(AuditEntry.action == "supplier.update")) == "api"


def test_catalog_entries_by_supplier_or_item_with_price_breaks(api, session):
    acme, globex = f.supplier(session, "ACME"), f.supplier(session, "GLOBEX")
    f.item(session, "BOLT")
    session.commit()
    buyer = api("buyer")
    created = buyer.post("/catalog", json={
        "supplier": "ACME", "sku": "BOLT", "role": "primary", "capacity_per_week": "500", "lead_time_days": 7,
        "moq": "10", "order_multiple": "5",
        "price_breaks": [{"min_qty": "0", "unit_price": "2.50"}, {"min_qty": "100", "unit_price": "2.25"}]})
    assert created.status_code == 201, created.json
    assert [b["unit_price"] for b in created.json["price_breaks"]] == ["2.5000", "2.2500"]
    assert created.json["price_breaks"][0]["currency"] == "USD"  # the supplier's currency by default
    refused = buyer.post("/catalog", json={"supplier": "GLOBEX", "sku": "BOLT", "role": "primary",
                                           "capacity_per_week": "10", "lead_time_days": 3})
    assert refused.status_code == 422 and "already has a primary supplier (ACME)" in refused.json["field_errors"]["role"][0]
    unknown = buyer.post("/catalog", json={"supplier": "NOPE", "sku": "GHOST", "capacity_per_week": "1"})
    assert unknown.json["field_errors"] == {"supplier": ["no such supplier"], "sku": ["no item with SKU 'GHOST'"]}
    buyer.post("/catalog", json={"supplier_id": globex.id, "sku": "BOLT", "role": "backup", "capacity_per_week": "300",
                                 "lead_time_days": 9})
    viewer = api("viewer")
    assert [e["supplier"] for e in viewer.get("/catalog?sku=BOLT").json["entries"]] == ["ACME", "GLOBEX"]
    assert [e["sku"] for e in viewer.get(f"/catalog?supplier_id={acme.id}").json["entries"]] == ["BOLT"]
    assert viewer.get("/catalog?supplier=NOPE").status_code == 404
    changed = buyer.patch(f"/catalog/{created.json['id']}", json={"price_breaks": [{"min_qty": 0, "unit_price": "2"}],
                                                                 "supplier": "GLOBEX"})
    assert changed.status_code == 200 and changed.json["supplier"] == "ACME"  # an entry never changes hands
    assert [b["unit_price"] for b in changed.json["price_breaks"]] == ["2.0000"]


def test_scorecards_latest_and_history_with_no_activity(api, session):
    acme, item = f.supplier(session, "ACME"), f.item(session, "BOLT")
    f.supplier(session, "IDLE")
    delivery(session, acme, item, ordered=date(2026, 2, 1), promised=date(2026, 2, 8), received=date(2026, 2, 10))
    scorecards.refresh(session, date(2026, 3, 15))
    session.commit()
    viewer = api("viewer")
    latest = viewer.get("/scorecards")
    assert latest.status_code == 200 and latest.json["period_start"] == "2026-02-01"
    rows = {r["supplier"]: r for r in latest.json["scorecards"]}
    assert rows["ACME"]["on_time"] == "0.00" and rows["ACME"]["no_activity"] is False
    assert rows["IDLE"]["overall"] is None and rows["IDLE"]["no_activity"] is True
    history = viewer.get(f"/scorecards/{acme.id}?period=quarter").json["history"]
    assert [h["label"] for h in history][-2:] == ["2025-Q4", "2026-Q1"] and history[-2]["no_activity"] is True
    assert viewer.get("/scorecards?period=year").status_code == 422


def test_sourcing_violations_and_choose(api, session):
    acme = f.supplier(session, "ACME")
    core = f.item(session, "CORE-1", is_core=True)
    entry(session, acme, core, "primary", 100, lead=3, moq=25, multiple=25,
          breaks=[{"min_qty": 0, "unit_price": "4.00"}, {"min_qty": 50, "unit_price": "3.50"}])
    session.commit()
    viewer = api("viewer")
    found = viewer.get("/sourcing/violations").json
    assert found["total"] == 1 and found["violations"][0]["reasons"] == ["no_backup"]
    need_by = (utcnow().date() + timedelta(days=21)).isoformat()
    choice = viewer.post("/sourcing/choose", json={"sku": "CORE-1", "quantity": "30", "need_by": need_by})
    assert choice.status_code == 200, choice.json
    (line,) = choice.json["lines"]
    assert (line["supplier"], line["quantity"], line["unit_price"], line["late"]) == ("ACME", "50.000", "3.5000", False)
    assert viewer.post("/sourcing/choose", json={"sku": "CORE-1", "quantity": "x", "need_by": need_by}).status_code == 422
    assert viewer.post("/sourcing/choose", json={"sku": "CORE-1", "quantity": "1", "need_by": "soon"}).status_code == 422


def test_supplier_tokens_are_refused_everywhere_here(api, session):
    acme = f.supplier(session, "ACME")
    session.commit()
    supplier = api("supplier")
    for method, path in (("get", "/suppliers"), ("get", f"/suppliers/{acme.id}"), ("get", "/catalog"),
                         ("get", "/scorecards"), ("get", f"/scorecards/{acme.id}"), ("get", "/sourcing/violations"),
                         ("post", "/sourcing/choose"), ("post", "/suppliers"), ("patch", f"/suppliers/{acme.id}")):
        response = getattr(supplier, method)(path, json={} if method != "get" else None)
        assert response.status_code == 403 and response.json["error"] == "forbidden", (method, path)
