"""The HTML pages people use every day: item master, warehouses, stock postings, admin, dashboard.

Every stock page test ends with the ledger check: Σ moves = balance, reservations = reserved.
"""
from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import (
    AuditEntry, Item, Reservation, StockBalance, StockCount, StockMove, Transfer, User, Warehouse,
)
from scm.services.stock import masterdata, ledger as stock_ledger
from scm.services.kernel.actors import Actor
from tests import factories as f




def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def in_order(body: str, *needles: str) -> bool:
    """Whether the needles appear in the page in this order."""
    position = -1
    for needle in needles:
        position = body.find(needle, position + 1)
        if position < 0:
            return False
    return True


def balance(session, item, warehouse) -> tuple[Decimal, Decimal]:  # type: ignore[no-untyped-def]
    row = session.execute(select(StockBalance.on_hand, StockBalance.reserved).where(
        StockBalance.item_id == item.id, StockBalance.warehouse_id == warehouse.id)).one()
    return row.on_hand, row.reserved


def ledger_is_clean(session) -> bool:  # type: ignore[no-untyped-def]
    session.expire_all()
    return stock_ledger.ledger_check(session) == []


# ---------------------------------------------------------------- item list


@pytest.fixture
def catalog(session):  # type: ignore[no-untyped-def]
    f.item(session, "PIPE-200", name="Steel rod")
    f.item(session, "ZZ-100", name="Copper pipe")
    f.item(session, "AA-1", name="Glue")
    f.item(session, "MM-5", name="Tape", active=False)


def test_item_search_matches_sku_or_name(client, login_as, catalog):
    login_as("viewer")
    body = page_text(client.get("/items", query_string={"q": "pipe"}))
    assert "PIPE-200" in body and "ZZ-100" in body
    assert "AA-1" not in body and "MM-5" not in body
    body = page_text(client.get("/items", query_string={"q": "GLU"}))
    assert "AA-1" in body and "PIPE-200" not in body


def test_item_list_sorts_by_a_column_both_ways(client, login_as, catalog):
    login_as("viewer")
    ascending = page_text(client.get("/items"))
    assert in_order(ascending, "AA-1", "MM-5", "PIPE-200", "ZZ-100")
    descending = page_text(client.get("/items", query_string={"sort": "-sku"}))
    assert in_order(descending, "ZZ-100", "PIPE-200", "MM-5", "AA-1")
    by_name = page_text(client.get("/items", query_string={"sort": "name"}))
    assert in_order(by_name, "ZZ-100", "AA-1", "PIPE-200", "MM-5")  # Copper, Glue, Steel, Tape
    unknown = client.get("/items", query_string={"sort": "password_hash"})  # not a sortable column
    assert unknown.status_code == 200 and in_order(page_text(unknown), "AA-1", "ZZ-100")


def test_item_list_filters_active(client, login_as, catalog):
    login_as("viewer")
    body = page_text(client.get("/items", query_string={"active": "no"}))
    assert "MM-5" in body and "AA-1" not in body


def test_item_list_pages_of_50(client, session, login_as):
    session.add_all([Item(sku=f"P-{n:03d}", name=f"Paged {n}", unit_cost=Decimal(1)) for n in range(120)])
    session.flush()
    login_as("viewer")
    first = page_text(client.get("/items"))
    assert "P-000" in first and "P-049" in first and "P-050" not in first
    third = client.get("/items", query_string={"page": 3})
    assert third.status_code == 200
    body = page_text(third)
    assert re.findall(r"P-\d{3}", body) and set(re.findall(r"P-\d{3}", body)) == {f"P-{n:03d}" for n in range(100, 120)}
    assert "101–120 of 120" in body
    beyond = client.get("/items", query_string={"page": 9})
    assert beyond.status_code == 200
    assert not re.findall(r"P-\d{3}", page_text(beyond))
    garbage = client.get("/items", query_string={"page": "x"})
    assert garbage.status_code == 200 and "P-000" in page_text(garbage)


# ---------------------------------------------------------------- item create and edit


