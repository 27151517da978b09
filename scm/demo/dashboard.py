"""Demo activity for the dashboard: this week's sales (so turnover and stock-outs have figures) and
purchase orders waiting for approval and for supplier confirmation."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, StockBalance, Supplier, User, Warehouse
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import DomainError
from scm.services.purchasing import orders as purchasing
from scm.services.stock import ledger as stock_ledger


def seed_activity(session: Session, *, today: date, actor: Actor) -> dict[str, int]:
    """Issue ~30 % of a third of the balances as sales, empty a few (stock-outs), and raise three orders."""
    balances = session.execute(select(StockBalance.item_id, StockBalance.warehouse_id, StockBalance.on_hand)
                               .order_by(StockBalance.item_id, StockBalance.warehouse_id)).all()
    sales = emptied = 0
    for n, (item_id, warehouse_id, on_hand) in enumerate(balances):
        if n % 37 == 5:
            qty, emptied = on_hand, emptied + 1
        elif n % 3 == 0:
            qty = (on_hand * Decimal("0.3")).quantize(Decimal(1))
        else:
            continue
        if qty > 0:
            stock_ledger.issue(session, item_id=item_id, warehouse_id=warehouse_id, qty=qty, reason="sale",
                               actor=actor, note="demo sales")
            sales += 1
    return {"sales": sales, "stock_outs": emptied, "orders": _orders(session, today, actor)}


def _orders(session: Session, today: date, actor: Actor) -> int:
    """Three primary-source orders from the system (over its approval limit of 0: pending approval);
    an admin approves and sends two of them, which then wait for the supplier's confirmation."""
    admin = session.scalar(select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id))
    warehouse_id = session.scalar(select(Warehouse.id).order_by(Warehouse.id))
    entries = session.scalars(select(CatalogEntry).join(Supplier, Supplier.id == CatalogEntry.supplier_id)
                              .where(CatalogEntry.role == "primary", CatalogEntry.active.is_(True),
                                     Supplier.status == "active")
                              .order_by(CatalogEntry.id).limit(3)).all()
    now = datetime.combine(today, time(7), tzinfo=timezone.utc)
    made = 0
    for n, entry in enumerate(entries):
        qty = max(entry.moq, entry.order_multiple * 20)
        try:
            draft = purchasing.create_draft(session, supplier_id=entry.supplier_id, warehouse_id=warehouse_id,
                                            lines=[(entry.item_id, qty, None)], actor=actor, as_of=today)
            order = draft[0]
            purchasing.submit(session, order.id, actor=actor, now=now)
            if n > 0 and admin is not None and order.status == "pending_approval":
                approver = Actor.for_user(admin, "cli")
                purchasing.approve(session, order.id, actor=approver, now=now)
                purchasing.send(session, order.id, actor=approver, now=now)
            made += 1
        except DomainError:   # a blocked supplier or a missing price: the demo simply has one order fewer
            continue
    return made
