"""The purchasing API: orders (create with Idempotency-Key, list, get, every transition legal and
illegal), receipts, role checks, and the supplier portal API with two suppliers proving no
cross-supplier read or write on any portal route (lists, details, the workbook, confirm, reject).
"""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from scm.models import PurchaseOrder, StockBalance, utcnow
from tests import factories as f

API = "/api/v1"


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    """Two suppliers (A and B) with a catalog each, one warehouse, and tokens for every role."""
    wh = f.warehouse(session, "WH-API")
    sup_a, sup_b = f.supplier(session, "SUP-A"), f.supplier(session, "SUP-B")
    item_a, item_b = f.item(session, "PO-A-1"), f.item(session, "PO-B-1")
    f.catalog(session, sup_a, item_a, moq="10", multiple="5")
    f.catalog(session, sup_b, item_b)
    users = {role: f.user(session, role) for role in ("admin", "buyer", "warehouse", "viewer")}
    users["supplier_a"] = f.user(session, "supplier", supplier_id=sup_a.id)
    users["supplier_b"] = f.user(session, "supplier", supplier_id=sup_b.id)
    tokens = {name: {"Authorization": f"Bearer {f.api_token(session, u)}"} for name, u in users.items()}
    return {"wh": wh, "a": sup_a, "b": sup_b, "item_a": item_a, "item_b": item_b, "tokens": tokens}


def draft_body(code: str = "SUP-A", sku: str = "PO-A-1", qty: str = "20") -> dict:
    promised = (utcnow().date() + timedelta(days=30)).isoformat()
    return {"supplier": code, "warehouse": "WH-API", "currency": "USD",
            "lines": [{"sku": sku, "quantity": qty, "promised_date": promised}]}


def create(client, world, who: str = "buyer", **kw):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/purchase-orders", json=draft_body(**kw), headers=world["tokens"][who])


def act(client, world, po_id: int, action: str, who: str = "buyer", body: dict | None = None):  # type: ignore
    return client.post(f"{API}/purchase-orders/{po_id}/{action}", json=body or {}, headers=world["tokens"][who])


def sent_order(client, world, **kw) -> dict:  # type: ignore[no-untyped-def]
    po = create(client, world, **kw).json
    assert act(client, world, po["id"], "submit").json["status"] == "pending_approval"
    assert act(client, world, po["id"], "approve", "admin").json["status"] == "approved"
    sent = act(client, world, po["id"], "send").json
    assert sent["status"] == "sent"
    return sent


# ---------------------------------------------------------------- create, list, get