def _item_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"sku": "CAB-1", "name": "Cable tie", "uom": "pack", "category": "fasteners",
                               "unit_cost": "0.1250", "abc_class": "B", "active": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_item_create_via_form_is_audited_with_its_values(client, session, login_as):
    buyer = login_as("buyer")
    response = client.post("/items/new", data=_item_form())
    assert response.status_code == 302, page_text(response)
    item = session.scalar(select(Item).where(Item.sku == "CAB-1"))
    assert response.headers["Location"].endswith(f"/items/{item.id}")
    assert (item.name, item.uom, item.category, item.unit_cost, item.abc_class, item.active) == (
        "Cable tie", "pack", "fasteners", Decimal("0.1250"), "B", True)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "item"))
    assert (entry.action, entry.entity_id, entry.via, entry.actor_id) == ("item.create", str(item.id), "web",
                                                                          buyer.id)
    assert entry.before is None
    assert entry.after == {"sku": "CAB-1", "name": "Cable tie", "uom": "pack", "category": "fasteners",
                           "unit_cost": "0.1250", "abc_class": "B", "is_core": False, "active": True}
    detail = page_text(client.get(response.headers["Location"]))
    assert "CAB-1" in detail and "Cable tie" in detail


def test_duplicate_sku_is_422_with_a_field_message(client, session, login_as):
    f.item(session, "CAB-1")
    login_as("buyer")
    response = client.post("/items/new", data=_item_form(sku="cab-1"))
    assert response.status_code == 422
    body = page_text(response)
    assert "SKU cab-1 already exists" in body
    assert re.search(r'class="field has-error[^"]*"[^<]*<label[^>]*for="sku"', body, re.S), \
        "the message belongs to the SKU field"
    assert session.scalar(select(func.count()).select_from(Item)) == 1


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "This field is required."),
    ({"unit_cost": "-1"}, "Number must be at least 0"),
    ({"sku": "has space"}, "use letters, digits and . _ / - only"),
], ids=["no-name", "negative-cost", "bad-sku"])
def test_item_form_shows_field_errors(client, session, login_as, changes, message):
    login_as("admin")
    response = client.post("/items/new", data=_item_form(**changes))
    assert response.status_code == 422
    assert message in page_text(response)
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_item_edit_audits_only_the_changed_fields(client, session, login_as):
    item = f.item(session, "CAB-1", name="Cable tie", uom="pack", category="fasteners",
                  unit_cost=Decimal("0.1250"), abc_class="B")
    login_as("buyer")
    form = client.get(f"/items/{item.id}/edit")
    assert form.status_code == 200 and 'value="Cable tie"' in form.get_data(as_text=True)
    response = client.post(f"/items/{item.id}/edit", data=_item_form(name="Cable tie, black", abc_class="A"))
    assert response.status_code == 302, page_text(response)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "item.update"))
    assert entry.entity_id == str(item.id)
    assert entry.before == {"name": "Cable tie", "abc_class": "B"}
    assert entry.after == {"name": "Cable tie, black", "abc_class": "A"}


def test_item_edit_without_changes_writes_no_audit_entry(client, session, login_as):
    item = f.item(session, "CAB-1", name="Cable tie", uom="pack", category="fasteners",
                  unit_cost=Decimal("0.1250"), abc_class="B")
    login_as("buyer")
    assert client.post(f"/items/{item.id}/edit", data=_item_form()).status_code == 302
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "item.update")) == 0


def test_item_edit_with_the_same_cost_written_differently_is_no_change(client, session, login_as):
    item = f.item(session, "CAB-1", name="Cable tie", uom="pack", category="fasteners",
                  unit_cost=Decimal("0.1250"), abc_class="B")
    login_as("buyer")
    assert client.post(f"/items/{item.id}/edit", data=_item_form(unit_cost="0.125")).status_code == 302
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "item.update")) == 0


def test_item_edit_refuses_another_items_sku(client, session, login_as):
    f.item(session, "TAKEN-1")
    item = f.item(session, "CAB-1", name="Cable tie")
    login_as("buyer")
    response = client.post(f"/items/{item.id}/edit", data=_item_form(sku="TAKEN-1"))
    assert response.status_code == 422 and "SKU TAKEN-1 already exists" in page_text(response)
    session.expire_all()
    assert session.get(Item, item.id).sku == "CAB-1"


