"""Races on the real engine (file SQLite here, PostgreSQL with SCM_TEST_DATABASE_URL).

Each guarded test has a negative control: the same race through a naive read-compute-write must
break the invariant, which proves the test can see the failure it guards against.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.orm import Session

from scm.models import IdempotencyKey, StockBalance, StockMove
from scm.services.kernel import idempotency
from scm.services.stock import ledger as stock_ledger, requests as stock_requests
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InsufficientStock
from scm.services.kernel.transaction import run_in_transaction
from tests import factories as f
from tests.concurrency.harness import run_together

D = Decimal
ACTOR = Actor.system("race", via="cli")


@pytest.fixture
def stocked(session):  # type: ignore[no-untyped-def]
    item, warehouse = f.item(session, "RACE-1"), f.warehouse(session, "WH-RACE")
    f.stock(session, item, warehouse, 100)
    ids = item.id, warehouse.id
    session.commit()
    # On SQLite every transaction begins IMMEDIATE: the test's own session must not hold one open
    # (a lazy refresh would) while the workers race.
    session.close()
    return ids


def on_hand(session, item_id: int, warehouse_id: int) -> Decimal:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(StockBalance.on_hand).where(
        StockBalance.item_id == item_id, StockBalance.warehouse_id == warehouse_id))


def moved(session, item_id: int) -> Decimal:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.sum(StockMove.qty_delta)).where(StockMove.item_id == item_id))


def test_320_concurrent_issues_of_one_sell_exactly_100(db, session, stocked):
    item_id, warehouse_id = stocked

    def issue_one(s: Session, _i: int) -> None:
        run_in_transaction(s, lambda: stock_ledger.issue(s, item_id=item_id, warehouse_id=warehouse_id,
                                                         qty=D(1), reason="sale", actor=ACTOR))

    outcomes = run_together(db.engine, 16, issue_one, repeat=20)
    assert len(outcomes.results) == 100
    assert len(outcomes.of_type(InsufficientStock)) == 220 == len(outcomes.errors)
    assert on_hand(session, item_id, warehouse_id) == 0 == moved(session, item_id)
    assert stock_ledger.ledger_check(session) == []


def test_mixed_receipts_and_issues_lose_no_update(db, session, stocked):
    item_id, warehouse_id = stocked

    def post(s: Session, index: int) -> Decimal:
        delta = D(3) if index % 2 else D(-1)
        if delta > 0:
            run_in_transaction(s, lambda: stock_ledger.receive(s, item_id=item_id, warehouse_id=warehouse_id,
                                                               qty=delta, actor=ACTOR))
        else:
            run_in_transaction(s, lambda: stock_ledger.issue(s, item_id=item_id, warehouse_id=warehouse_id,
                                                             qty=-delta, reason="consumption", actor=ACTOR))
        return delta

    outcomes = run_together(db.engine, 12, post, repeat=15)
    assert outcomes.errors == []
    assert on_hand(session, item_id, warehouse_id) == D(100) + sum(outcomes.results) == moved(session, item_id)
    assert stock_ledger.ledger_check(session) == []


def test_transfers_in_opposite_directions_do_not_deadlock(db, session):
    items = [f.item(session) for _ in range(3)]
    east, west = f.warehouse(session), f.warehouse(session)
    for item in items:
        f.stock(session, item, east, 50)
        f.stock(session, item, west, 50)
    ids, east_id, west_id = [i.id for i in items], east.id, west.id
    session.commit()
    session.close()

    def transfer(s: Session, index: int) -> None:
        source, target = (east_id, west_id) if index % 2 else (west_id, east_id)
        lines = [(i, D(1)) for i in (ids if index % 2 else reversed(ids))]
        run_in_transaction(s, lambda: stock_ledger.post_transfer(
            s, from_warehouse_id=source, to_warehouse_id=target, lines=lines, actor=ACTOR))

    outcomes = run_together(db.engine, 8, transfer, repeat=5)
    assert outcomes.errors == []
    assert stock_ledger.ledger_check(session) == []


def test_same_idempotency_key_16_times_posts_once(db, session, stocked):
    item_id, warehouse_id = stocked
    user_id = f.user(session, "warehouse").id
    session.commit()
    session.close()
    body = {"kind": "issue", "sku": "RACE-1", "warehouse": "WH-RACE", "quantity": "2", "reason": "sale"}
    fingerprint = idempotency.request_fingerprint("POST", "/api/v1/stock/moves", body)

    def post(s: Session, _i: int) -> dict:
        def work() -> tuple[dict, int]:
            posted = stock_requests.post_move_request(s, body, actor=ACTOR)
            return {"move_id": posted.moves[0].id}, 201
        return run_in_transaction(s, lambda: idempotency.run_once(
            s, user_id=user_id, key="order-42", fingerprint=fingerprint, work=work))

    outcomes = run_together(db.engine, 16, post)
    assert outcomes.errors == []
    assert len({r[0]["move_id"] for r in outcomes.results}) == 1
    assert on_hand(session, item_id, warehouse_id) == D(98)
    assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


# ---------------------------------------------------------------- negative controls

def _naive_issue(s: Session, item_id: int, warehouse_id: int) -> None:
    """What the ledger must never do: read, decide in Python, write back the computed value."""
    current = s.scalar(select(StockBalance.on_hand).where(
        StockBalance.item_id == item_id, StockBalance.warehouse_id == warehouse_id))
    if current < 1:
        raise InsufficientStock(sku="RACE-1", warehouse="WH-RACE", on_hand=current, reserved=D(0), requested=D(1))
    time.sleep(0.002)  # widen the window a real server has between the read and the write
    s.execute(update(StockBalance).where(StockBalance.item_id == item_id,
                                         StockBalance.warehouse_id == warehouse_id)
              .values(on_hand=current - 1).execution_options(synchronize_session=False))
    s.commit()


def _deferred_engine(db):  # type: ignore[no-untyped-def]
    """An engine on the same database without the guards' help: plain deferred BEGIN on SQLite."""
    engine = create_engine(db.engine.url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _begin(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN")
    return engine


def test_negative_control_naive_read_compute_write_breaks_the_invariant(db, session, stocked):
    item_id, warehouse_id = stocked
    engine = _deferred_engine(db)
    outcomes = run_together(engine, 16, lambda s, _i: _naive_issue(s, item_id, warehouse_id), repeat=20)
    engine.dispose()
    clean_refusals = len(outcomes.of_type(InsufficientStock))
    oversold_or_lost = on_hand(session, item_id, warehouse_id) != D(100) - len(outcomes.results)
    unclear_failures = len(outcomes.errors) != clean_refusals
    # The contract the guarded ledger meets: exactly 100 succeed, the rest are clean refusals, and
    # the balance agrees with the successes. The naive version must miss at least one of these.
    assert oversold_or_lost or unclear_failures or len(outcomes.results) != 100