def test_create_draft_prices_from_catalog_and_replays_with_idempotency_key(client, session, world):
    headers = {**world["tokens"]["buyer"], "Idempotency-Key": "po-1"}
    first = client.post(f"{API}/purchase-orders", json=draft_body(), headers=headers)
    assert first.status_code == 201, first.json
    assert first.json["status"] == "draft" and first.json["number"].startswith("PO-")
    assert first.json["lines"][0]["unit_price"] == "2.0000" and first.json["total"] == "40.0000"
    assert first.json["events"][0]["to_status"] == "draft"
    again = client.post(f"{API}/purchase-orders", json=draft_body(), headers=headers)
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    assert session.scalar(select(func.count()).select_from(PurchaseOrder)) == 1
    other = client.post(f"{API}/purchase-orders", json=draft_body(qty="30"), headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["field_errors"]


def test_create_refuses_bad_input_with_field_errors(client, world):
    moq = create(client, world, qty="5")
    assert moq.status_code == 422 and "minimum order quantity" in moq.json["field_errors"]["lines[0]"][0]
    unknown = create(client, world, sku="NOPE")
    assert unknown.status_code == 422 and "NOPE" in unknown.json["field_errors"]["lines[0]"][0]
    no_supplier = create(client, world, code="ZZZ")
    assert no_supplier.status_code == 422 and "supplier" in no_supplier.json["field_errors"]
    empty = client.post(f"{API}/purchase-orders", json={"supplier": "SUP-A", "warehouse": "WH-API", "lines": []},
                        headers=world["tokens"]["buyer"])
    assert empty.status_code == 422 and "lines" in empty.json["field_errors"]


def test_list_filters_and_paginates(client, world):
    for _ in range(3):
        create(client, world)
    create(client, world, code="SUP-B", sku="PO-B-1")
    headers = world["tokens"]["viewer"]
    everything = client.get(f"{API}/purchase-orders?per_page=2", headers=headers).json
    assert everything["total"] == 4 and len(everything["orders"]) == 2
    only_b = client.get(f"{API}/purchase-orders?supplier=SUP-B", headers=headers).json
    assert [o["supplier"] for o in only_b["orders"]] == ["SUP-B"]
    assert client.get(f"{API}/purchase-orders?status=sent", headers=headers).json["total"] == 0
    assert client.get(f"{API}/purchase-orders?warehouse=WH-API&status=draft", headers=headers).json["total"] == 4
    assert client.get(f"{API}/purchase-orders?status=bogus", headers=headers).status_code == 422
    assert client.get(f"{API}/purchase-orders?warehouse=NOPE", headers=headers).status_code == 404


def test_list_has_no_n_plus_one(app, client, world):
    from sqlalchemy import event

    from scm.extensions import db
    for _ in range(6):
        create(client, world)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(client.get(f"{API}/purchase-orders", headers=world["tokens"]["viewer"]).json["orders"]) == 6
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if "FROM purchase_order_lines" in s]) == 1, statements
    assert len(statements) <= 8, statements


def test_get_has_lines_and_events_and_404(client, world):
    po = sent_order(client, world)
    got = client.get(f"{API}/purchase-orders/{po['id']}", headers=world["tokens"]["warehouse"]).json
    assert [e["to_status"] for e in got["events"]] == ["draft", "pending_approval", "approved", "sent"]
    assert got["lines"][0]["sku"] == "PO-A-1" and got["lines"][0]["open_qty"] == "20.000"
    missing = client.get(f"{API}/purchase-orders/999999", headers=world["tokens"]["viewer"])
    assert missing.status_code == 404 and missing.json["error"] == "not_found"


# ---------------------------------------------------------------- transitions

def test_each_transition_legal_then_illegal(client, world):
    po = create(client, world).json
    assert act(client, world, po["id"], "approve", "admin").status_code == 409  # draft is not pending
    assert act(client, world, po["id"], "send").status_code == 409
    assert act(client, world, po["id"], "submit").json["status"] == "pending_approval"
    assert act(client, world, po["id"], "submit").status_code == 409
    own = act(client, world, po["id"], "approve", "buyer")
    assert own.status_code == 403  # the creator may not approve (and the limit is 0)
    assert act(client, world, po["id"], "approve", "admin").json["status"] == "approved"
    assert act(client, world, po["id"], "approve", "admin").status_code == 409
    assert act(client, world, po["id"], "mark-in-transit").status_code == 409
    assert act(client, world, po["id"], "send").json["status"] == "sent"
    assert act(client, world, po["id"], "send").status_code == 409
    assert act(client, world, po["id"], "close").status_code == 409
    moved = act(client, world, po["id"], "mark-in-transit", body={"note": "left the dock"})
    assert moved.json["status"] == "in_transit" and moved.json["events"][-1]["note"] == "left the dock"
    illegal = act(client, world, po["id"], "mark-in-transit")
    assert illegal.status_code == 409 and illegal.json["error"] == "invalid_transition"
    assert act(client, world, po["id"], "frobnicate").status_code == 404


def test_cancel_needs_a_reason_and_is_refused_after_receipt(client, world):
    draft = create(client, world).json
    no_reason = act(client, world, draft["id"], "cancel")
    assert no_reason.status_code == 422 and "reason" in no_reason.json["field_errors"]
    cancelled = act(client, world, draft["id"], "cancel", body={"reason": "duplicate"})
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancel_reason"] == "duplicate"
    assert act(client, world, draft["id"], "cancel", body={"reason": "again"}).status_code == 409
    po = sent_order(client, world)
    line = po["lines"][0]["id"]
    client.post(f"{API}/purchase-orders/{po['id']}/receipts", json={"lines": [{"line_id": line, "received": "5"}]},
                headers=world["tokens"]["warehouse"])
    late = act(client, world, po["id"], "cancel", body={"reason": "too late"})
    assert late.status_code == 409


