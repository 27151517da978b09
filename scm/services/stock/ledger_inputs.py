"""What a stock posting is given, checked before it touches a balance: a quantity, an item, a warehouse.

The ledger (stock_ledger) calls these; the unit-of-measure rule (how many decimals the item's unit
allows) is in units_of_measure and is applied by the ledger after these.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from scm.models import Item, Warehouse
from scm.services.kernel.errors import NotFound, ValidationFailed

QTY_PLACES = Decimal("0.001")  # the ledger stores quantities with 3 decimals
TOO_LARGE = Decimal("1e12")


def quantity(value: Decimal | int | str, field: str = "quantity", *, allow_zero: bool = False) -> Decimal:
    """A finite quantity > 0 (≥ 0 with allow_zero) below 10^12 with at most 3 decimals, as a Decimal."""
    try:
        qty = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed({field: [f"'{value}' is not a number"]}) from None
    if not qty.is_finite():
        raise ValidationFailed({field: ["must be a finite number"]})
    if qty < 0 or (qty == 0 and not allow_zero):
        raise ValidationFailed({field: ["must be greater than zero" if not allow_zero else "must be ≥ 0"]})
    if qty >= TOO_LARGE:
        raise ValidationFailed({field: ["is too large"]})
    if qty != qty.quantize(QTY_PLACES):
        raise ValidationFailed({field: ["at most 3 decimal places"]})
    return qty.quantize(QTY_PLACES)


def item(session: Session, item_id: int, *, for_receipt: bool = False) -> Item:
    found = session.get(Item, item_id)
    if found is None:
        raise NotFound(f"item {item_id} does not exist")
    if for_receipt and not found.active:
        raise ValidationFailed({"item": [f"{found.sku} is inactive; activate it before receiving stock"]})
    return found


def warehouse(session: Session, warehouse_id: int, *, for_receipt: bool = False) -> Warehouse:
    found = session.get(Warehouse, warehouse_id)
    if found is None:
        raise NotFound(f"warehouse {warehouse_id} does not exist")
    if for_receipt and not found.active:
        raise ValidationFailed({"warehouse": [f"{found.code} is inactive"]})
    return found
