"""What buyers (and the nightly auto-order) do with suggestions: edit, dismiss, approve.

Approving buy lines creates one draft purchase order per supplier × warehouse through
`purchasing.create_draft` (catalog prices, MOQ and multiples checked there); approving transfer lines
dispatches a shipped transfer through `logistics.ship_transfer` (issued at the source now, in transit
until its delivery event receives it at the destination), so the plan and the board see it on its way. Auto-order drafts, submits (approved only within the
buyer's approval limit) and sends the orders of items whose policy has the auto-order flag; the
buyer is the person who last set the item's policy.

Every action on suggestions takes the plan lock first (`replenishment_lock`), so it never interleaves
with a plan or another buyer's action: a suggestion a newer plan superseded, or one someone else
already approved, is refused with a message saying so. A drafted line is promised on the
suggestion's expected arrival (the allocated supplier's lead time from the plan's day, moved on by
the days since the plan when it is approved later).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from scm.models import (
    CatalogEntry,
    Item,
    PlanRun,
    PurchaseOrder,
    ReplenishmentPolicy,
    Suggestion,
    Supplier,
    User,
    Warehouse,
)
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from scm.services.logistics import shipments as logistics
from scm.services.planning import plan_lock as replenishment_lock
from scm.services.purchasing import orders as purchasing

BUYER_ROLES = ("admin", "buyer")


def _require_buyer(actor: Actor) -> None:
    if actor.role not in BUYER_ROLES:
        raise PermissionDenied("only buyers and admins act on replenishment suggestions")


def latest_run(session: Session) -> PlanRun | None:
    return session.scalar(select(PlanRun).where(PlanRun.status == "ok").order_by(PlanRun.id.desc()))


def suggestions_query(*, warehouse_id: int | None = None) -> Select:
    """Open suggestions with item, warehouse, supplier and source warehouse labels, item by item
    (one statement a page can limit and count)."""
    source = aliased(Warehouse)
    stmt = (select(Suggestion, Item.sku, Item.name, Warehouse.code, Supplier.code, source.code)
            .join(Item, Item.id == Suggestion.item_id).join(Warehouse, Warehouse.id == Suggestion.warehouse_id)
            .outerjoin(Supplier, Supplier.id == Suggestion.supplier_id)
            .outerjoin(source, source.id == Suggestion.from_warehouse_id)
            .where(Suggestion.status == "open"))
    if warehouse_id:
        stmt = stmt.where(Suggestion.warehouse_id == warehouse_id)
    return stmt.order_by(Item.sku, Warehouse.code, Suggestion.kind.desc(), Suggestion.id)


def open_suggestions(session: Session, *, warehouse_id: int | None = None, limit: int = 1000) -> list[Any]:
    """The first `limit` rows of `suggestions_query`."""
    return list(session.execute(suggestions_query(warehouse_id=warehouse_id).limit(limit)))


def _refusal(session: Session, row: Suggestion) -> str:
    """Why a suggestion that is no longer open cannot be acted on, in words a buyer can act on."""
    sku = session.scalar(select(Item.sku).where(Item.id == row.item_id))
    code = session.scalar(select(Warehouse.code).where(Warehouse.id == row.warehouse_id))
    what = f"suggestion {row.id} ({row.kind} {row.qty.normalize():f} of {sku} for {code})"
    if row.status == "superseded":
        newer = latest_run(session)
        when = f" of {newer.started_at:%Y-%m-%d %H:%M} UTC" if newer is not None else ""
        return f"{what} was replaced by a newer plan{when}: nothing was ordered; review the current suggestions"
    if row.status == "approved":
        order = session.get(PurchaseOrder, row.po_id) if row.po_id else None
        return f"{what} was already approved" + (f": {order.number}" if order else "") + "; nothing was ordered twice"
    return f"{what} was {row.status}"


def _lock_open(session: Session, suggestion_ids: list[int], actor: Actor, now: datetime | None,
               wanted: str = "approved") -> list[Suggestion]:
    """Take the plan lock, then read the suggestions as committed (not as this session last saw them)."""
    replenishment_lock.take(session, by=actor.label, now=now)
    rows = {r.id: r for r in session.scalars(select(Suggestion).where(Suggestion.id.in_(suggestion_ids))
                                             .execution_options(populate_existing=True))}
    for suggestion_id in suggestion_ids:
        row = rows.get(suggestion_id)
        if row is None:
            raise NotFound(f"suggestion {suggestion_id} does not exist")
        if row.status != "open":
            raise InvalidTransition(_refusal(session, row), current=row.status, wanted=wanted)
    return [rows[i] for i in suggestion_ids]


def _open(session: Session, suggestion_id: int, actor: Actor) -> Suggestion:
    return _lock_open(session, [suggestion_id], actor, None, wanted="edited")[0]


def update_suggestion(session: Session, suggestion_id: int, *, qty: Any, supplier_id: int | None,
                      actor: Actor) -> Suggestion:
    """Change the quantity (0 dismisses) and, for a buy line, the supplier (one with an active catalog entry)."""
    _require_buyer(actor)
    row = _open(session, suggestion_id, actor)
    errors: dict[str, list[str]] = {}
    amount = purchasing.parse_quantity(qty, "qty", errors, allow_zero=True)
    if row.kind == "buy" and supplier_id and supplier_id != row.supplier_id:
        entry = session.scalar(select(CatalogEntry.id).where(CatalogEntry.item_id == row.item_id,
                                                             CatalogEntry.supplier_id == supplier_id,
                                                             CatalogEntry.active.is_(True)))
        if entry is None:
            errors.setdefault("supplier_id", []).append("this supplier has no active catalog entry for the item")
    if errors:
        raise ValidationFailed(errors)
    before = {"qty": str(row.qty), "supplier_id": row.supplier_id}
    if row.kind == "buy" and supplier_id and supplier_id != row.supplier_id:
        # The plan's arrival was the old supplier's: the draft falls back to the new one's stated lead time.
        row.supplier_id, row.unit_price, row.expected_arrival = supplier_id, None, None
        row.reason = f"changed by {actor.label}; " + row.reason
    row.qty = amount
    if amount == 0:
        row.status = "dismissed"
    audit.record(session, actor, "replenishment.suggestion.update", "replenishment_suggestion", row.id,
                 before=before, after={"qty": str(row.qty), "supplier_id": row.supplier_id, "status": row.status})
    session.flush()
    return row


def save_edits(session: Session, edits: dict[int, tuple[Any, int | None]], *, actor: Actor) -> int:
    """Store what a buyer changed on a page of suggestions: {suggestion id: (quantity, supplier id)}.
    Only open lines whose quantity or supplier differ from what is stored are updated (0 dismisses);
    lines no longer open (approved or superseded meanwhile) are left alone. Returns how many changed."""
    stored = {row.id: row for row in session.scalars(select(Suggestion).where(Suggestion.id.in_(list(edits))))}
    changed = 0
    for suggestion_id, (qty, supplier_id) in sorted(edits.items()):
        current = stored.get(suggestion_id)
        if current is None or current.status != "open":
            continue
        if Decimal(qty or "0") != current.qty or (supplier_id and supplier_id != current.supplier_id):
            update_suggestion(session, suggestion_id, qty=qty or "0", supplier_id=supplier_id, actor=actor)
            changed += 1
    return changed


def supplier_choices(session: Session, item_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """item id -> [(supplier id, "CODE (role)")] of its active catalog entries, for a line's supplier choice."""
    wanted = sorted(set(item_ids))
    out: dict[int, list[tuple[int, str]]] = {}
    if wanted:
        stmt = (select(CatalogEntry.item_id, Supplier.id, Supplier.code, CatalogEntry.role)
                .join(Supplier, Supplier.id == CatalogEntry.supplier_id)
                .where(CatalogEntry.item_id.in_(wanted), CatalogEntry.active.is_(True)).order_by(Supplier.code))
        for item_id, supplier_id, code, role in session.execute(stmt):
            out.setdefault(item_id, []).append((supplier_id, f"{code} ({role})"))
    return out


