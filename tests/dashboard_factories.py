"""Small helpers for dashboard tests: stock moves posted at a chosen instant.

The ledger stamps moves with server time (no back-dating through the service); tests move its clock.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from scm.models import Item, Warehouse
from scm.services.stock import ledger as stock_ledger
from tests import factories as f


class Clock:
    def __init__(self, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
        self.session, self.monkeypatch = session, monkeypatch

    def _at(self, when: datetime) -> None:
        self.monkeypatch.setattr(stock_ledger, "utcnow", lambda: when)

    def receive(self, when: datetime, item: Item, warehouse: Warehouse, qty: int | str) -> int:
        self._at(when)
        return stock_ledger.receive(self.session, item_id=item.id, warehouse_id=warehouse.id,
                                    qty=Decimal(str(qty)), actor=f.actor()).id

    def issue(self, when: datetime, item: Item, warehouse: Warehouse, qty: int | str, reason: str = "sale") -> int:
        self._at(when)
        return stock_ledger.issue(self.session, item_id=item.id, warehouse_id=warehouse.id, qty=Decimal(str(qty)),
                                  reason=reason, actor=f.actor()).id

    def reverse(self, when: datetime, move_id: int) -> None:
        self._at(when)
        stock_ledger.reverse(self.session, move_id=move_id, actor=f.actor())