def test_receipts_partial_inspection_full_and_close(client, session, world):
    po = sent_order(client, world)
    line = po["lines"][0]["id"]
    url = f"{API}/purchase-orders/{po['id']}/receipts"
    headers = world["tokens"]["warehouse"]
    part = client.post(url, json={"lines": [{"line_id": line, "received": "10", "accepted": "8", "rejected": "2",
                                             "reason": "dented"}]}, headers=headers)
    assert part.status_code == 201, part.json
    assert part.json["order"]["status"] == "partially_received" and part.json["lines"][0]["rejected"] == "2.000"
    on_hand = session.scalar(select(StockBalance.on_hand).where(StockBalance.item_id == world["item_a"].id))
    assert on_hand == Decimal(8)
    no_reason = client.post(url, json={"lines": [{"line_id": line, "received": "1", "accepted": "0",
                                                  "rejected": "1"}]}, headers=headers)
    assert no_reason.status_code == 422 and no_reason.json["field_errors"]
    over = client.post(url, json={"lines": [{"line_id": line, "received": "50"}]}, headers=headers)
    assert over.status_code == 422
    rest = client.post(url, json={"lines": [{"line_id": line, "received": "10"}]}, headers=headers)
    assert rest.json["order"]["status"] == "received"
    assert client.post(url, json={"lines": [{"line_id": line, "received": "1"}]}, headers=headers).status_code == 409
    assert act(client, world, po["id"], "close").json["status"] == "closed"
    assert client.post(url, json={"lines": "x"}, headers=headers).status_code == 422
    assert client.post(f"{API}/purchase-orders/999999/receipts", json={"lines": []}, headers=headers).status_code == 404


def test_receipt_of_a_draft_is_409(client, world):
    po = create(client, world).json
    response = client.post(f"{API}/purchase-orders/{po['id']}/receipts",
                           json={"lines": [{"line_id": po["lines"][0]["id"], "received": "1"}]},
                           headers=world["tokens"]["admin"])
    assert response.status_code == 409


# ---------------------------------------------------------------- roles

@pytest.mark.parametrize("who, method, path, status", [
    ("viewer", "post", "/purchase-orders", 403),
    ("warehouse", "post", "/purchase-orders", 403),
    ("supplier_a", "get", "/purchase-orders", 403),
    ("supplier_a", "post", "/purchase-orders", 403),
    ("buyer", "get", "/portal/orders", 403),
    ("admin", "get", "/portal/orders.xlsx", 403),
    ("viewer", "get", "/portal/orders", 403),
])
def test_role_checks(client, world, who, method, path, status):
    response = getattr(client, method)(API + path, json={}, headers=world["tokens"][who])
    assert response.status_code == status and response.json["error"] == "forbidden"


def test_roles_on_order_routes(client, world):
    po = sent_order(client, world)
    tokens = world["tokens"]
    for who in ("viewer", "warehouse", "supplier_a"):
        assert act(client, world, po["id"], "mark-in-transit", who).status_code == 403
    assert client.get(f"{API}/purchase-orders/{po['id']}", headers=tokens["supplier_a"]).status_code == 403
    for who in ("buyer", "viewer", "supplier_a"):
        response = client.post(f"{API}/purchase-orders/{po['id']}/receipts",
                               json={"lines": [{"line_id": po["lines"][0]["id"], "received": "1"}]},
                               headers=tokens[who])
        assert response.status_code == 403, who
    for staff in ("admin", "buyer", "warehouse", "viewer"):
        for path in (f"/portal/orders/{po['id']}", f"/portal/orders/{po['id']}/confirm",
                     f"/portal/orders/{po['id']}/reject"):
            call = client.get if path.endswith(str(po["id"])) else client.post
            assert call(API + path, json={}, headers=tokens[staff]).status_code == 403, (staff, path)


