"""First postings on an (item, warehouse) key that has no balance row yet, raced.

The defect: 16 simultaneous receipts of a new item, and 3–7 of them were refused with
`409 insufficient_stock` ("asked for -1"). The first guarded UPDATE found no row; the row was then
created by another transaction, so this one's `INSERT … ON CONFLICT DO NOTHING` inserted nothing and
the old code gave up instead of trying the UPDATE again.

Each race has a negative control: the same race through the old code path must fail the same
assertions. On SQLite every transaction begins IMMEDIATE, so writers never overlap and the window
cannot open there; the deterministic interleaving test below replays it on both databases.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import StockBalance, StockCount, StockMove
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InsufficientStock
from scm.services.stock.ledger import MoveLine
from scm.services.kernel.transaction import run_in_transaction
from tests import factories as f
from tests.conftest import ON_POSTGRES
from tests.concurrency.harness import run_together

D = Decimal
ACTOR = Actor.system("race", via="cli")
WORKERS = 16


def _old_apply(session: Session, line: MoveLine) -> Decimal:
    """The ledger's `_apply` before the fix: it retried the UPDATE only when *it* created the row."""
    from sqlalchemy import update
    from scm.models import utcnow
    new_on_hand = StockBalance.on_hand + line.qty_delta
    new_reserved = StockBalance.reserved - line.release
    stmt = (update(StockBalance)
            .where(StockBalance.item_id == line.item_id, StockBalance.warehouse_id == line.warehouse_id,
                   new_on_hand >= new_reserved, new_reserved >= 0)
            .values(on_hand=new_on_hand, reserved=new_reserved, updated_at=utcnow())
            .returning(StockBalance.on_hand))
    connection = session.connection()
    after = connection.execute(stmt).scalar_one_or_none()
    if after is None and stock_ledger._ensure_balance_row(session, line.item_id, line.warehouse_id):
        after = connection.execute(stmt).scalar_one_or_none()
    if after is None:
        raise stock_ledger._insufficient(session, line)
    return after


def _new_keys(session, count: int = 1) -> tuple[list[int], int, int]:  # type: ignore[no-untyped-def]
    """`count` new items with stock in a source warehouse, and a target warehouse holding none of them."""
    items = [f.item(session) for _ in range(count)]
    source, target = f.warehouse(session), f.warehouse(session)
    for item in items:
        f.stock(session, item, source, 1000)
    ids = [i.id for i in items], source.id, target.id
    session.commit()
    session.close()  # SQLite: the test's own session must not hold a transaction while workers race
    return ids


def _receive_one(item_id: int, warehouse_id: int):  # type: ignore[no-untyped-def]
    def task(s: Session, _i: int) -> Decimal:
        return run_in_transaction(s, lambda: stock_ledger.receive(
            s, item_id=item_id, warehouse_id=warehouse_id, qty=D(1), actor=ACTOR)).balance_after
    return task


def _assert_every_receipt_posted(session, outcomes, item_id: int, warehouse_id: int) -> None:  # type: ignore
    assert outcomes.errors == [], [str(e) for e in outcomes.errors]
    session.expire_all()
    assert session.scalar(select(StockBalance.on_hand).where(
        StockBalance.item_id == item_id, StockBalance.warehouse_id == warehouse_id)) == D(WORKERS)
    # Every receipt saw its own balance: 1, 2, …, 16 once each.
    assert sorted(outcomes.results) == [D(n) for n in range(1, WORKERS + 1)]
    assert stock_ledger.ledger_check(session) == []


ROUNDS = 5  # a race: several rounds on fresh keys make the old path's failure certain, not lucky


def _race_first_receipts(db, session) -> list[tuple]:  # type: ignore[no-untyped-def]
    """ROUNDS races of WORKERS first receipts, each on a new key: (outcomes, item id, warehouse id)."""
    rounds = []
    for _round in range(ROUNDS):
        [item_id], _source, target = _new_keys(session)
        rounds.append((run_together(db.engine, WORKERS, _receive_one(item_id, target)), item_id, target))
    return rounds


def test_16_first_receipts_of_a_new_item_all_post(db, session):
    for outcomes, item_id, warehouse_id in _race_first_receipts(db, session):
        _assert_every_receipt_posted(session, outcomes, item_id, warehouse_id)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's BEGIN IMMEDIATE serialises writers: the window never opens")
