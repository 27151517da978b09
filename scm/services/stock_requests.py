"""A stock move requested as data (API body, import row): validated, then posted through the ledger."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import StockMove
from scm.services import masterdata, stock_ledger
from scm.services.actors import Actor
from scm.services.errors import NotFound, ValidationFailed

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


def _item_id(session: Session, body: dict) -> int:
    if body.get("item_id") is not None:
        if not isinstance(body["item_id"], int) or isinstance(body["item_id"], bool):
            raise ValidationFailed({"item_id": ["must be an integer"]})
        return masterdata.get_item(session, body["item_id"]).id
    sku = body.get("sku")
    try:
        # Loading the whole row puts it in the identity map, so the ledger's lookups cost nothing.
        return masterdata.item_by_sku(session, sku.strip() if isinstance(sku, str) else "").id
    except NotFound:
        raise ValidationFailed({"sku": [f"no item with SKU '{sku}'" if sku else "required"]}) from None


def _warehouse_id(session: Session, body: dict, key: str) -> int:
    code = body.get(key)
    if not isinstance(code, str) or not code.strip():
        raise ValidationFailed({key: ["required: a warehouse code"]})
    try:
        return masterdata.warehouse_by_code(session, code).id
    except NotFound as missing:
        raise ValidationFailed({key: [missing.message]}) from None


def post_move_request(session: Session, body: dict[str, Any], *, actor: Actor) -> list[StockMove]:
    """Post {kind, sku|item_id, warehouse, quantity, [to_warehouse, reason, unit_cost, note]}.

    `quantity` is positive for receipt, issue and transfer; signed for adjustment.
    """
    kind = body.get("kind")
    if kind not in REQUEST_KINDS:
        raise ValidationFailed({"kind": [f"must be one of: {', '.join(REQUEST_KINDS)}"]})
    note = str(body.get("note") or "")[:500]
    item_id = _item_id(session, body)
    warehouse_id = _warehouse_id(session, body, "warehouse")
    qty = _decimal(body, "quantity", required=True)
    reason = str(body.get("reason") or "")
    if kind == "receipt":
        return [stock_ledger.receive(session, item_id=item_id, warehouse_id=warehouse_id, qty=qty, actor=actor,
                                     unit_cost=_decimal(body, "unit_cost", required=False), note=note,
                                     source_type="api")]
    if kind == "issue":
        return [stock_ledger.issue(session, item_id=item_id, warehouse_id=warehouse_id, qty=qty,
                                   reason=reason or "other", actor=actor, note=note, source_type="api")]
    if kind == "adjustment":
        return [stock_ledger.adjust(session, item_id=item_id, warehouse_id=warehouse_id, qty_delta=qty,
                                    reason=reason, actor=actor, note=note)]
    target = _warehouse_id(session, body, "to_warehouse")
    transfer = stock_ledger.post_transfer(session, from_warehouse_id=warehouse_id, to_warehouse_id=target,
                                          lines=[(item_id, qty)], actor=actor, note=note)
    return list(session.scalars(select(StockMove).where(StockMove.source_type == "transfer",
                                                        StockMove.source_id == transfer.id)
                                .order_by(StockMove.id)))