# ---------------------------------------------------------------- warehouses


def _warehouse_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"code": "wh-east", "name": "East", "address": "1 Dock Road",
                               "latitude": "51.5", "longitude": "-0.12", "active": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_and_edits_a_warehouse(client, session, login_as):
    login_as("admin")
    created = client.post("/warehouses/new", data=_warehouse_form())
    assert created.status_code == 302, page_text(created)
    warehouse = session.scalar(select(Warehouse))
    assert (warehouse.code, warehouse.latitude, warehouse.longitude) == ("WH-EAST", 51.5, -0.12)
    assert "WH-EAST" in page_text(client.get("/warehouses"))
    edited = client.post(f"/warehouses/{warehouse.id}/edit", data=_warehouse_form(name="East DC"))
    assert edited.status_code == 302, page_text(edited)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "warehouse.update"))
    assert (entry.before, entry.after) == ({"name": "East"}, {"name": "East DC"})


@pytest.mark.parametrize("changes, field", [
    ({"latitude": "95"}, "latitude"),
    ({"longitude": "-200"}, "longitude"),
    ({"latitude": "north"}, "latitude"),
    ({"longitude": ""}, "longitude"),
], ids=["lat-95", "lon-200", "lat-text", "half-pair"])
def test_warehouse_coordinates_are_validated(client, session, login_as, changes, field):
    login_as("admin")
    response = client.post("/warehouses/new", data=_warehouse_form(**changes))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(rf'<ul class="field-errors" id="{field}-error">', body), page_text(response)
    assert session.scalar(select(func.count()).select_from(Warehouse)) == 0


def test_warehouse_edit_with_bad_latitude_keeps_the_old_values(client, session, login_as):
    warehouse = f.warehouse(session, "WH-EAST", name="East", latitude=10.0, longitude=10.0)
    login_as("admin")
    response = client.post(f"/warehouses/{warehouse.id}/edit", data=_warehouse_form(latitude="95"))
    assert response.status_code == 422
    session.expire_all()
    assert session.get(Warehouse, warehouse.id).latitude == 10.0


# ---------------------------------------------------------------- stock postings


@pytest.fixture
def east(session):  # type: ignore[no-untyped-def]
    """BOLT-M8 and NUT-M8, warehouses WH-EAST and WH-WEST, nothing on hand."""
    return (f.item(session, "BOLT-M8", name="Hex bolt M8"), f.item(session, "NUT-M8", name="Hex nut M8"),
            f.warehouse(session, "WH-EAST", name="East"), f.warehouse(session, "WH-WEST", name="West"))


def test_receive_posts_and_shows_the_new_balance(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 2)
    login_as("warehouse")
    assert client.get("/stock/receive").status_code == 200
    response = client.post("/stock/receive", data={"sku": "BOLT-M8", "warehouse_id": wh_east.id,
                                                   "quantity": "5", "unit_cost": "1.25", "note": "PO 7"})
    assert response.status_code == 302, page_text(response)
    shown = page_text(client.get(response.headers["Location"]))
    assert "Posted: +5.000 → 7.000 on hand." in shown
    assert balance(session, bolt, wh_east) == (Decimal(7), Decimal(0))
    move = session.scalar(select(StockMove).order_by(StockMove.id.desc()))
    assert (move.kind, move.unit_cost, move.note) == ("receipt", Decimal("1.25"), "PO 7")
    assert ledger_is_clean(session)


def test_receive_unknown_sku_is_a_field_error(client, session, login_as, east):
    login_as("warehouse")
    response = client.post("/stock/receive", data={"sku": "NOPE", "warehouse_id": east[2].id, "quantity": "1"})
    assert response.status_code == 422
    assert "no item with SKU 'NOPE'" in page_text(response)
    assert session.scalar(select(func.count()).select_from(StockMove)) == 0
    assert ledger_is_clean(session)