def test_negative_control_the_old_path_refuses_some_first_receipts(db, session, monkeypatch):
    monkeypatch.setattr(stock_ledger, "_apply", _old_apply)
    failed = []
    for outcomes, item_id, warehouse_id in _race_first_receipts(db, session):
        try:
            _assert_every_receipt_posted(session, outcomes, item_id, warehouse_id)
        except AssertionError:
            failed.append(outcomes)
    assert failed, "the old path posted every first receipt: the race test cannot see the defect"
    refused = [e for outcomes in failed for e in outcomes.of_type(InsufficientStock)]
    assert refused and all(e.details["requested"] == D(-1) for e in refused)


def _row_created_by_another_writer(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Replay the losing interleaving in one session: the UPDATE misses, then another transaction
    creates the balance row before this one's INSERT … ON CONFLICT DO NOTHING runs."""
    real = stock_ledger._ensure_balance_row

    def other_writer_first(session: Session, item_id: int, warehouse_id: int) -> bool:
        real(session, item_id, warehouse_id)  # the other transaction's insert, committed in between
        return real(session, item_id, warehouse_id)  # ours: a conflict, nothing inserted (False)
    monkeypatch.setattr(stock_ledger, "_ensure_balance_row", other_writer_first)


def test_a_receipt_posts_when_another_writer_created_the_balance_row_first(session, monkeypatch):
    item, warehouse = f.item(session), f.warehouse(session)
    _row_created_by_another_writer(monkeypatch)
    move = stock_ledger.receive(session, item_id=item.id, warehouse_id=warehouse.id, qty=D(1), actor=ACTOR)
    assert move.balance_after == D(1)
    assert stock_ledger.ledger_check(session) == []


def test_negative_control_the_old_path_refuses_that_receipt(session, monkeypatch):
    item, warehouse = f.item(session), f.warehouse(session)
    _row_created_by_another_writer(monkeypatch)
    monkeypatch.setattr(stock_ledger, "_apply", _old_apply)
    with pytest.raises(InsufficientStock, match="asked for -1"):
        stock_ledger.receive(session, item_id=item.id, warehouse_id=warehouse.id, qty=D(1), actor=ACTOR)


def test_first_transfers_into_a_new_warehouse_all_post(db, session):
    [item_id], source, target = _new_keys(session)

    def transfer(s: Session, _i: int) -> int:
        return run_in_transaction(s, lambda: stock_ledger.post_transfer(
            s, from_warehouse_id=source, to_warehouse_id=target, lines=[(item_id, D(2))], actor=ACTOR)).id

    outcomes = run_together(db.engine, WORKERS, transfer)
    assert outcomes.errors == [], [str(e) for e in outcomes.errors]
    session.expire_all()
    on_hand = dict(session.execute(select(StockBalance.warehouse_id, StockBalance.on_hand).where(
        StockBalance.item_id == item_id)).all())
    assert on_hand == {source: D(1000 - 2 * WORKERS), target: D(2 * WORKERS)}
    assert stock_ledger.ledger_check(session) == []


def test_reservations_on_a_key_without_a_row_are_clean_refusals(db, session):
    [item_id], _source, target = _new_keys(session)

    def reserve(s: Session, i: int) -> int:
        return run_in_transaction(s, lambda: stock_ledger.reserve(
            s, item_id=item_id, warehouse_id=target, qty=D(1), reference=f"SO-{i}", actor=ACTOR)).id

    outcomes = run_together(db.engine, WORKERS, reserve)
    assert outcomes.results == []
    assert len(outcomes.of_type(InsufficientStock)) == WORKERS == len(outcomes.errors)
    assert stock_ledger.ledger_check(session) == []


def test_counts_and_receipts_racing_on_a_key_without_a_row_agree_with_the_ledger(db, session):
    [item_id], _source, target = _new_keys(session)

    def post(s: Session, i: int) -> str:
        if i % 2:
            run_in_transaction(s, lambda: stock_ledger.receive(
                s, item_id=item_id, warehouse_id=target, qty=D(1), actor=ACTOR))
            return "receipt"
        run_in_transaction(s, lambda: stock_ledger.post_count(
            s, warehouse_id=target, counts=[(item_id, D(5))], actor=ACTOR))
        return "count"

    outcomes = run_together(db.engine, WORKERS, post)
    assert outcomes.errors == [], [str(e) for e in outcomes.errors]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(StockCount)) == WORKERS // 2
    on_hand = session.scalar(select(StockBalance.on_hand).where(
        StockBalance.item_id == item_id, StockBalance.warehouse_id == target))
    last = session.scalar(select(StockMove.balance_after).where(
        StockMove.item_id == item_id, StockMove.warehouse_id == target).order_by(StockMove.id.desc()).limit(1))
    assert on_hand == last
    assert stock_ledger.ledger_check(session) == []
