"""Two suppliers with orders in several states, for the portal's cross-supplier tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, Supplier, User, Warehouse
from scm.services.kernel.actors import Actor
from tests import factories as f

NOW = datetime(2026, 3, 3, 10, tzinfo=timezone.utc)
SHIP = date(2026, 3, 5)


@dataclass
class Side:
    supplier: Supplier
    user: User
    item: Item
    other_item: Item
    sent: PurchaseOrder
    draft: PurchaseOrder
    approved: PurchaseOrder

    @property
    def actor(self) -> Actor:
        return Actor.for_user(self.user, "web")


def side(session: Session, code: str, warehouse: Warehouse) -> Side:
    """A supplier with its portal user, two catalog items, and a sent, a draft and an approved order."""
    supplier = f.supplier(session, code)
    user = f.user(session, "supplier", supplier_id=supplier.id)
    item, other = f.item(session, f"{code}-A"), f.item(session, f"{code}-B")
    f.catalog(session, supplier, item)
    f.catalog(session, supplier, other)
    lines = [(item, 10), (other, 4)]
    return Side(supplier, user, item, other,
                sent=f.purchase_order(session, supplier, warehouse, lines, status="sent"),
                draft=f.purchase_order(session, supplier, warehouse, lines, status="draft"),
                approved=f.purchase_order(session, supplier, warehouse, lines, status="approved"))


def two_suppliers(session: Session) -> tuple[Side, Side]:
    warehouse = f.warehouse(session, "WH-PORTAL")
    return side(session, "ALPHA", warehouse), side(session, "BETA", warehouse)