def test_issue_more_than_available_is_422_with_the_exact_numbers(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 7)
    stock_ledger.reserve(session, item_id=bolt.id, warehouse_id=wh_east.id, qty=Decimal(3), reference="SO-1",
                         actor=f.actor())
    login_as("warehouse")
    response = client.post("/stock/issue", data={"sku": "BOLT-M8", "warehouse_id": wh_east.id,
                                                 "quantity": "5", "reason": "sale"})
    assert response.status_code == 422
    assert "only 7 on hand in WH-EAST, 3 reserved (asked for 5 of BOLT-M8, 4 available)" in page_text(response)
    assert balance(session, bolt, wh_east) == (Decimal(7), Decimal(3))
    assert ledger_is_clean(session)


def test_issue_within_available_posts(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 7)
    login_as("warehouse")
    response = client.post("/stock/issue", data={"sku": "BOLT-M8", "warehouse_id": wh_east.id,
                                                 "quantity": "4", "reason": "consumption"})
    assert response.status_code == 302, page_text(response)
    assert "Posted: -4.000 → 3.000 on hand." in page_text(client.get(response.headers["Location"]))
    assert ledger_is_clean(session)


def test_adjust_posts_a_signed_correction(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 7)
    login_as("warehouse")
    response = client.post("/stock/adjust", data={"sku": "BOLT-M8", "warehouse_id": wh_east.id,
                                                  "quantity": "-2", "reason": "damaged"})
    assert response.status_code == 302, page_text(response)
    assert balance(session, bolt, wh_east) == (Decimal(5), Decimal(0))
    assert ledger_is_clean(session)


def test_transfer_with_two_lines_posts(client, session, login_as, east):
    bolt, nut, wh_east, wh_west = east
    f.stock(session, bolt, wh_east, 10)
    f.stock(session, nut, wh_east, 4)
    login_as("warehouse")
    assert client.get("/stock/transfer").status_code == 200
    response = client.post("/stock/transfer", data={
        "from_warehouse_id": wh_east.id, "to_warehouse_id": wh_west.id, "note": "rebalance",
        "lines-0-sku": "BOLT-M8", "lines-0-quantity": "6", "lines-1-sku": "NUT-M8", "lines-1-quantity": "4"})
    assert response.status_code == 302, page_text(response)
    transfer = session.scalar(select(Transfer))
    assert sorted((line.item_id, line.qty) for line in transfer.lines) == sorted(
        [(bolt.id, Decimal(6)), (nut.id, Decimal(4))])
    assert f"Transfer T-{transfer.id} posted: 2 line(s)." in page_text(client.get(response.headers["Location"]))
    assert balance(session, bolt, wh_east) == (Decimal(4), 0) and balance(session, bolt, wh_west) == (6, 0)
    assert balance(session, nut, wh_east) == (0, 0) and balance(session, nut, wh_west) == (4, 0)
    detail = page_text(client.get(f"/stock/transfers/{transfer.id}"))
    assert "BOLT-M8" in detail and "NUT-M8" in detail
    assert ledger_is_clean(session)


def test_transfer_with_an_unknown_sku_names_the_line(client, session, login_as, east):
    bolt, _nut, wh_east, wh_west = east
    f.stock(session, bolt, wh_east, 10)
    login_as("warehouse")
    response = client.post("/stock/transfer", data={
        "from_warehouse_id": wh_east.id, "to_warehouse_id": wh_west.id,
        "lines-0-sku": "BOLT-M8", "lines-0-quantity": "1", "lines-1-sku": "NOPE-9", "lines-1-quantity": "1",
        "lines-2-sku": "NUT-M8"})
    assert response.status_code == 422
    body = page_text(response)
    assert "line 2: no item with SKU 'NOPE-9'" in body
    assert "line 3: give both SKU and quantity" in body
    assert session.scalar(select(func.count()).select_from(Transfer)) == 0
    assert balance(session, bolt, wh_east) == (Decimal(10), Decimal(0))
    assert ledger_is_clean(session)


