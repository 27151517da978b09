"""The JSON API under /api/v1: tokens, items, warehouses, balances, stock moves, idempotency, feeds.

Every request here goes through the real Flask test client with a real bearer token. The test's own
session commits before each request: on SQLite every transaction takes the write lock at BEGIN.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import AuditEntry, IdempotencyKey, Item, StockMove, Warehouse
from scm.services.stock import ledger as stock_ledger
from tests import factories as f


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_for(session):  # type: ignore[no-untyped-def]
    """token_for('buyer') -> the clear API token of a new user of that role (committed)."""

    def make(role: str) -> str:
        return f.api_token(session, f.user(session, role))

    return make


@pytest.fixture
def api(client, token_for):  # type: ignore[no-untyped-def]
    """Call the API as one role: api('admin').get('/items')."""

    class Caller:
        def __init__(self, role: str) -> None:
            self.headers = bearer(token_for(role))

        def get(self, path: str, **kw):  # type: ignore[no-untyped-def]
            return client.get("/api/v1" + path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

        def post(self, path: str, **kw):  # type: ignore[no-untyped-def]
            return client.post("/api/v1" + path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

        def patch(self, path: str, **kw):  # type: ignore[no-untyped-def]
            return client.patch("/api/v1" + path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    return Caller


@pytest.fixture
def stocked(session):  # type: ignore[no-untyped-def]
    """BOLT-M8 with 10 on hand in WH-EAST (3 reserved) and nothing in WH-WEST."""
    item = f.item(session, "BOLT-M8", name="Hex bolt M8")
    east, west = f.warehouse(session, "WH-EAST"), f.warehouse(session, "WH-WEST")
    f.stock(session, item, east, 10)
    stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=Decimal(3), reference="SO-1",
                         actor=f.actor())
    session.commit()
    return item, east, west


def move_count(session) -> int:  # type: ignore[no-untyped-def]
    n = session.scalar(select(func.count()).select_from(StockMove))
    session.rollback()  # release the SQLite write lock before the next request
    return n


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer scm_not-a-real-token"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
], ids=["none", "empty", "unknown", "basic"])
def test_without_a_valid_token_the_api_answers_401_json(client, session, headers):
    f.item(session)
    session.commit()
    response = client.get("/api/v1/items", headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_users_token_is_refused(client, session):
    user = f.user(session, "buyer")
    token = f.api_token(session, user)
    assert client.get("/api/v1/items", headers=bearer(token)).status_code == 200
    user.active = False
    session.commit()
    response = client.get("/api/v1/items", headers=bearer(token))
    assert response.status_code == 401 and response.json["error"] == "unauthorized"


def test_unknown_api_path_and_wrong_method_answer_json_not_html(api):
    viewer = api("viewer")
    missing = viewer.get("/no-such-thing")
    assert missing.status_code == 404 and missing.is_json and missing.json["error"] == "not_found"
    wrong = viewer.post("/stock/balances", json={})
    assert wrong.status_code == 405 and wrong.is_json


# ---------------------------------------------------------------- items


def test_items_list_searches_and_pages(api, session):
    for n in range(7):
        f.item(session, f"PAGE-{n:02d}", name=f"Paged thing {n}")
    f.item(session, "OTHER-1", name="Washer")
    session.commit()
    viewer = api("viewer")
    body = viewer.get("/items", query_string={"q": "page-", "per_page": 3, "page": 3}).json
    assert body["total"] == 7 and body["page"] == 3 and body["per_page"] == 3
    assert [i["sku"] for i in body["items"]] == ["PAGE-06"]
    assert [i["sku"] for i in viewer.get("/items", query_string={"q": "washer"}).json["items"]] == ["OTHER-1"]
    bad = viewer.get("/items", query_string={"page": "two"})
    assert bad.status_code == 422 and "page" in bad.json["field_errors"]


def test_item_get_and_missing_item(api, session):
    item = f.item(session, "GET-ME", name="Gettable", unit_cost=Decimal("1.2345"))
    session.commit()
    viewer = api("viewer")
    response = viewer.get(f"/items/{item.id}")
    assert response.status_code == 200
    assert response.json == {"id": item.id, "sku": "GET-ME", "name": "Gettable", "uom": "ea", "category": "",
                             "unit_cost": "1.2345", "abc_class": "C", "is_core": False, "active": True}
    missing = viewer.get("/items/999999")
    assert missing.status_code == 404 and missing.is_json
    assert missing.json["error"] == "not_found" and "999999" in missing.json["message"]


def test_item_create_returns_201_and_is_stored_and_audited_via_api(api, session):
    response = api("buyer").post("/items", json={"sku": "NEW-1", "name": "New thing", "unit_cost": "4.5",
                                                 "abc_class": "a", "uom": "box"})
    assert response.status_code == 201, response.json
    assert response.json["sku"] == "NEW-1" and response.json["abc_class"] == "A"
    assert response.json["unit_cost"] == "4.5000"
    item = session.get(Item, response.json["id"])
    assert item.name == "New thing" and item.uom == "box"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "item",
                                                    AuditEntry.entity_id == str(item.id)))
    assert entry.action == "item.create" and entry.via == "api"
    assert entry.actor_label.startswith("buyer") and entry.after["sku"] == "NEW-1"


@pytest.mark.parametrize("body, field", [
    ({"sku": "X-1"}, "name"),
    ({"sku": "X-1", "name": "Thing", "unit_cost": "-1"}, "unit_cost"),
    ({"sku": "X-1", "name": "Thing", "unit_cost": "abc"}, "unit_cost"),
    ({"sku": "X-1", "name": "Thing", "abc_class": "D"}, "abc_class"),
    ({"sku": "X-1", "name": "Thing", "uom": "parsec"}, "uom"),
    ({"sku": "has space", "name": "Thing"}, "sku"),
], ids=["missing-name", "negative-cost", "text-cost", "unknown-abc", "unknown-uom", "bad-sku"])
def test_item_create_rejects_bad_input_with_field_errors(api, session, body, field):
    response = api("admin").post("/items", json=body)
    assert response.status_code == 422
    assert response.json["error"] == "validation_failed"
    assert field in response.json["field_errors"], response.json
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_item_create_refuses_a_duplicate_sku_case_insensitively(api, session):
    f.item(session, "DUP-1")
    session.commit()
    response = api("buyer").post("/items", json={"sku": "dup-1", "name": "Again"})
    assert response.status_code == 422
    assert response.json["field_errors"]["sku"] == ["SKU dup-1 already exists"]


def test_item_patch_changes_only_given_fields_and_audits_the_change(api, session):
    item = f.item(session, "PATCH-1", name="Old name", unit_cost=Decimal("3"))
    session.commit()
    response = api("buyer").patch(f"/items/{item.id}", json={"name": "New name"})
    assert response.status_code == 200, response.json
    assert response.json["name"] == "New name" and response.json["unit_cost"] == "3.0000"
    assert response.json["sku"] == "PATCH-1"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "item.update"))
    assert entry.via == "api" and entry.before == {"name": "Old name"} and entry.after == {"name": "New name"}


def test_item_patch_bad_value_and_missing_item(api, session):
    item = f.item(session, "PATCH-2", unit_cost=Decimal("3"))
    session.commit()
    buyer = api("buyer")
    bad = buyer.patch(f"/items/{item.id}", json={"unit_cost": "-0.01"})
    assert bad.status_code == 422 and "unit_cost" in bad.json["field_errors"]
    session.expire_all()
    assert session.get(Item, item.id).unit_cost == Decimal("3")
    session.rollback()
    missing = buyer.patch("/items/424242", json={"name": "x"})
    assert missing.status_code == 404 and missing.json["error"] == "not_found"


# ---------------------------------------------------------------- warehouses


def test_warehouses_list_get_create_patch(api, session):
    admin = api("admin")
    created = admin.post("/warehouses", json={"code": "wh-north", "name": "North", "latitude": 52.5,
                                               "longitude": 13.4})
    assert created.status_code == 201, created.json
    assert created.json["code"] == "WH-NORTH" and created.json["latitude"] == 52.5
    wid = created.json["id"]
    assert [w["code"] for w in admin.get("/warehouses").json["warehouses"]] == ["WH-NORTH"]
    assert admin.get(f"/warehouses/{wid}").json["name"] == "North"
    patched = admin.patch(f"/warehouses/{wid}", json={"name": "North DC"})
    assert patched.status_code == 200 and patched.json["name"] == "North DC"
    assert patched.json["latitude"] == 52.5
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "warehouse")
                              .order_by(AuditEntry.id)).all()
    assert [(e.action, e.via) for e in entries] == [("warehouse.create", "api"), ("warehouse.update", "api")]
    assert entries[1].after == {"name": "North DC"}


@pytest.mark.parametrize("body, field", [
    ({"code": "WH-X", "name": "X", "latitude": 95, "longitude": 10}, "latitude"),
    ({"code": "WH-X", "name": "X", "latitude": 10, "longitude": -181}, "longitude"),
    ({"code": "WH-X", "name": "X", "latitude": 10}, "longitude"),
    ({"name": "X"}, "code"),
], ids=["lat-95", "lon-181", "half-pair", "no-code"])
def test_warehouse_create_validates(api, session, body, field):
    response = api("admin").post("/warehouses", json=body)
    assert response.status_code == 422 and field in response.json["field_errors"], response.json
    assert session.scalar(select(func.count()).select_from(Warehouse)) == 0


def test_warehouse_writes_are_admin_only(api, session):
    wh = f.warehouse(session, "WH-KEEP", name="Keep")
    session.commit()
    buyer = api("buyer")
    assert buyer.get("/warehouses").status_code == 200
    for response in (buyer.post("/warehouses", json={"code": "WH-B", "name": "B"}),
                     buyer.patch(f"/warehouses/{wh.id}", json={"name": "Hijacked"})):
        assert response.status_code == 403 and response.is_json
        assert response.json["error"] == "forbidden"
    session.expire_all()
    assert session.get(Warehouse, wh.id).name == "Keep"
    assert session.scalar(select(func.count()).select_from(Warehouse)) == 1


def test_missing_warehouse_is_404_json(api):
    response = api("viewer").get("/warehouses/31337")
    assert response.status_code == 404 and response.json["error"] == "not_found"


# ---------------------------------------------------------------- balances


def test_balances_filter_by_sku_and_warehouse_code(api, session, stocked):
    item, east, west = stocked
    other = f.item(session, "NUT-M8")
    f.stock(session, other, west, 4)
    f.stock(session, other, east, 1)
    session.commit()
    viewer = api("viewer")
    rows = viewer.get("/stock/balances", query_string={"sku": "BOLT-M8"}).json["balances"]
    assert rows == [{"item_id": item.id, "sku": "BOLT-M8", "warehouse_id": east.id, "warehouse": "WH-EAST",
                     "on_hand": "10.000", "reserved": "3.000", "available": "7.000"}]
    rows = viewer.get("/stock/balances", query_string={"warehouse": "wh-west"}).json["balances"]
    assert [(r["sku"], r["on_hand"]) for r in rows] == [("NUT-M8", "4.000")]
    rows = viewer.get("/stock/balances", query_string={"sku": "NUT-M8", "warehouse": "WH-EAST"}).json["balances"]
    assert [(r["sku"], r["warehouse"], r["on_hand"]) for r in rows] == [("NUT-M8", "WH-EAST", "1.000")]
    assert len(viewer.get("/stock/balances").json["balances"]) == 3
    unknown = viewer.get("/stock/balances", query_string={"sku": "NOPE"})
    assert unknown.status_code == 404 and unknown.json["error"] == "not_found"


# ---------------------------------------------------------------- posting moves


def test_post_receipt(api, session, stocked):
    response = api("warehouse").post("/stock/moves", json={"kind": "receipt", "sku": "BOLT-M8",
                                                           "warehouse": "WH-WEST", "quantity": "5",
                                                           "unit_cost": "2.10"})
    assert response.status_code == 201, response.json
    [move] = response.json["moves"]
    assert (move["kind"], move["sku"], move["warehouse"]) == ("receipt", "BOLT-M8", "WH-WEST")
    assert (move["qty_delta"], move["balance_after"]) == ("5.000", "5.000")
    assert stock_ledger.ledger_check(session) == []
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "stock.receive",
                                                    AuditEntry.entity_id == str(move["id"])))
    assert entry.via == "api"


def test_post_issue_within_available(api, session, stocked):
    response = api("warehouse").post("/stock/moves", json={"kind": "issue", "sku": "BOLT-M8",
                                                           "warehouse": "WH-EAST", "quantity": 7,
                                                           "reason": "sale"})
    assert response.status_code == 201, response.json
    [move] = response.json["moves"]
    assert (move["qty_delta"], move["balance_after"], move["reason"]) == ("-7.000", "3.000", "sale")


def test_post_issue_beyond_available_is_409_with_the_numbers(api, session, stocked):
    before = move_count(session)
    response = api("warehouse").post("/stock/moves", json={"kind": "issue", "sku": "BOLT-M8",
                                                           "warehouse": "WH-EAST", "quantity": 12})
    assert response.status_code == 409
    body = response.json
    assert body["error"] == "insufficient_stock"
    assert (body["on_hand"], body["reserved"], body["short_by"]) == ("10", "3", "5")
    assert body["message"] == "only 10 on hand in WH-EAST, 3 reserved (asked for 12 of BOLT-M8, 7 available)"
    assert move_count(session) == before
    assert stock_ledger.ledger_check(session) == []


def test_post_adjustment_is_signed_and_needs_a_reason(api, session, stocked):
    wh = api("warehouse")
    down = wh.post("/stock/moves", json={"kind": "adjustment", "sku": "BOLT-M8", "warehouse": "WH-EAST",
                                         "quantity": "-2", "reason": "damaged"})
    assert down.status_code == 201, down.json
    assert Decimal(down.json["moves"][0]["qty_delta"]) == -2 and down.json["moves"][0]["balance_after"] == "8.000"
    up = wh.post("/stock/moves", json={"kind": "adjustment", "sku": "BOLT-M8", "warehouse": "WH-EAST",
                                       "quantity": 1, "reason": "found"})
    assert up.status_code == 201 and up.json["moves"][0]["balance_after"] == "9.000"
    no_reason = wh.post("/stock/moves", json={"kind": "adjustment", "sku": "BOLT-M8", "warehouse": "WH-EAST",
                                              "quantity": 1})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["field_errors"]
    below_reserved = wh.post("/stock/moves", json={"kind": "adjustment", "sku": "BOLT-M8",
                                                   "warehouse": "WH-EAST", "quantity": -7, "reason": "lost"})
    assert below_reserved.status_code == 409 and below_reserved.json["error"] == "insufficient_stock"
    assert stock_ledger.ledger_check(session) == []


def test_adjustment_response_matches_the_feed(api, session, stocked):
    wh = api("warehouse")
    posted = wh.post("/stock/moves", json={"kind": "adjustment", "sku": "BOLT-M8", "warehouse": "WH-EAST",
                                           "quantity": "-2", "reason": "damaged"}).json["moves"][0]
    [fed] = [m for m in wh.get("/stock/moves").json["moves"] if m["id"] == posted["id"]]
    assert posted == fed


def test_post_transfer_posts_two_moves(api, session, stocked):
    response = api("admin").post("/stock/moves", json={"kind": "transfer", "sku": "BOLT-M8",
                                                       "warehouse": "WH-EAST", "to_warehouse": "WH-WEST",
                                                       "quantity": 4})
    assert response.status_code == 201, response.json
    moves = response.json["moves"]
    assert [(m["kind"], m["warehouse"], m["qty_delta"], m["balance_after"]) for m in moves] == [
        ("transfer_out", "WH-EAST", "-4.000", "6.000"), ("transfer_in", "WH-WEST", "4.000", "4.000")]
    assert moves[0]["source_type"] == "transfer" and moves[0]["source_id"] == moves[1]["source_id"]
    assert move_count(session) == 3
    assert stock_ledger.ledger_check(session) == []


@pytest.mark.parametrize("body, field", [
    ({"kind": "gift", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": 1}, "kind"),
    ({"kind": "receipt", "sku": "NOPE", "warehouse": "WH-EAST", "quantity": 1}, "sku"),
    ({"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-NOWHERE", "quantity": 1}, "warehouse"),
    ({"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-EAST"}, "quantity"),
    ({"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": "lots"}, "quantity"),
    ({"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": -1}, "quantity"),
    ({"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": "NaN"}, "quantity"),
    ({"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": "1.0001"}, "quantity"),
    ({"kind": "transfer", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": 1}, "to_warehouse"),
    ({"kind": "issue", "sku": "BOLT-M8", "warehouse": "WH-EAST", "quantity": 1, "reason": "theft"}, "reason"),
], ids=["kind", "sku", "warehouse", "no-qty", "text-qty", "negative", "nan", "4-places", "no-target",
        "bad-reason"])
def test_post_move_rejects_bad_requests_with_field_errors(api, session, stocked, body, field):
    before = move_count(session)
    response = api("warehouse").post("/stock/moves", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["field_errors"], response.json
    assert move_count(session) == before


@pytest.mark.parametrize("kwargs", [
    {"data": "kind=receipt&sku=BOLT-M8", "content_type": "application/x-www-form-urlencoded"},
    {"data": "{not json", "content_type": "application/json"},
    {"data": "[1, 2]", "content_type": "application/json"},
    {"data": "", "content_type": "text/plain"},
], ids=["form", "broken-json", "json-array", "empty"])
def test_a_body_that_is_not_a_json_object_gets_a_json_error(api, session, stocked, kwargs):
    response = api("warehouse").post("/stock/moves", **kwargs)
    assert response.status_code in (400, 422)
    assert response.is_json and "error" in response.json
    assert b"<html" not in response.data.lower()
    assert move_count(session) == 1


# ---------------------------------------------------------------- idempotency


def test_same_idempotency_key_twice_returns_the_first_response_and_posts_once(api, session, stocked):
    wh = api("warehouse")
    body = {"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-WEST", "quantity": 2}
    first = wh.post("/stock/moves", json=body, headers={"Idempotency-Key": "rcpt-0001"})
    second = wh.post("/stock/moves", json=body, headers={"Idempotency-Key": "rcpt-0001"})
    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert move_count(session) == 2  # the fixture's receipt and this one
    other = wh.post("/stock/moves", json=body, headers={"Idempotency-Key": "rcpt-0002"})
    assert other.status_code == 201 and other.json["moves"][0]["balance_after"] == "4.000"
    assert move_count(session) == 3


def test_same_idempotency_key_with_another_body_is_refused(api, session, stocked):
    wh = api("warehouse")
    base = {"kind": "receipt", "sku": "BOLT-M8", "warehouse": "WH-WEST", "quantity": 2}
    assert wh.post("/stock/moves", json=base, headers={"Idempotency-Key": "k-1"}).status_code == 201
    response = wh.post("/stock/moves", json={**base, "quantity": 3}, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["field_errors"]
    assert move_count(session) == 2


def test_a_failed_post_does_not_burn_its_idempotency_key(api, session, stocked):
    wh = api("warehouse")
    body = {"kind": "issue", "sku": "BOLT-M8", "warehouse": "WH-WEST", "quantity": 1}
    assert wh.post("/stock/moves", json=body, headers={"Idempotency-Key": "retry-me"}).status_code == 409
    assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    session.rollback()
    f.stock(session, stocked[0], stocked[2], 1)
    session.commit()
    again = wh.post("/stock/moves", json=body, headers={"Idempotency-Key": "retry-me"})
    assert again.status_code == 201, again.json


def test_overlong_idempotency_key_is_422(api, stocked):
    response = api("warehouse").post("/stock/moves", json={"kind": "receipt", "sku": "BOLT-M8",
                                                           "warehouse": "WH-WEST", "quantity": 1},
                                     headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422 and "Idempotency-Key" in response.json["field_errors"]


# ---------------------------------------------------------------- the move feed


def test_move_feed_pages_by_after_id_in_id_order(api, session):
    item, wh = f.item(session, "FEED-1"), f.warehouse(session, "WH-FEED")
    for qty in range(1, 6):
        f.stock(session, item, wh, qty)
    session.commit()
    expected = list(session.scalars(select(StockMove.id).order_by(StockMove.id)))
    session.rollback()
    viewer = api("viewer")
    seen, after_id = [], None
    for _ in range(4):
        query = {"per_page": 2, **({"after_id": after_id} if after_id is not None else {})}
        body = viewer.get("/stock/moves", query_string=query).json
        ids = [m["id"] for m in body["moves"]]
        assert len(ids) <= 2
        if ids:
            assert body["next_after_id"] == ids[-1]
        else:
            assert body["next_after_id"] == after_id
        seen += ids
        after_id = body["next_after_id"]
    assert seen == expected  # every move once, ascending
    assert [m["balance_after"] for m in viewer.get("/stock/moves", query_string={"sku": "FEED-1"})
            .json["moves"]] == ["1.000", "3.000", "6.000", "10.000", "15.000"]


def test_move_feed_filters_kind_and_since(api, session, stocked):
    viewer = api("viewer")
    assert viewer.get("/stock/moves", query_string={"kind": "issue"}).json["moves"] == []
    assert len(viewer.get("/stock/moves", query_string={"since": "2000-01-01T00:00:00+00:00"})
               .json["moves"]) == 1
    assert viewer.get("/stock/moves", query_string={"since": "2999-01-01T00:00:00Z"}).json["moves"] == []


@pytest.mark.parametrize("since", ["yesterday", "2024-13-01T00:00:00+00:00", "2024-01-01T00:00:00"],
                         ids=["word", "month-13", "no-zone"])
def test_move_feed_rejects_malformed_since(api, since):
    response = api("viewer").get("/stock/moves", query_string={"since": since})
    assert response.status_code == 422 and "since" in response.json["field_errors"]