# ---------------------------------------------------------------- the supplier portal API

def _workbook_numbers(data: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0]}


def test_portal_sees_only_own_sent_orders(client, world):
    mine = sent_order(client, world)
    theirs = sent_order(client, world, code="SUP-B", sku="PO-B-1")
    draft = create(client, world).json
    approved = create(client, world).json
    act(client, world, approved["id"], "submit")
    act(client, world, approved["id"], "approve", "admin")
    a = world["tokens"]["supplier_a"]
    listed = client.get(f"{API}/portal/orders", headers=a).json
    assert [o["number"] for o in listed["orders"]] == [mine["number"]] and listed["total"] == 1
    assert all("notes" not in o for o in listed["orders"])
    detail = client.get(f"{API}/portal/orders/{mine['id']}", headers=a)
    assert detail.status_code == 200 and "events" not in detail.json and "notes" not in detail.json
    for hidden in (theirs["id"], draft["id"], approved["id"], 999999):
        response = client.get(f"{API}/portal/orders/{hidden}", headers=a)
        assert response.status_code == 404 and response.json["error"] == "not_found", hidden
    workbook = client.get(f"{API}/portal/orders.xlsx", headers=a)
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    assert _workbook_numbers(workbook.data) == {mine["number"]}
    b_book = client.get(f"{API}/portal/orders.xlsx", headers=world["tokens"]["supplier_b"])
    assert _workbook_numbers(b_book.data) == {theirs["number"]}


def test_portal_writes_never_cross_suppliers(client, session, world):
    theirs = sent_order(client, world, code="SUP-B", sku="PO-B-1")
    draft_a = create(client, world).json
    a = world["tokens"]["supplier_a"]
    line = theirs["lines"][0]["id"]
    for target in (theirs["id"], draft_a["id"]):
        confirm = client.post(f"{API}/portal/orders/{target}/confirm",
                              json={"lines": [{"line_id": line, "quantity": "1"}]}, headers=a)
        reject = client.post(f"{API}/portal/orders/{target}/reject", json={"reason": "nope"}, headers=a)
        assert confirm.status_code == 404 and reject.status_code == 404, target
    session.expire_all()
    assert session.get(PurchaseOrder, theirs["id"]).status == "sent"
    assert session.get(PurchaseOrder, draft_a["id"]).status == "draft"
    assert session.get(PurchaseOrder, theirs["id"]).lines[0].confirmed_qty is None


def test_portal_confirm_partly_with_dates_then_illegal(client, world):
    po = sent_order(client, world)
    a = world["tokens"]["supplier_a"]
    line = po["lines"][0]["id"]
    later = (utcnow().date() + timedelta(days=40)).isoformat()
    too_many = client.post(f"{API}/portal/orders/{po['id']}/confirm",
                           json={"lines": [{"line_id": line, "quantity": "99"}]}, headers=a)
    assert too_many.status_code == 422 and f"lines[{line}]" in too_many.json["field_errors"]
    bad_date = client.post(f"{API}/portal/orders/{po['id']}/confirm",
                           json={"lines": [{"line_id": line, "quantity": "5", "date": "soon"}]}, headers=a)
    assert bad_date.status_code == 422
    ok = client.post(f"{API}/portal/orders/{po['id']}/confirm",
                     json={"lines": [{"line_id": line, "quantity": "15", "date": later}]}, headers=a)
    assert ok.status_code == 200 and ok.json["status"] == "partially_confirmed"
    assert ok.json["lines"][0]["confirmed_qty"] == "15.000" and ok.json["lines"][0]["confirmed_date"] == later
    again = client.post(f"{API}/portal/orders/{po['id']}/confirm", json={}, headers=a)
    assert again.status_code == 409 and again.json["error"] == "invalid_transition"
    assert client.post(f"{API}/portal/orders/{po['id']}/reject", json={"reason": "x"}, headers=a).status_code == 409