@dataclass
class ApprovalResult:
    orders: list[PurchaseOrder] = field(default_factory=list)
    transfers: list[int] = field(default_factory=list)
    shipments: list[int] = field(default_factory=list)  # the transfer shipments, in transit
    warnings: list[str] = field(default_factory=list)


def approve(session: Session, suggestion_ids: Iterable[int], *, actor: Actor, now: datetime) -> ApprovalResult:
    """Turn the selected open suggestions into documents: one draft PO per supplier × warehouse for buy
    lines, one shipped transfer (dispatched `now`) per (from, to) warehouse for transfer lines. All or
    nothing (the caller commits).

    Raises ValidationFailed when a buy line has no supplier or the purchasing rules refuse a line.
    """
    _require_buyer(actor)
    ids = sorted(set(suggestion_ids))
    if not ids:
        raise ValidationFailed({"ids": ["select at least one suggestion"]})
    rows = _lock_open(session, ids, actor, now)
    planned_on = _plan_days(session, rows)
    result = ApprovalResult()
    buys: dict[tuple[int, int], list[Suggestion]] = {}
    moves: dict[tuple[int, int], list[Suggestion]] = {}
    for row in (r for r in rows if r.qty > 0):
        if row.kind == "buy" and row.supplier_id is None:
            raise ValidationFailed({f"suggestion[{row.id}]": ["choose a supplier before approving"]})
        target = buys if row.kind == "buy" else moves
        target.setdefault((row.supplier_id or row.from_warehouse_id, row.warehouse_id), []).append(row)
    for (supplier_id, warehouse_id), lines in sorted(buys.items()):
        draft = purchasing.create_draft(session, supplier_id=supplier_id, warehouse_id=warehouse_id, actor=actor,
                                        as_of=now.date(), notes="from replenishment suggestions",
                                        lines=[(s.item_id, s.qty, _promised(s, planned_on, now.date())) for s in lines])
        result.orders.append(draft.order)
        result.warnings += draft.warnings
        for line in lines:
            line.status, line.po_id = "approved", draft.order.id
    for (from_id, to_id), lines in sorted(moves.items()):
        shipment = logistics.ship_transfer(session, from_warehouse_id=from_id, to_warehouse_id=to_id,
                                           lines=[(s.item_id, s.qty) for s in lines], actor=actor, now=now,
                                           data={"notes": "transfer before buy (replenishment)"})
        result.transfers.append(shipment.transfer_id)
        result.shipments.append(shipment.id)
        for line in lines:
            line.status = "approved"
    for row in rows:
        if row.qty == 0:
            row.status = "dismissed"
    session.flush()
    return result


