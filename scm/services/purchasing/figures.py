"""An order's figures: the one function behind every total and open quantity a person reads.

Rules (units: quantities in the item's unit, money in the order's currency):
- a line's amount is quantity ordered × unit price, exact (no rounding);
- a line's open quantity is what is still expected: ordered − received, never below 0, and 0 once
  the order has ended (closed, cancelled, rejected: nothing more will come);
- an order's total is Σ line amounts, rounded half-even to 0.0001 (the precision money is stored in);
  its open quantity is Σ line open quantities.

The PO list, the receiving list, the order page, the printable view, the API, the spreadsheet
exports, the supplier e-mail and the approval limit all read these figures from `order_figures`
(set-based, one query for a page of orders) or `figures_of` (an order already loaded, e.g. inside
the transaction that is changing it). The arithmetic is done here on Decimals, never in SQL: the
stored columns are scaled integers (`ScaledDecimal`), and summing them in SQL gives scaled results.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, PurchaseOrderLine
from scm.models.purchasing import ENDED_STATUSES

ZERO = Decimal("0")
MONEY = Decimal("0.0001")
CHUNK = 500


@dataclass(frozen=True)
class LineFigures:
    line_id: int
    amount: Decimal
    open_qty: Decimal


@dataclass(frozen=True)
class OrderFigures:
    po_id: int
    total: Decimal
    open_qty: Decimal
    lines: dict[int, LineFigures]

    def line(self, line_id: int) -> LineFigures:
        return self.lines[line_id]


def compute(po_id: int, status: str, lines: Iterable[tuple[int, Decimal, Decimal, Decimal]]) -> OrderFigures:
    """The figures of one order from its lines as (line id, qty ordered, unit price, qty received). Pure."""
    ended = status in ENDED_STATUSES
    figures = {}
    for line_id, ordered, price, received in lines:
        open_qty = ZERO if ended else max(ordered - received, ZERO)
        figures[line_id] = LineFigures(line_id, ordered * price, open_qty)
    total = sum((f.amount for f in figures.values()), ZERO).quantize(MONEY, rounding=ROUND_HALF_EVEN)
    return OrderFigures(po_id, total, sum((f.open_qty for f in figures.values()), ZERO), figures)


def figures_of(order: PurchaseOrder) -> OrderFigures:
    """The figures of an order whose lines are loaded (no query)."""
    return compute(order.id, order.status, ((line.id, line.qty_ordered, line.unit_price, line.qty_received)
                                            for line in order.lines))


def order_figures(session: Session, po_ids: Collection[int]) -> dict[int, OrderFigures]:
    """po id → figures for every given order: two queries per 500 orders (a page is one chunk;
    an export of every order stays within the databases' limits on bound parameters)."""
    ids = sorted(set(po_ids))
    out: dict[int, OrderFigures] = {}
    for start in range(0, len(ids), CHUNK):
        out.update(_chunk(session, ids[start:start + CHUNK]))
    return out


def _chunk(session: Session, ids: list[int]) -> dict[int, OrderFigures]:
    statuses = dict(session.execute(select(PurchaseOrder.id, PurchaseOrder.status)
                                    .where(PurchaseOrder.id.in_(ids))).all())
    rows: dict[int, list[tuple[int, Decimal, Decimal, Decimal]]] = {po_id: [] for po_id in statuses}
    line = PurchaseOrderLine
    for po_id, line_id, ordered, price, received in session.execute(
            select(line.po_id, line.id, line.qty_ordered, line.unit_price, line.qty_received)
            .where(line.po_id.in_(ids)).order_by(line.po_id, line.id)):
        rows[po_id].append((line_id, ordered, price, received))
    return {po_id: compute(po_id, statuses[po_id], lines) for po_id, lines in rows.items()}