def test_transfer_beyond_stock_posts_nothing(client, session, login_as, east):
    bolt, nut, wh_east, wh_west = east
    f.stock(session, bolt, wh_east, 10)
    f.stock(session, nut, wh_east, 1)
    login_as("warehouse")
    response = client.post("/stock/transfer", data={
        "from_warehouse_id": wh_east.id, "to_warehouse_id": wh_west.id,
        "lines-0-sku": "BOLT-M8", "lines-0-quantity": "5", "lines-1-sku": "NUT-M8", "lines-1-quantity": "2"})
    assert response.status_code == 422
    assert "only 1 on hand in WH-EAST (asked for 2 of NUT-M8, 1 available)" in page_text(response)
    assert balance(session, bolt, wh_east) == (Decimal(10), Decimal(0))
    assert session.scalar(select(func.count()).select_from(Transfer)) == 0
    assert ledger_is_clean(session)


def test_count_posts_the_differences(client, session, login_as, east):
    bolt, nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 10)
    f.stock(session, nut, wh_east, 4)
    login_as("warehouse")
    assert client.get("/stock/count").status_code == 200
    data = {"warehouse_id": wh_east.id, "lines-0-sku": "BOLT-M8", "lines-0-quantity": "8",
            "lines-1-sku": "NUT-M8", "lines-1-quantity": "4"}
    review = client.post("/stock/count", data=data)
    assert review.status_code == 200 and session.scalar(select(func.count()).select_from(StockCount)) == 0
    response = client.post("/stock/count", data={**data, "stage": "review"})
    assert response.status_code == 302, page_text(response)
    count = session.scalar(select(StockCount))
    assert f"Count CNT-{count.id:06d} posted in WH-EAST: 1 difference" in page_text(
        client.get(response.headers["Location"]))
    assert {line.item_id: line.difference for line in count.lines} == {bolt.id: Decimal(-2), nut.id: Decimal(0)}
    moves = session.scalars(select(StockMove).where(StockMove.kind == "count")).all()
    assert [(m.item_id, m.qty_delta, m.balance_after) for m in moves] == [(bolt.id, Decimal(-2), Decimal(8))]
    assert "BOLT-M8" in page_text(client.get(f"/stock/counts/{count.id}"))
    assert ledger_is_clean(session)