def _plan_days(session: Session, rows: list[Suggestion]) -> dict[int, date]:
    """run id -> the day its plan was made for (one query)."""
    run_ids = sorted({r.run_id for r in rows})
    return dict(session.execute(select(PlanRun.id, PlanRun.as_of).where(PlanRun.id.in_(run_ids))).all())


def _promised(row: Suggestion, planned_on: dict[int, date], today: date) -> date | None:
    """The suggestion's expected arrival; approved days after its plan, as many days later (the lead time
    runs from the order, not from the plan)."""
    if row.expected_arrival is None:
        return None
    made = planned_on.get(row.run_id, today)
    return row.expected_arrival + max(today - made, timedelta(0))


def _buyer_of(session: Session, item_ids: list[int]) -> dict[tuple[int, int], User]:
    """(item, warehouse) -> the active buyer or admin who last set an auto-order policy."""
    stmt = (select(ReplenishmentPolicy.item_id, ReplenishmentPolicy.warehouse_id, User)
            .join(User, User.id == ReplenishmentPolicy.updated_by)
            .where(ReplenishmentPolicy.item_id.in_(item_ids), ReplenishmentPolicy.auto_order.is_(True),
                   User.active.is_(True), User.role.in_(BUYER_ROLES)))
    return {(i, w): user for i, w, user in session.execute(stmt)}


def auto_order(session: Session, run_id: int, *, now: datetime) -> dict[str, int]:
    """Draft, submit and send the auto-order buy lines of a run, per buyer × supplier × warehouse.
    An order above the buyer's approval limit stays pending approval (not sent). A group the
    purchasing rules refuse is skipped and counted (its suggestions stay open for a buyer)."""
    rows = list(session.scalars(select(Suggestion).where(
        Suggestion.run_id == run_id, Suggestion.status == "open", Suggestion.kind == "buy",
        Suggestion.auto_order.is_(True), Suggestion.supplier_id.is_not(None), Suggestion.qty > Decimal(0))))
    buyers = _buyer_of(session, sorted({r.item_id for r in rows}))
    groups: dict[tuple[int, int, int], list[int]] = {}
    for row in rows:
        user = buyers.get((row.item_id, row.warehouse_id))
        if user is not None:
            groups.setdefault((user.id, row.supplier_id, row.warehouse_id), []).append(row.id)
    counts = {"sent": 0, "pending_approval": 0, "refused": 0, "no_buyer": len(rows) - sum(map(len, groups.values()))}
    for (user_id, _supplier, _warehouse), ids in sorted(groups.items()):
        actor = Actor.for_user(session.get(User, user_id), "job")
        try:
            with session.begin_nested():
                order = approve(session, ids, actor=actor, now=now).orders[0]
                purchasing.submit(session, order.id, actor=actor, now=now)
                if order.status == "approved":
                    purchasing.send(session, order.id, actor=actor, now=now)
        except DomainError:
            counts["refused"] += 1
            continue
        counts["sent" if order.status == "sent" else "pending_approval"] += 1
    return counts
