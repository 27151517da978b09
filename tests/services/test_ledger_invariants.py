"""Property-based: any sequence of ledger operations keeps Σ moves = on hand, on hand ≥ 0 and
reserved ≤ on hand, and every refusal leaves the books exactly as they were."""
from __future__ import annotations

import os
from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from scm.models import Reservation, StockBalance, StockMove
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.errors import Conflict, InsufficientStock
from tests import factories as f

EXAMPLES = int(os.environ.get("SCM_FUZZ_EXAMPLES", "25"))
quantities = st.integers(min_value=1, max_value=40).map(Decimal)


class LedgerMachine(RuleBasedStateMachine):
    """Drives the real ledger service on the test database; the model is what Σ moves should give."""

    session = None  # set by the test before running

    @initialize()
    def setup(self) -> None:
        s = self.session
        self.items = [f.item(s).id for _ in range(2)]
        self.warehouses = [f.warehouse(s).id for _ in range(2)]
        self.model: dict[tuple[int, int], Decimal] = {}
        self.reserved: dict[tuple[int, int], Decimal] = {}
        s.commit()

    def _do(self, operation) -> bool:  # type: ignore[no-untyped-def]
        """Run one operation in its own transaction; a refusal must roll back to the same books."""
        try:
            operation()
            self.session.commit()
            return True
        except (InsufficientStock, Conflict):
            self.session.rollback()
            return False

    def _key(self, i: int, w: int) -> tuple[int, int]:
        return self.items[i], self.warehouses[w]

    @rule(i=st.integers(0, 1), w=st.integers(0, 1), qty=quantities)
    def receive(self, i: int, w: int, qty: Decimal) -> None:
        key = self._key(i, w)
        if self._do(lambda: stock_ledger.receive(self.session, item_id=key[0], warehouse_id=key[1], qty=qty,
                                                 actor=f.actor())):
            self.model[key] = self.model.get(key, Decimal(0)) + qty

    @rule(i=st.integers(0, 1), w=st.integers(0, 1), qty=quantities)
    def issue(self, i: int, w: int, qty: Decimal) -> None:
        key = self._key(i, w)
        free = self.model.get(key, Decimal(0)) - self.reserved.get(key, Decimal(0))
        ok = self._do(lambda: stock_ledger.issue(self.session, item_id=key[0], warehouse_id=key[1], qty=qty,
                                                 reason="sale", actor=f.actor()))
        assert ok == (qty <= free)
        if ok:
            self.model[key] -= qty

    @rule(i=st.integers(0, 1), qty=quantities, forward=st.booleans())
    def transfer(self, i: int, qty: Decimal, forward: bool) -> None:
        source, target = (self._key(i, 0), self._key(i, 1)) if forward else (self._key(i, 1), self._key(i, 0))
        free = self.model.get(source, Decimal(0)) - self.reserved.get(source, Decimal(0))
        ok = self._do(lambda: stock_ledger.post_transfer(self.session, from_warehouse_id=source[1],
                                                         to_warehouse_id=target[1], lines=[(source[0], qty)],
                                                         actor=f.actor()))
        assert ok == (qty <= free)
        if ok:
            self.model[source] -= qty
            self.model[target] = self.model.get(target, Decimal(0)) + qty

    @rule(i=st.integers(0, 1), w=st.integers(0, 1), qty=quantities)
    def reserve(self, i: int, w: int, qty: Decimal) -> None:
        key = self._key(i, w)
        free = self.model.get(key, Decimal(0)) - self.reserved.get(key, Decimal(0))
        ok = self._do(lambda: stock_ledger.reserve(self.session, item_id=key[0], warehouse_id=key[1], qty=qty,
                                                   reference="prop", actor=f.actor()))
        assert ok == (qty <= free)
        if ok:
            self.reserved[key] = self.reserved.get(key, Decimal(0)) + qty

    @rule()
    def release_oldest(self) -> None:
        reservation = self.session.scalar(select(Reservation).where(Reservation.status == "active")
                                          .order_by(Reservation.id))
        if reservation is None:
            return
        key, qty = (reservation.item_id, reservation.warehouse_id), reservation.qty
        assert self._do(lambda: stock_ledger.release(self.session, reservation_id=reservation.id, actor=f.actor()))
        self.reserved[key] -= qty

    @rule(i=st.integers(0, 1), w=st.integers(0, 1), counted=st.integers(0, 60).map(Decimal))
    def count(self, i: int, w: int, counted: Decimal) -> None:
        key = self._key(i, w)
        ok = self._do(lambda: stock_ledger.post_count(self.session, warehouse_id=key[1], counts=[(key[0], counted)],
                                                      actor=f.actor()))
        assert ok == (counted >= self.reserved.get(key, Decimal(0)))
        if ok:
            self.model[key] = counted

    @rule(pick=st.integers(0, 10_000))
    def reverse_a_move(self, pick: int) -> None:
        ids = list(self.session.scalars(select(StockMove.id).where(StockMove.kind != "reversal")))
        if not ids:
            return
        move = self.session.get(StockMove, ids[pick % len(ids)])
        legs = [move] if move.source_type != "transfer" else list(self.session.scalars(
            select(StockMove).where(StockMove.source_type == "transfer", StockMove.source_id == move.source_id)))
        if self._do(lambda: stock_ledger.reverse(self.session, move_id=move.id, actor=f.actor())):
            for leg in legs:
                key = (leg.item_id, leg.warehouse_id)
                self.model[key] -= leg.qty_delta

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "model"):
            return
        s = self.session
        assert stock_ledger.ledger_check(s) == []
        for balance in s.scalars(select(StockBalance)):
            key = (balance.item_id, balance.warehouse_id)
            assert balance.on_hand == self.model.get(key, Decimal(0))
            assert Decimal(0) <= balance.reserved <= balance.on_hand
            assert balance.reserved == self.reserved.get(key, Decimal(0))
        total = s.scalar(select(func.coalesce(func.sum(StockMove.qty_delta), 0)))
        assert Decimal(total) == sum(self.model.values(), Decimal(0))


@pytest.mark.parametrize("examples", [EXAMPLES])
def test_ledger_state_machine(session, examples):
    from scm.models import Base
    LedgerMachine.session = session

    def reset() -> None:
        # Each hypothesis example starts from empty books (moves are append-only, so drop via schema).
        session.rollback()
        bind = session.get_bind()
        session.close()
        Base.metadata.drop_all(bind)
        Base.metadata.create_all(bind)

    original_init = LedgerMachine.__init__

    def fresh_init(self):  # type: ignore[no-untyped-def]
        reset()
        original_init(self)

    LedgerMachine.__init__ = fresh_init  # type: ignore[method-assign]
    try:
        run = LedgerMachine.TestCase
        run.settings = settings(max_examples=examples, stateful_step_count=25, deadline=None,
                                suppress_health_check=list(HealthCheck))
        run().runTest()
    finally:
        LedgerMachine.__init__ = original_init  # type: ignore[method-assign]