def test_portal_reject_needs_reason(client, world):
    po = sent_order(client, world)
    a = world["tokens"]["supplier_a"]
    missing = client.post(f"{API}/portal/orders/{po['id']}/reject", json={}, headers=a)
    assert missing.status_code == 422 and "reason" in missing.json["field_errors"]
    done = client.post(f"{API}/portal/orders/{po['id']}/reject", json={"reason": "no capacity"}, headers=a)
    assert done.status_code == 200 and done.json["status"] == "rejected" and done.json["reject_reason"] == "no capacity"
    full = sent_order(client, world)
    assert client.post(f"{API}/portal/orders/{full['id']}/confirm", json={}, headers=a).json["status"] == "confirmed"


def _notice(line: int, qty: str = "5", **extra) -> dict:  # type: ignore[no-untyped-def]
    today = utcnow().date()
    return {"carrier": "UPS", "tracking_number": "1Z999", "ship_date": today.isoformat(),
            "expected_arrival": (today + timedelta(days=2)).isoformat(),
            "lines": [{"line_id": line, "quantity": qty}], **extra}


def test_portal_shipping_notices_are_own_only_and_validated(client, world):
    mine = sent_order(client, world)
    theirs = sent_order(client, world, code="SUP-B", sku="PO-B-1")
    a = world["tokens"]["supplier_a"]
    line = mine["lines"][0]["id"]
    url = f"{API}/portal/orders/{mine['id']}/notices"
    assert client.post(url, json=_notice(line), headers=a).status_code == 409  # confirm first
    client.post(f"{API}/portal/orders/{mine['id']}/confirm", json={}, headers=a)
    too_many = client.post(url, json=_notice(line, "21"), headers=a)
    assert too_many.status_code == 422 and f"lines[{line}]" in too_many.json["field_errors"]
    assert client.post(url, json=_notice(line, ship_date="soon"), headers=a).status_code == 422
    assert client.post(url, json={**_notice(line), "lines": [{"line_id": "x"}]}, headers=a).status_code == 422
    created = client.post(url, json=_notice(line, "12", unit_price="0", supplier_id=world["b"].id), headers=a)
    assert created.status_code == 201 and created.json["lines"] == [{"line_id": line, "quantity": "12.000"}]
    assert [n["tracking_number"] for n in client.get(url, headers=a).json["items"]] == ["1Z999"]
    other = f"{API}/portal/orders/{theirs['id']}/notices"
    assert client.get(other, headers=a).status_code == 404
    assert client.post(other, json=_notice(theirs["lines"][0]["id"]), headers=a).status_code == 404
    assert client.get(other, headers=world["tokens"]["supplier_b"]).json["items"] == []


def test_returning_rejected_goods_over_the_api(client, session, world):
    po = sent_order(client, world)
    receipt = client.post(f"{API}/purchase-orders/{po['id']}/receipts", headers=world["tokens"]["warehouse"],
                          json={"lines": [{"line_id": po["lines"][0]["id"], "received": "10", "accepted": "6",
                                           "rejected": "4", "reason": "wet"}]}).json
    url = f"{API}/receipt-lines/{receipt['lines'][0]['id']}/return"
    first = client.post(url, json={"qty": "3", "note": "RMA 12"}, headers=world["tokens"]["buyer"])
    assert first.status_code == 200 and first.json["returned"] == "3.000"
    too_many = client.post(url, json={"qty": "2"}, headers=world["tokens"]["buyer"])
    assert too_many.status_code == 422 and "at most 1 rejected remains" in str(too_many.json)
    assert client.post(url, json={"qty": "1"}, headers=world["tokens"]["viewer"]).status_code == 403
    assert client.post(f"{API}/receipt-lines/999999/return", json={"qty": "1"},
                       headers=world["tokens"]["buyer"]).status_code == 404
    on_hand = session.scalar(select(StockBalance.on_hand).where(StockBalance.item_id == world["item_a"].id))
    assert on_hand == Decimal(6)  # a return moves no stock: rejected goods never entered it