def test_reverse_button_posts_a_mirror_move(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 10)
    original = session.scalar(select(StockMove.id))
    login_as("warehouse")
    ledger = client.get(f"/stock/items/{bolt.id}/ledger")
    assert f'action="/stock/moves/{original}/reverse"' in ledger.get_data(as_text=True)
    response = client.post(f"/stock/moves/{original}/reverse", data={"note": "wrong item"},
                           headers={"Referer": f"http://localhost/stock/items/{bolt.id}/ledger"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/stock/items/{bolt.id}/ledger")
    mirror = session.scalar(select(StockMove).where(StockMove.reverses_move_id == original))
    assert (mirror.kind, mirror.qty_delta, mirror.balance_after, mirror.note) == (
        "reversal", Decimal(-10), Decimal(0), "wrong item")
    again = client.post(f"/stock/moves/{original}/reverse", data={})
    assert again.status_code == 302
    assert "has already been reversed" in page_text(client.get(again.headers["Location"]))
    assert session.scalar(select(func.count()).select_from(StockMove)) == 2
    assert ledger_is_clean(session)


def test_reservations_create_and_release(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 10)
    login_as("warehouse")
    response = client.post("/stock/reservations", data={"sku": "BOLT-M8", "warehouse_id": wh_east.id,
                                                        "quantity": "3", "reference": "SO-42"})
    assert response.status_code == 302, page_text(response)
    reservation = session.scalar(select(Reservation))
    assert (reservation.qty, reservation.reference, reservation.status) == (Decimal(3), "SO-42", "active")
    assert balance(session, bolt, wh_east) == (Decimal(10), Decimal(3))
    listing = page_text(client.get("/stock/reservations"))
    assert "SO-42" in listing and f"Reserved 3.000 (reservation R-{reservation.id})." in listing

    too_much = client.post("/stock/reservations", data={"sku": "BOLT-M8", "warehouse_id": wh_east.id,
                                                        "quantity": "8", "reference": "SO-43"})
    assert too_much.status_code == 422
    assert "only 10 on hand in WH-EAST, 3 reserved" in page_text(too_much)

    released = client.post(f"/stock/reservations/{reservation.id}/release", data={})
    assert released.status_code == 302
    session.expire_all()
    assert session.get(Reservation, reservation.id).status == "released"
    assert balance(session, bolt, wh_east) == (Decimal(10), Decimal(0))
    assert "SO-42" not in page_text(client.get("/stock/reservations"))
    assert ledger_is_clean(session)


def ledger_table(body: str, column: str) -> list[tuple[int, str]]:
    """(move id, text of the column whose header contains `column`) for each move row, in page order."""
    headers = [re.sub(r"<[^>]+>", "", h).strip().lower() for h in re.findall(r"<th[^>]*>(.*?)</th>", body, re.S)]
    index = next(i for i, h in enumerate(headers) if column in h)
    rows = []
    for move_id, row in re.findall(r'<tr id="move-(\d+)"[^>]*>(.*?)</tr>', body, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows.append((int(move_id), cells[index]))
    return rows


def test_item_ledger_shows_the_running_balance_in_order(client, session, login_as, east):
    bolt, _nut, wh_east, wh_west = east
    actor = f.actor()
    f.stock(session, bolt, wh_east, 10)
    stock_ledger.issue(session, item_id=bolt.id, warehouse_id=wh_east.id, qty=Decimal(2), reason="sale",
                       actor=actor)
    f.stock(session, bolt, wh_east, 40)
    stock_ledger.post_transfer(session, from_warehouse_id=wh_east.id, to_warehouse_id=wh_west.id,
                               lines=[(bolt.id, Decimal(6))], actor=actor)
    login_as("viewer")
    response = client.get(f"/stock/items/{bolt.id}/ledger")
    assert response.status_code == 200
    moves = session.scalars(select(StockMove).where(StockMove.item_id == bolt.id)
                            .order_by(StockMove.id.desc())).all()
    # newest first: transfer in (west 6), transfer out (east 42), receipt (48), issue (8), receipt (10)
    expected = [(m.id, f"{m.balance_after.normalize():f}") for m in moves]
    assert [b for _id, b in expected] == ["6", "42", "48", "8", "10"]
    assert ledger_table(response.get_data(as_text=True), "balance") == expected
    filtered = client.get(f"/stock/items/{bolt.id}/ledger", query_string={"warehouse": wh_west.id})
    assert ledger_table(filtered.get_data(as_text=True), "balance") == expected[:1]
    assert ledger_is_clean(session)


def test_balances_page_lists_and_searches_stock(client, session, login_as, east):
    bolt, nut, wh_east, wh_west = east
    f.stock(session, bolt, wh_east, 10)
    f.stock(session, nut, wh_west, 3)
    login_as("viewer")
    body = page_text(client.get("/stock/"))
    assert "BOLT-M8" in body and "NUT-M8" in body
    only_nut = page_text(client.get("/stock/", query_string={"q": "nut"}))
    assert "NUT-M8" in only_nut and "BOLT-M8" not in only_nut
    west_only = page_text(client.get("/stock/", query_string={"warehouse": wh_west.id}))
    assert "NUT-M8" in west_only and "BOLT-M8" not in west_only


# ---------------------------------------------------------------- admin: users


def _user_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"email": "Jo.Buyer@Example.com", "name": "Jo Buyer", "role": "buyer",
                               "supplier_id": "0", "approval_limit": "500", "active": "y",
                               "password": "a long first password"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_a_user_with_a_role(client, session, login_as):
    login_as("admin")
    assert client.get("/admin/users/new").status_code == 200
    response = client.post("/admin/users/new", data=_user_form())
    assert response.status_code == 302, page_text(response)
    user = session.scalar(select(User).where(User.email == "jo.buyer@example.com"))
    assert (user.role, user.name, user.approval_limit, user.supplier_id) == ("buyer", "Jo Buyer", Decimal(500),
                                                                             None)
    assert "jo.buyer@example.com" in page_text(client.get("/admin/users"))
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.after["role"] == "buyer" and "password" not in str(entry.after)


def test_a_supplier_user_must_have_a_supplier(client, session, login_as):
    supplier = f.supplier(session, "ACME", name="Acme Ltd")
    login_as("admin")
    refused = client.post("/admin/users/new", data=_user_form(email="sup@example.com", role="supplier"))
    assert refused.status_code == 422
    assert "a supplier user must be linked to a supplier" in page_text(refused)
    assert session.scalar(select(User).where(User.email == "sup@example.com")) is None
    accepted = client.post("/admin/users/new", data=_user_form(email="sup@example.com", role="supplier",
                                                               supplier_id=str(supplier.id)))
    assert accepted.status_code == 302, page_text(accepted)
    assert session.scalar(select(User.supplier_id).where(User.email == "sup@example.com")) == supplier.id


def test_staff_users_are_never_linked_to_a_supplier(client, session, login_as):
    supplier = f.supplier(session)
    login_as("admin")
    response = client.post("/admin/users/new", data=_user_form(supplier_id=str(supplier.id)))
    assert response.status_code == 302
    assert session.scalar(select(User.supplier_id).where(User.email == "jo.buyer@example.com")) is None


@pytest.mark.parametrize("changes, message", [
    ({"password": ""}, "a new account needs a first password"),
    ({"password": "short"}, "at least 10"),
    ({"email": "not-an-email"}, ""),
], ids=["no-password", "short-password", "bad-email"])
def test_user_create_refusals(client, session, login_as, changes, message):
    login_as("admin")
    response = client.post("/admin/users/new", data=_user_form(**changes))
    assert response.status_code == 422
    assert message in page_text(response)
    assert session.scalar(select(func.count()).select_from(User)) == 1  # only the admin


def test_duplicate_email_is_refused(client, session, login_as):
    f.user(session, "viewer", email="jo.buyer@example.com")
    login_as("admin")
    response = client.post("/admin/users/new", data=_user_form())
    assert response.status_code == 422
    assert "jo.buyer@example.com is already used by another account" in page_text(response)


@pytest.mark.parametrize("changes", [{"role": "buyer"}, {"active": None}], ids=["demote", "deactivate"])
def test_admin_cannot_remove_their_own_admin_access(client, session, login_as, changes):
    admin = login_as("admin")
    data = _user_form(**{"email": admin.email, "name": admin.name, "role": "admin", "password": "", **changes})
    response = client.post(f"/admin/users/{admin.id}", data=data)
    assert response.status_code == 422
    assert "you cannot remove your own admin access" in page_text(response)
    session.expire_all()
    me = session.get(User, admin.id)
    assert (me.role, me.active) == ("admin", True)
    assert client.get("/admin/users").status_code == 200  # still logged in, still admin


def test_admin_can_demote_another_admin(client, session, login_as):
    other = f.user(session, "admin")
    login_as("admin")
    response = client.post(f"/admin/users/{other.id}", data=_user_form(email=other.email, name=other.name,
                                                                       role="viewer", password=""))
    assert response.status_code == 302, page_text(response)
    session.expire_all()
    assert session.get(User, other.id).role == "viewer"


# ---------------------------------------------------------------- admin: audit log


def test_audit_page_filters_by_entity_type_and_actor(client, session, login_as):
    alice = Actor(user_id=None, label="alice@example.com", via="web")
    bob = Actor(user_id=None, label="bob@example.com", via="api")
    masterdata.create_item(session, {"sku": "AUD-ITEM", "name": "Audited item"}, actor=alice)
    masterdata.create_warehouse(session, {"code": "AUD-WH", "name": "Audited warehouse"}, actor=bob)
    masterdata.create_item(session, {"sku": "BOB-ITEM", "name": "Bob's item"}, actor=bob)
    login_as("admin")
    everything = page_text(client.get("/admin/audit"))
    assert "AUD-ITEM" in everything and "AUD-WH" in everything and "BOB-ITEM" in everything
    items = page_text(client.get("/admin/audit", query_string={"entity_type": "item"}))
    assert "AUD-ITEM" in items and "BOB-ITEM" in items and "AUD-WH" not in items
    by_bob = page_text(client.get("/admin/audit", query_string={"actor": "bob@"}))
    assert "AUD-WH" in by_bob and "BOB-ITEM" in by_bob and "AUD-ITEM" not in by_bob
    both = page_text(client.get("/admin/audit", query_string={"entity_type": "item", "actor": "bob"}))
    assert "BOB-ITEM" in both and "AUD-ITEM" not in both and "AUD-WH" not in both


# ---------------------------------------------------------------- dashboard and portal


def test_dashboard_shows_the_stock_value(client, session, login_as, east):
    bolt, nut, wh_east, wh_west = east
    bolt.unit_cost, nut.unit_cost = Decimal("12.3456"), Decimal("0.5")
    f.stock(session, bolt, wh_east, 10)   # 123.456
    f.stock(session, nut, wh_west, 3)     # 1.5
    login_as("viewer")
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert "124.96" in page_text(response)  # Σ on hand × unit cost, rounded to cents


def test_supplier_portal_shows_their_company(client, session, login_as):
    supplier = f.supplier(session, "ACME", name="Acme Fasteners Ltd")
    login_as("supplier", supplier_id=supplier.id)
    body = page_text(client.get("/portal/"))
    assert "Acme Fasteners Ltd" in body
    response = client.get("/dashboard")  # suppliers have no dashboard: they land on their portal
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")


def test_ledger_check_is_clean_after_a_mixed_day(client, session, login_as, east):
    """One more end-to-end pass through the forms, then the ledger must still add up."""
    bolt, nut, wh_east, wh_west = east
    login_as("admin")
    posts = [
        ("/stock/receive", {"sku": "BOLT-M8", "warehouse_id": wh_east.id, "quantity": "20"}),
        ("/stock/receive", {"sku": "NUT-M8", "warehouse_id": wh_east.id, "quantity": "9"}),
        ("/stock/reservations", {"sku": "BOLT-M8", "warehouse_id": wh_east.id, "quantity": "5", "reference": "R"}),
        ("/stock/issue", {"sku": "BOLT-M8", "warehouse_id": wh_east.id, "quantity": "15", "reason": "sale"}),
        ("/stock/issue", {"sku": "BOLT-M8", "warehouse_id": wh_east.id, "quantity": "1", "reason": "sale"}),
        ("/stock/transfer", {"from_warehouse_id": wh_east.id, "to_warehouse_id": wh_west.id,
                             "lines-0-sku": "NUT-M8", "lines-0-quantity": "4"}),
        ("/stock/count", {"warehouse_id": wh_west.id, "lines-0-sku": "NUT-M8", "lines-0-quantity": "3",
                          "stage": "review"}),  # the differences were reviewed: post
        ("/stock/adjust", {"sku": "NUT-M8", "warehouse_id": wh_east.id, "quantity": "1", "reason": "found"}),
    ]
    statuses = [client.post(url, data=data).status_code for url, data in posts]
    assert statuses == [302, 302, 302, 302, 422, 302, 302, 302]
    assert balance(session, bolt, wh_east) == (Decimal(5), Decimal(5))
    assert balance(session, nut, wh_east) == (Decimal(6), Decimal(0))
    assert balance(session, nut, wh_west) == (Decimal(3), Decimal(0))
    assert ledger_is_clean(session)



def messages(body: str) -> list[str]:
    """The error and flash messages a page shows (field errors, form errors, flashes), as plain text."""
    found = re.findall(r'<ul class="field-errors"[^>]*>(.*?)</ul>|<div class="form-errors"[^>]*>(.*?)</div>'
                       r'|<p class="flash-text">(.*?)</p>', body, re.S)
    text = " ".join(part for match in found for part in match if part)
    return [m.strip() for m in html.unescape(re.sub(r"<[^>]+>", "\n", text)).split("\n") if m.strip()]


def test_count_with_a_sku_on_two_lines_names_the_sku(client, session, login_as, east):
    bolt, _nut, wh_east, _west = east
    f.stock(session, bolt, wh_east, 10)
    login_as("warehouse")
    response = client.post("/stock/count", data={
        "warehouse_id": wh_east.id, "lines-0-sku": "BOLT-M8", "lines-0-quantity": "8",
        "lines-1-sku": "BOLT-M8", "lines-1-quantity": "9"})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(StockCount)) == 0
    assert ledger_is_clean(session)
    shown = messages(response.get_data(as_text=True))
    assert any("counted twice" in m for m in shown), shown
    assert any("BOLT-M8" in m and "counted twice" in m for m in shown), shown
