"""What the stock pages share (the route modules import from here, never from each other)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from scm.extensions import db
from scm.services.kernel.errors import ValidationFailed
from scm.services.stock import masterdata


def active_warehouses():  # type: ignore[no-untyped-def]
    return masterdata.list_warehouses(db.session, active_only=True)


def filled_lines(form: Any, field: str, *, once_per_sku: bool = False) -> list[tuple[int, Decimal]]:
    """Filled lines of a multi-line form as (item id, quantity); line numbers name bad SKUs.

    A count must name each SKU once (two figures for one shelf are a mistake); a transfer may repeat.
    """
    lines, errors, first_line = [], {}, {}
    for number, entry in enumerate(form.lines.entries, start=1):
        sku, qty = (entry.form.sku.data or "").strip(), entry.form.quantity.data
        if not sku and qty is None:
            continue
        if once_per_sku and sku in first_line:
            errors.setdefault("lines", []).append(
                f"line {number}: {sku} is counted twice (also on line {first_line[sku]})")
            continue
        first_line.setdefault(sku, number)
        if not sku or qty is None:
            errors.setdefault("lines", []).append(f"line {number}: give both SKU and {field}")
            continue
        try:
            lines.append((masterdata.item_id_for_sku(db.session, sku), qty))
        except ValidationFailed:
            errors.setdefault("lines", []).append(f"line {number}: no item with SKU '{sku}'")
    if errors:
        raise ValidationFailed(errors)
    return lines
