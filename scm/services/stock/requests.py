"""A stock move requested as data (API body, import row): validated, then posted through the ledger."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, StockMove, Warehouse
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.stock import ledger as stock_ledger
from scm.services.stock import masterdata

REQUEST_KINDS = ("receipt", "issue", "adjustment", "transfer")


def _decimal(body: dict, key: str, *, required: bool) -> Decimal | None:
    raw = body.get(key)
    if raw is None or raw == "":
        if required:
            raise ValidationFailed({key: ["required"]})
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValidationFailed({key: ["must be a number or a numeric string"]})
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationFailed({key: [f"'{raw}' is not a number"]}) from None
    if not value.is_finite():
        raise ValidationFailed({key: ["must be finite"]})
    return value


def _item(session: Session, body: dict) -> Item:
    if body.get("item_id") is not None:
        if not isinstance(body["item_id"], int) or isinstance(body["item_id"], bool):
            raise ValidationFailed({"item_id": ["must be an integer"]})
        return masterdata.get_item(session, body["item_id"])
    sku = body.get("sku")
    try:
        return masterdata.item_by_sku(session, sku.strip() if isinstance(sku, str) else "")
    except NotFound:
        raise ValidationFailed({"sku": [f"no item with SKU '{sku}'" if sku else "required"]}) from None


def _warehouse(session: Session, body: dict, key: str) -> Warehouse:
    code = body.get(key)
    if not isinstance(code, str) or not code.strip():
        raise ValidationFailed({key: ["required: a warehouse code"]})
    try:
        return masterdata.warehouse_by_code(session, code)
    except NotFound as missing:
        raise ValidationFailed({key: [missing.message]}) from None


@dataclass(frozen=True)
class Posted:
    """The moves a request posted, with the labels a response shows (SKU, warehouse codes)."""

    moves: list[StockMove]
    sku: str
    codes: dict[int, str]


def post_move_request(session: Session, body: dict[str, Any], *, actor: Actor) -> Posted:
    """Post {kind, sku|item_id, warehouse, quantity, [to_warehouse, reason, unit_cost, note]}.

    `quantity` is positive for receipt, issue and transfer; signed for adjustment. The item and
    warehouses are held here for the whole posting: the session's identity map keeps clean objects
    only weakly, and the ledger's lookups then cost nothing.
    """
    kind = body.get("kind")
    if kind not in REQUEST_KINDS:
        raise ValidationFailed({"kind": [f"must be one of: {', '.join(REQUEST_KINDS)}"]})
    note = str(body.get("note") or "")[:500]
    item, warehouse = _item(session, body), _warehouse(session, body, "warehouse")
    qty = _decimal(body, "quantity", required=True)
    reason = str(body.get("reason") or "")
    codes = {warehouse.id: warehouse.code}
    if kind == "receipt":
        moves = [stock_ledger.receive(session, item_id=item.id, warehouse_id=warehouse.id, qty=qty, actor=actor,
                                      unit_cost=_decimal(body, "unit_cost", required=False), note=note,
                                      source_type="api")]
    elif kind == "issue":
        moves = [stock_ledger.issue(session, item_id=item.id, warehouse_id=warehouse.id, qty=qty,
                                    reason=reason or "other", actor=actor, note=note, source_type="api")]
    elif kind == "adjustment":
        moves = [stock_ledger.adjust(session, item_id=item.id, warehouse_id=warehouse.id, qty_delta=qty,
                                     reason=reason, actor=actor, note=note)]
    else:
        target = _warehouse(session, body, "to_warehouse")
        codes[target.id] = target.code
        transfer = stock_ledger.post_transfer(session, from_warehouse_id=warehouse.id, to_warehouse_id=target.id,
                                              lines=[(item.id, qty)], actor=actor, note=note)
        moves = list(session.scalars(select(StockMove).where(
            StockMove.source_type == "transfer", StockMove.source_id == transfer.id).order_by(StockMove.id)))
    return Posted(moves, item.sku, codes)
