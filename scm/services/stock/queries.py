"""Read side of the ledger: balances, an item's moves with running balance, and move feeds."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Numeric, Select, cast, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from scm.models import Item, Reservation, StockBalance, StockMove, Warehouse

BALANCE_SORTS = {"sku": Item.sku, "name": Item.name, "warehouse": Warehouse.code,
                 "on_hand": StockBalance.on_hand, "reserved": StockBalance.reserved}


def _balance_filters(stmt: Select, *, q: str, warehouse_id: int | None, item_id: int | None,
                     only_in_stock: bool) -> Select:
    if q:
        # Match items first (one scan of the item master), then their balances by indexed item_id.
        like = f"%{q.strip()}%"
        stmt = stmt.where(StockBalance.item_id.in_(select(Item.id).where(or_(Item.sku.ilike(like),
                                                                              Item.name.ilike(like)))))
    if warehouse_id:
        stmt = stmt.where(StockBalance.warehouse_id == warehouse_id)
    if item_id:
        stmt = stmt.where(StockBalance.item_id == item_id)
    if only_in_stock:
        stmt = stmt.where(StockBalance.on_hand > 0)
    return stmt


def balance_query(*, q: str = "", warehouse_id: int | None = None, item_id: int | None = None,
                  only_in_stock: bool = False, sort: str = "sku", descending: bool = False) -> Select:
    """Rows of (StockBalance, Item.sku, Item.name, Item.uom, Warehouse.code) for the stock list."""
    stmt = (select(StockBalance.id, StockBalance.item_id, StockBalance.warehouse_id, StockBalance.on_hand,
                   StockBalance.reserved, Item.sku, Item.name, Item.uom, Warehouse.code.label("warehouse"))
            .join(Item, Item.id == StockBalance.item_id)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id))
    stmt = _balance_filters(stmt, q=q, warehouse_id=warehouse_id, item_id=item_id, only_in_stock=only_in_stock)
    column = BALANCE_SORTS.get(sort, Item.sku)
    return stmt.order_by(column.desc() if descending else column.asc(), StockBalance.id)


def balance_count(*, q: str = "", warehouse_id: int | None = None, item_id: int | None = None,
                  only_in_stock: bool = False) -> Select:
    """The number of rows balance_query gives, counted on the balances alone (its joins are 1:1)."""
    return _balance_filters(select(func.count()).select_from(StockBalance), q=q, warehouse_id=warehouse_id,
                            item_id=item_id, only_in_stock=only_in_stock)


def balances_for_item(session: Session, item_id: int) -> list:
    """Every warehouse's balance of one item, with the warehouse code."""
    return list(session.execute(balance_query(item_id=item_id, sort="warehouse")))


def available(session: Session, item_id: int, warehouse_id: int) -> Decimal:
    row = session.execute(select(StockBalance.on_hand, StockBalance.reserved).where(
        StockBalance.item_id == item_id, StockBalance.warehouse_id == warehouse_id)).one_or_none()
    return row.on_hand - row.reserved if row else Decimal("0")


def move_query(*, item_id: int | None = None, warehouse_id: int | None = None, kind: str = "",
               since: datetime | None = None, after_id: int | None = None, newest_first: bool = True) -> Select:
    """Moves with item SKU and warehouse code; `after_id` gives keyset paging for feeds."""
    stmt = (select(StockMove, Item.sku, Warehouse.code.label("warehouse"))
            .join(Item, Item.id == StockMove.item_id).join(Warehouse, Warehouse.id == StockMove.warehouse_id))
    if item_id:
        stmt = stmt.where(StockMove.item_id == item_id)
    if warehouse_id:
        stmt = stmt.where(StockMove.warehouse_id == warehouse_id)
    if kind:
        stmt = stmt.where(StockMove.kind == kind)
    if since:
        stmt = stmt.where(StockMove.posted_at >= since)
    if after_id:
        stmt = stmt.where(StockMove.id > after_id)
    return stmt.order_by(StockMove.id.desc() if newest_first else StockMove.id.asc())


def active_reservations(session: Session, *, warehouse_id: int | None = None, limit: int = 200) -> list:
    stmt = (select(Reservation, Item.sku, Warehouse.code.label("warehouse"))
            .join(Item, Item.id == Reservation.item_id).join(Warehouse, Warehouse.id == Reservation.warehouse_id)
            .where(Reservation.status == "active").order_by(Reservation.id.desc()).limit(limit))
    if warehouse_id:
        stmt = stmt.where(Reservation.warehouse_id == warehouse_id)
    return list(session.execute(stmt))


@dataclass(frozen=True)
class StockValue:
    total: Decimal
    by_warehouse: list[tuple[str, Decimal]]   # (warehouse code, value), largest first

    def of(self, code: str) -> Decimal:
        return next((v for c, v in self.by_warehouse if c == code), Decimal("0.00"))


def stock_values(session: Session) -> StockValue:
    """Stock value: Σ on hand × current unit cost, per warehouse and in total. The one function behind
    every stock value shown (dashboard, stock list, API, export). Summed in the database on the raw
    scaled integers (on_hand ×10^3, unit_cost ×10^4: the product is ×10^7), rounded to cents per
    warehouse; the total is the sum of the warehouses' values."""
    value = func.sum(cast(type_coerce(StockBalance.on_hand, BigInteger), Numeric)
                     * cast(type_coerce(Item.unit_cost, BigInteger), Numeric))
    rows = session.execute(select(Warehouse.code, value.label("v"))
                           .join(StockBalance, StockBalance.warehouse_id == Warehouse.id)
                           .join(Item, Item.id == StockBalance.item_id).group_by(Warehouse.code))
    by_warehouse = sorted(((code, (Decimal(v or 0) / Decimal(10**7)).quantize(Decimal("0.01"))) for code, v in rows),
                          key=lambda r: (-r[1], r[0]))
    return StockValue(sum((v for _c, v in by_warehouse), Decimal("0.00")), by_warehouse)


def stock_value(session: Session) -> Decimal:
    """The total of `stock_values`."""
    return stock_values(session).total


def totals(session: Session) -> dict[str, int]:
    return {
        "items": session.scalar(select(func.count()).select_from(Item).where(Item.active.is_(True))) or 0,
        "warehouses": session.scalar(select(func.count()).select_from(Warehouse)) or 0,
        "moves": session.scalar(select(func.max(StockMove.id))) or 0,
    }
