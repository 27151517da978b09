"""The ledger's business rules: what posts, what is refused, and the message the user sees."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from scm.models import AuditEntry, StockBalance, StockMove
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.errors import Conflict, InsufficientStock, ValidationFailed
from tests import factories as f

D = Decimal


@pytest.fixture
def setup(session):  # type: ignore[no-untyped-def]
    item = f.item(session, "BOLT-M8")
    east, west = f.warehouse(session, "WH-EAST"), f.warehouse(session, "WH-WEST")
    return item, east, west


def balance(session, item, warehouse) -> tuple[Decimal, Decimal]:  # type: ignore[no-untyped-def]
    row = session.execute(select(StockBalance.on_hand, StockBalance.reserved).where(
        StockBalance.item_id == item.id, StockBalance.warehouse_id == warehouse.id)).one()
    return row.on_hand, row.reserved


def test_receipt_then_issue_keeps_running_balance(session, setup):
    _bolt, east, _ = setup
    item = f.item(session, "FLOUR-1", uom="kg")  # a unit with 3 decimals
    first = stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=D("10.5"), actor=f.actor())
    second = stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D("3.25"), reason="sale",
                                actor=f.actor())
    assert (first.balance_after, second.balance_after) == (D("10.500"), D("7.250"))
    assert second.qty_delta == D("-3.250") and second.reason == "sale"
    assert balance(session, item, east) == (D("7.250"), D("0"))
    assert stock_ledger.ledger_check(session) == []


def test_over_issue_names_what_is_there(session, setup):
    item, east, _ = setup
    f.stock(session, item, east, 10)
    stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=D(3), reference="SO-1",
                         actor=f.actor())
    with pytest.raises(InsufficientStock) as raised:
        stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(12), reason="sale",
                           actor=f.actor())
    assert raised.value.message == "only 10 on hand in WH-EAST, 3 reserved (asked for 12 of BOLT-M8, 7 available)"
    assert raised.value.details["short_by"] == D(5)


def test_issue_cannot_take_reserved_stock(session, setup):
    item, east, _ = setup
    f.stock(session, item, east, 10)
    stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=D(8), reference="SO-1",
                         actor=f.actor())
    with pytest.raises(InsufficientStock):
        stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(3), reason="sale", actor=f.actor())
    stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(2), reason="sale", actor=f.actor())
    assert balance(session, item, east) == (D(8), D(8))


def test_issue_against_reservation_consumes_it(session, setup):
    item, east, _ = setup
    f.stock(session, item, east, 10)
    reservation = stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=D(6),
                                       reference="SO-9", actor=f.actor())
    stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(6), reason="sale",
                       reservation_id=reservation.id, actor=f.actor())
    assert balance(session, item, east) == (D(4), D(0))
    assert reservation.status == "released"
    assert stock_ledger.ledger_check(session) == []


def test_reserve_more_than_available_is_refused_and_release_returns_it(session, setup):
    item, east, _ = setup
    f.stock(session, item, east, 5)
    with pytest.raises(InsufficientStock):
        stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=D(6), reference="x",
                             actor=f.actor())
    reservation = stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=D(5), reference="x",
                                       actor=f.actor())
    stock_ledger.release(session, reservation_id=reservation.id, actor=f.actor())
    assert balance(session, item, east) == (D(5), D(0))
    with pytest.raises(Conflict):
        stock_ledger.release(session, reservation_id=reservation.id, actor=f.actor())


def test_transfer_moves_both_legs_atomically(session, setup):
    item, east, west = setup
    other = f.item(session, "NUT-M8")
    f.stock(session, item, east, 10)
    f.stock(session, other, east, 1)
    session.commit()
    with pytest.raises(InsufficientStock):
        stock_ledger.post_transfer(session, from_warehouse_id=east.id, to_warehouse_id=west.id,
                                   lines=[(item.id, D(4)), (other.id, D(2))], actor=f.actor())
    session.rollback()  # the caller's transaction ends: nothing of the failed transfer remains
    item, east, west = session.merge(item), session.merge(east), session.merge(west)
    assert session.scalar(select(StockMove.id).where(StockMove.kind == "transfer_out")) is None
    transfer = stock_ledger.post_transfer(session, from_warehouse_id=east.id, to_warehouse_id=west.id,
                                          lines=[(item.id, D(4)), (item.id, D(1))], actor=f.actor())
    assert [(line.item_id, line.qty) for line in transfer.lines] == [(item.id, D(5))]
    assert balance(session, item, east) == (D(5), D(0))
    assert balance(session, item, west) == (D(5), D(0))


def test_transfer_to_same_warehouse_is_refused(session, setup):
    item, east, _ = setup
    with pytest.raises(ValidationFailed) as raised:
        stock_ledger.post_transfer(session, from_warehouse_id=east.id, to_warehouse_id=east.id,
                                   lines=[(item.id, D(1))], actor=f.actor())
    assert "to_warehouse" in raised.value.field_errors


def test_count_posts_only_the_difference(session, setup):
    item, east, _ = setup
    same = f.item(session, "SAME")
    f.stock(session, item, east, 10)
    f.stock(session, same, east, 4)
    count = stock_ledger.post_count(session, warehouse_id=east.id, counts=[(item.id, D(7)), (same.id, D(4))],
                                    actor=f.actor())
    moves = list(session.scalars(select(StockMove).where(StockMove.kind == "count")))
    assert [(m.item_id, m.qty_delta, m.balance_after) for m in moves] == [(item.id, D(-3), D(7))]
    assert {line.item_id: line.difference for line in count.lines} == {item.id: D(-3), same.id: D(0)}


def test_count_below_reserved_is_refused(session, setup):
    item, east, _ = setup
    f.stock(session, item, east, 10)
    stock_ledger.reserve(session, item_id=item.id, warehouse_id=east.id, qty=D(5), reference="x", actor=f.actor())
    with pytest.raises(InsufficientStock):
        stock_ledger.post_count(session, warehouse_id=east.id, counts=[(item.id, D(2))], actor=f.actor())


def test_reversal_mirrors_and_only_once(session, setup):
    item, east, _ = setup
    receipt = stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=D(10), actor=f.actor())
    [mirror] = stock_ledger.reverse(session, move_id=receipt.id, actor=f.actor())
    assert (mirror.kind, mirror.qty_delta, mirror.reverses_move_id) == ("reversal", D(-10), receipt.id)
    assert balance(session, item, east) == (D(0), D(0))
    with pytest.raises(Conflict):
        stock_ledger.reverse(session, move_id=receipt.id, actor=f.actor())
    with pytest.raises(Conflict):
        stock_ledger.reverse(session, move_id=mirror.id, actor=f.actor())


def test_reversing_a_receipt_already_issued_is_refused(session, setup):
    item, east, _ = setup
    receipt = stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=D(10), actor=f.actor())
    stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(8), reason="sale", actor=f.actor())
    with pytest.raises(InsufficientStock):
        stock_ledger.reverse(session, move_id=receipt.id, actor=f.actor())


def test_reversing_one_transfer_leg_reverses_the_document(session, setup):
    item, east, west = setup
    f.stock(session, item, east, 10)
    transfer = stock_ledger.post_transfer(session, from_warehouse_id=east.id, to_warehouse_id=west.id,
                                          lines=[(item.id, D(4))], actor=f.actor())
    leg = session.scalar(select(StockMove).where(StockMove.source_id == transfer.id,
                                                 StockMove.kind == "transfer_in"))
    mirrors = stock_ledger.reverse(session, move_id=leg.id, actor=f.actor())
    assert len(mirrors) == 2
    assert balance(session, item, east) == (D(10), D(0)) and balance(session, item, west) == (D(0), D(0))


@pytest.mark.parametrize("qty", ["0", "-1", "1.0001", "NaN", "Infinity", "abc", "1e13"])
def test_bad_quantities_are_refused(session, setup, qty):
    item, east, _ = setup
    with pytest.raises(ValidationFailed):
        stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=qty, actor=f.actor())


def test_inactive_item_cannot_be_received(session, setup):
    item, east, _ = setup
    item.active = False
    with pytest.raises(ValidationFailed, match="inactive"):
        stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=D(1), actor=f.actor())


def test_every_posting_is_audited(session, setup):
    item, east, _ = setup
    move = stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=D(2), actor=f.actor("alice"))
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "stock.receive"))
    assert (entry.actor_label, entry.entity_id, entry.after["qty_delta"]) == ("alice", str(move.id), "2.000")


@pytest.mark.parametrize("statement", ["UPDATE stock_moves SET note = 'edited'", "DELETE FROM stock_moves",
                                       "UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
def test_database_refuses_to_edit_history(session, setup, statement):
    item, east, _ = setup
    f.stock(session, item, east, 1)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    session.rollback()


@pytest.mark.parametrize("values", ["on_hand = -1", "reserved = on_hand + 1", "reserved = -1"])
def test_database_refuses_impossible_balances(session, setup, values):
    item, east, _ = setup
    f.stock(session, item, east, 5)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text(f"UPDATE stock_balances SET {values}"))
    session.rollback()
