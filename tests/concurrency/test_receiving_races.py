"""Races on receiving and PO numbering (file SQLite here, PostgreSQL with SCM_TEST_DATABASE_URL).

The guarded receipt has a negative control: the same race through a naive read-check-write of the
line (no row lock, no guarded update) must over-receive, which proves the test can see the failure.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, PurchaseOrderLine, ReceiptLine, StockMove
from scm.services.purchasing import orders as purchasing, receiving
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, ValidationFailed
from scm.services.kernel.transaction import run_in_transaction
from tests import factories as f
from tests.concurrency.harness import run_together

D = Decimal
NOW = datetime(2026, 3, 11, 9, tzinfo=timezone.utc)


@pytest.fixture
def sent_order(session):  # type: ignore[no-untyped-def]
    supplier, item, warehouse = f.supplier(session, "RACE"), f.item(session, "RACE-1"), f.warehouse(session, "WH-R")
    f.catalog(session, supplier, item)
    order = f.purchase_order(session, supplier, warehouse, [(item, 100)], status="sent")
    ids = order.id, order.lines[0].id, item.id
    clerks = [Actor.for_user(f.user(session, "warehouse"), via="web") for _ in range(16)]
    session.commit()
    # SQLite transactions begin IMMEDIATE: the test's own session must hold none while workers race.
    session.close()
    return ids, clerks


def totals(session, line_id: int, item_id: int) -> tuple[Decimal, Decimal, Decimal]:  # type: ignore[no-untyped-def]
    session.expire_all()
    line = session.get(PurchaseOrderLine, line_id)
    booked = session.scalar(select(func.sum(ReceiptLine.qty_received)).where(ReceiptLine.po_line_id == line_id))
    moved = session.scalar(select(func.sum(StockMove.qty_delta)).where(StockMove.item_id == item_id))
    return line.qty_received, booked or D(0), moved or D(0)


def test_concurrent_receipts_of_one_line_never_exceed_ordered_plus_tolerance(db, session, sent_order):
    (po_id, line_id, item_id), clerks = sent_order

    def receive_eleven(s: Session, index: int) -> Decimal:
        run_in_transaction(s, lambda: receiving.receive(s, po_id, lines=[(line_id, D(11), D(11), D(0), "")],
                                                        actor=clerks[index], now=NOW))
        return D(11)

    outcomes = run_together(db.engine, 16, receive_eleven, repeat=2)
    # The limit is 105 (100 ordered + 5 %): 9 receipts of 11 fit (99); a 10th would make 110.
    assert len(outcomes.results) == 9
    assert len(outcomes.of_type(ValidationFailed)) == 23 == len(outcomes.errors)
    assert totals(session, line_id, item_id) == (D(99), D(99), D(99))
    assert session.get(PurchaseOrder, po_id).status == "partially_received"
    assert stock_ledger.ledger_check(session) == []


def test_receipts_up_to_the_tolerance_then_the_order_is_received(db, session, sent_order):
    (po_id, line_id, item_id), clerks = sent_order

    def receive_seven(s: Session, index: int) -> Decimal:
        run_in_transaction(s, lambda: receiving.receive(s, po_id, lines=[(line_id, D(7), D(7), D(0), "")],
                                                        actor=clerks[index], now=NOW))
        return D(7)

    outcomes = run_together(db.engine, 16, receive_seven, repeat=2)
    # 15 × 7 = 105 fit exactly; the receipt that completes the line makes the order received, and
    # later attempts are refused (over the limit, or the order is no longer open for receiving).
    assert len(outcomes.results) == 15
    assert len(outcomes.of_type(ValidationFailed)) + len(outcomes.of_type(InvalidTransition)) == 17
    assert len(outcomes.errors) == 17
    assert totals(session, line_id, item_id) == (D(105), D(105), D(105))
    assert session.get(PurchaseOrder, po_id).status == "received"
    assert stock_ledger.ledger_check(session) == []


def test_two_big_receipts_at_once_only_one_gets_in(db, session, sent_order):
    (po_id, line_id, item_id), clerks = sent_order

    def receive_sixty(s: Session, index: int) -> Decimal:
        run_in_transaction(s, lambda: receiving.receive(s, po_id, lines=[(line_id, D(60), D(50), D(10), "wet")],
                                                        actor=clerks[index], now=NOW))
        return D(60)

    outcomes = run_together(db.engine, 2, receive_sixty)
    assert len(outcomes.results) == 1 and len(outcomes.of_type(ValidationFailed)) == 1
    assert totals(session, line_id, item_id) == (D(60), D(60), D(50))
    assert stock_ledger.ledger_check(session) == []


def naive_receive(s: Session, line_id: int, qty: Decimal) -> None:
    """Read, check, write without a lock or guard: what receiving must not do."""
    received = s.scalar(select(PurchaseOrderLine.qty_received).where(PurchaseOrderLine.id == line_id))
    ordered = s.scalar(select(PurchaseOrderLine.qty_ordered).where(PurchaseOrderLine.id == line_id))
    if received + qty > ordered * D("1.05"):
        raise ValidationFailed("over")
    time.sleep(0.05)  # widen the window between the read and the write
    s.execute(update(PurchaseOrderLine).where(PurchaseOrderLine.id == line_id)
              .values(qty_received=PurchaseOrderLine.qty_received + qty,
                      qty_accepted=PurchaseOrderLine.qty_accepted + qty))


def test_negative_control_a_naive_check_over_receives(db, session, sent_order):
    (_po_id, line_id, item_id), _clerks = sent_order
    # Without IMMEDIATE transactions (SQLite) or row locks (PostgreSQL) both reads see 0 received.
    # (pysqlite's own transaction handling: no BEGIN before a SELECT, a plain BEGIN before a write.)
    engine = create_engine(db.engine.url, **({"connect_args": {"timeout": 30}}
                                             if db.engine.dialect.name == "sqlite" else {}))

    def race(s: Session, _index: int) -> None:
        run_in_transaction(s, lambda: naive_receive(s, line_id, D(60)))

    outcomes = run_together(engine, 2, race)
    engine.dispose()
    assert outcomes.errors == []
    assert totals(session, line_id, item_id)[0] == D(120)  # above the 105 limit: the guard is what holds it


def test_concurrent_drafts_get_unique_sequential_numbers(db, session):
    supplier, item, warehouse = f.supplier(session, "SEQ"), f.item(session, "SEQ-1"), f.warehouse(session, "WH-S")
    f.catalog(session, supplier, item)
    ids = supplier.id, item.id, warehouse.id
    session.commit()
    session.close()

    def create(s: Session, _index: int) -> str:
        return run_in_transaction(s, lambda: purchasing.create_draft(
            s, supplier_id=ids[0], warehouse_id=ids[2], lines=[(ids[1], D(5), None)], actor=f.actor(),
            as_of=NOW.date()).order.number)

    outcomes = run_together(db.engine, 8, create, repeat=3)
    assert outcomes.errors == []
    assert sorted(outcomes.results) == [f"PO-{n:06d}" for n in range(1, 25)]
