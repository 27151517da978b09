"""Purchase orders: drafting (catalog prices, MOQ and multiples), approval, and every status transition.

The lifecycle (TRANSITIONS below is the whole rule):

    draft ─submit─► approved (total ≤ the submitter's approval limit) | pending_approval ─approve─► approved
    approved ─send─► sent ─confirm─► confirmed | partially_confirmed      sent ─reject_by_supplier─► rejected
    sent/confirmed/partially_confirmed ─mark_in_transit─► in_transit
    (receiving.receive) ─► partially_received ─► received ─close─► closed     rejected ─close─► closed
    cancel: from any state before the first receipt, with a reason.
    Closing or cancelling ends the order's open inbound shipments (`logistics_arrivals.end_order`).

Every transition is one function: it refuses an illegal move with InvalidTransition naming the current
and the wanted status, records who and when in `purchase_order_events`, stamps the order and writes
the audit log. Services flush; the caller commits. Times are arguments (`now`, `as_of`).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scm.models import (
    CatalogEntry,
    Item,
    PoSequence,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Supplier,
    User,
    Warehouse,
)
from scm.services.kernel import audit, outbox
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    line_labels,
)
from scm.services.purchasing import arrivals as logistics_arrivals
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import mail as purchase_mail
from scm.services.stock import units as units_of_measure
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import profiles as suppliers
from scm.services.suppliers import scorecard_facts
from scm.services.suppliers.allocation import PriceTier, price_for

ZERO = Decimal("0")
QTY = Decimal("0.001")
MONEY = Decimal("0.0001")
BUYER_ROLES = ("admin", "buyer")
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"pending_approval", "approved", "cancelled"}),
    "pending_approval": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"sent", "cancelled"}),
    "sent": frozenset({"confirmed", "partially_confirmed", "rejected", "in_transit", "partially_received",
                       "received", "cancelled"}),
    "confirmed": frozenset({"in_transit", "partially_received", "received", "cancelled"}),
    "partially_confirmed": frozenset({"in_transit", "partially_received", "received", "cancelled"}),
    "in_transit": frozenset({"partially_received", "received", "cancelled"}),
    "partially_received": frozenset({"partially_received", "received", "closed"}),
    "received": frozenset({"closed"}),
    "rejected": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
# The timestamp column each status stamps (the first time it is reached).
STAMPS = {"pending_approval": "submitted_at", "approved": "approved_at", "sent": "sent_at",
          "confirmed": "confirmed_at", "partially_confirmed": "confirmed_at", "rejected": "rejected_at",
          "in_transit": "in_transit_at", "received": "received_at", "closed": "closed_at",
          "cancelled": "cancelled_at"}


class DraftResult(NamedTuple):
    order: PurchaseOrder
    warnings: list[str]


# ---------------------------------------------------------------- loading and access

def get_order(session: Session, po_id: int, *, actor: Actor | None = None) -> PurchaseOrder:
    """The order; NotFound when missing or, for a supplier actor, when it belongs to another supplier."""
    order = session.get(PurchaseOrder, po_id)
    if order is None or (actor is not None and actor.role == "supplier" and actor.supplier_id != order.supplier_id):
        raise NotFound(f"purchase order {po_id} does not exist")
    return order


def lock_order(session: Session, po_id: int, *, actor: Actor | None = None) -> PurchaseOrder:
    """The order, row-locked until the transaction ends (PostgreSQL FOR UPDATE; SQLite transactions
    begin IMMEDIATE), reloaded so its status and lines are what other transactions committed."""
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.id == po_id).with_for_update()
                           .execution_options(populate_existing=True))
    if order is None or (actor is not None and actor.role == "supplier" and actor.supplier_id != order.supplier_id):
        raise NotFound(f"purchase order {po_id} does not exist")
    session.execute(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id)
                    .order_by(PurchaseOrderLine.id).with_for_update()
                    .execution_options(populate_existing=True)).all()
    return order


def history(session: Session, po_id: int) -> list[PurchaseOrderEvent]:
    """Status changes of the order, oldest first."""
    return list(session.scalars(select(PurchaseOrderEvent).where(PurchaseOrderEvent.po_id == po_id)
                                .order_by(PurchaseOrderEvent.id)))


def _require_role(actor: Actor, roles: Sequence[str], what: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(f"a {actor.role} may not {what}")


def _user(session: Session, actor: Actor) -> User | None:
    return session.get(User, actor.user_id) if actor.user_id is not None else None


# ---------------------------------------------------------------- the transition core

def transition(session: Session, order: PurchaseOrder, to_status: str, *, actor: Actor, now: datetime,
               note: str = "") -> PurchaseOrder:
    """Move `order` to `to_status` if TRANSITIONS allows it; stamp, record the event, audit."""
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValidationFailed({"now": ["a timezone-aware datetime is required"]})
    current = order.status
    if to_status not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(f"purchase order {order.number} is {current}; it cannot become {to_status}",
                                current=current, wanted=to_status)
    order.status = to_status
    stamp = STAMPS.get(to_status)
    if stamp and getattr(order, stamp) is None:
        setattr(order, stamp, now)
    session.add(PurchaseOrderEvent(po_id=order.id, at=now, actor_id=actor.user_id, actor_label=actor.label,
                                   from_status=current, to_status=to_status, note=note[:500]))
    session.flush()
    audit.record(session, actor, f"purchase_order.{to_status}", "purchase_order", order.id,
                 before={"status": current}, after={"status": to_status, "number": order.number,
                                                    **({"note": note[:500]} if note else {})})
    return order


def next_number(session: Session, series: str = "PO") -> str:
    """The next number of the series ("PO-000001"...): one guarded UPDATE ... RETURNING on the counter
    row, which stays locked until commit, so numbers are unique, sequential and gap-free."""
    bump = (update(PoSequence).where(PoSequence.name == series)
            .values(last_value=PoSequence.last_value + 1).returning(PoSequence.last_value))
    connection = session.connection()
    value = connection.execute(bump).scalar_one_or_none()
    if value is None:
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(module.insert(PoSequence).values(name=series, last_value=0)
                           .on_conflict_do_nothing(index_elements=["name"]))
        value = connection.execute(bump).scalar_one()
    return f"{series}-{value:06d}"


# ---------------------------------------------------------------- drafting

def parse_quantity(value: Any, key: str, errors: dict, *, allow_zero: bool = False, places: Decimal = QTY) -> Decimal:
    """A non-negative Decimal with at most `places` decimals (3 for quantities, 4 for money)."""
    try:
        qty = Decimal(str(value))
        if not qty.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(f"'{value}' is not a number")
        return ZERO
    digits = -places.as_tuple().exponent
    if qty != qty.quantize(places) or qty < 0 or (qty == 0 and not allow_zero) or qty >= Decimal("1e12"):
        errors.setdefault(key, []).append(f"must be a number greater than zero with at most {digits} decimals"
                                          if not allow_zero else f"must be ≥ 0 with at most {digits} decimals")
        return ZERO
    return qty.quantize(places)


def format_quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def check_terms(sku: str, qty: Decimal, moq: Decimal, multiple: Decimal) -> str | None:
    """Why `qty` breaks the catalog's MOQ or order multiple (None when it does not)."""
    if qty < moq:
        return f"{sku}: {format_quantity(qty)} is below the minimum order quantity of {format_quantity(moq)}"
    if multiple > 0 and (qty / multiple) != (qty / multiple).to_integral_value():
        lower = (qty // multiple) * multiple
        upper = format_quantity(lower + multiple)
        options = f"{format_quantity(lower)} or {upper}" if lower >= max(moq, multiple) else upper
        return f"{sku}: {format_quantity(qty)} is not a multiple of {format_quantity(multiple)} (order {options})"
    return None


def draft_line(session: Session, supplier: Supplier, raw: Sequence[Any], index: int, currency: str,
                as_of: date, errors: dict) -> PurchaseOrderLine | None:
    """One validated line: catalog terms checked, price from the break for the quantity."""
    key = f"lines[{index}]"
    if len(raw) not in (3, 4):
        errors.setdefault(key, []).append("expected (item_id, qty, promised_date[, unit_price])")
        return None
    item = session.get(Item, raw[0])
    if item is None:
        errors.setdefault(key, []).append(f"item {raw[0]} does not exist")
        return None
    qty = parse_quantity(raw[1], key, errors)
    try:
        units_of_measure.check_quantity(session, item, qty, key)  # 1.5 "ea" is refused here, not at receipt
    except ValidationFailed as refused:
        errors.setdefault(key, []).extend(refused.field_errors[key])
    entry = session.scalar(select(CatalogEntry).where(CatalogEntry.supplier_id == supplier.id,
                                                      CatalogEntry.item_id == item.id, CatalogEntry.active.is_(True)))
    if entry is None:
        errors.setdefault(key, []).append(f"{item.sku} is not in {supplier.code}'s active catalog")
    if entry is None or qty == 0:
        return None
    problem = check_terms(item.sku, qty, entry.moq, entry.order_multiple)
    if problem:
        errors.setdefault(key, []).append(problem)
    price = raw[3] if len(raw) == 4 and raw[3] is not None else None
    if price is None:
        tiers = tuple(PriceTier(b.min_qty, b.unit_price, b.currency, b.valid_from, b.valid_to)
                      for b in supplier_catalog.breaks_of(session, entry.id) if b.currency == currency)
        tier = price_for(tiers, qty, as_of)
        if tier is None:
            errors.setdefault(key, []).append(f"{item.sku}: no {currency} price break of {supplier.code} "
                                              f"for {format_quantity(qty)} on {as_of.isoformat()}")
            return None
        price = tier.unit_price
    price = parse_quantity(price, key, errors, allow_zero=True, places=MONEY)
    promised = raw[2]
    if promised is not None and (not isinstance(promised, date) or promised < as_of):
        errors.setdefault(key, []).append(f"{item.sku}: the promised date must be a date on or after the order")
    return PurchaseOrderLine(item_id=item.id, qty_ordered=qty, unit_price=price.quantize(MONEY),
                             stated_lead_time_days=entry.lead_time_days, promised_date=promised)


def _check_header(session: Session, supplier_id: int, warehouse_id: int, lines: Sequence, as_of: date) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    warehouse = session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"warehouse {warehouse_id} does not exist")
    if not warehouse.active:
        raise ValidationFailed({"warehouse_id": [f"{warehouse.code} is inactive"]})
    if not lines:
        raise ValidationFailed({"lines": ["an order needs at least one line"]})
    if not isinstance(as_of, date):
        raise ValidationFailed({"as_of": ["a date is required"]})
    return supplier


def create_draft(session: Session, *, supplier_id: int, warehouse_id: int, lines: Sequence[Sequence[Any]],
                 actor: Actor, as_of: date, currency: str | None = None, notes: str = "") -> DraftResult:
    """A draft order numbered from the PO counter. Each line is (item_id, qty, promised_date or None
    [, unit_price]); the price defaults to the supplier's catalog break for the quantity on `as_of`
    in the order's currency (the supplier's by default).

    Raises ValidationFailed (MOQ, multiple, unknown item, no price: each message names the SKU),
    Conflict when the supplier may not be bought from (blocked, missing certificate), PermissionDenied
    for roles other than admin and buyer. Returns the order and the warnings a buyer should read.
    """
    _require_role(actor, BUYER_ROLES, "create purchase orders")
    supplier = _check_header(session, supplier_id, warehouse_id, lines, as_of)
    currency = (currency or supplier.currency).strip().upper()
    blockers = sorted({b for raw in lines if raw and session.get(Item, raw[0]) is not None
                       for b in suppliers.purchase_blockers(session, supplier.id, raw[0], as_of)})
    if blockers:
        raise Conflict(f"{supplier.code} cannot take this order: " + "; ".join(blockers), blockers=blockers)
    errors: dict[str, list[str]] = {}
    built = [draft_line(session, supplier, raw, i, currency, as_of, errors) for i, raw in enumerate(lines)]
    if errors:
        raise ValidationFailed(errors)
    order = PurchaseOrder(number=next_number(session), supplier_id=supplier.id, warehouse_id=warehouse_id,
                          currency=currency, status="draft", ordered_on=as_of, created_by=actor.user_id,
                          notes=notes)
    session.add(order)
    session.flush()
    for line in built:
        line.po_id = order.id
        session.add(line)
    session.flush()
    session.refresh(order, ["lines"])
    session.add(PurchaseOrderEvent(po_id=order.id, at=order.created_at, actor_id=actor.user_id,
                                   actor_label=actor.label, from_status=None, to_status="draft"))
    audit.record(session, actor, "purchase_order.create", "purchase_order", order.id,
                 after={"number": order.number, "supplier": supplier.code, "currency": currency,
                        "total": str(order_figures.figures_of(order).total), "lines": len(built)})
    warnings = suppliers.purchase_warnings(session, supplier.id, None, as_of)
    for item_id in sorted({line.item_id for line in built}):
        warnings += [w for w in suppliers.purchase_warnings(session, supplier.id, item_id, as_of) if w not in warnings]
    session.flush()
    return DraftResult(order, warnings)


# ---------------------------------------------------------------- approval

def submit(session: Session, po_id: int, *, actor: Actor, now: datetime) -> PurchaseOrder:
    """Submit a draft: approved at once when its total is within the submitter's approval limit,
    otherwise pending approval by someone whose limit covers it."""
    _require_role(actor, BUYER_ROLES, "submit purchase orders")
    order = lock_order(session, po_id)
    user = _user(session, actor)
    limit = user.approval_limit if user is not None else ZERO
    total = order_figures.figures_of(order).total
    if order.status == "draft" and total <= limit:
        transition(session, order, "approved", actor=actor, now=now,
                   note=f"total {total:,.2f} {order.currency} within the limit of {limit:,.2f}")
        order.approved_by = actor.user_id
        order.submitted_at = order.submitted_at or now
        return order
    return transition(session, order, "pending_approval", actor=actor, now=now,
                      note=f"total {total:,.2f} {order.currency} above the limit of {limit:,.2f}")


def approve(session: Session, po_id: int, *, actor: Actor, now: datetime, note: str = "") -> PurchaseOrder:
    """Approve an order pending approval. An admin may approve any total, a buyer one within their
    approval limit; nobody approves an order they created (PermissionDenied)."""
    _require_role(actor, BUYER_ROLES, "approve purchase orders")
    order = lock_order(session, po_id)
    if order.status != "pending_approval":
        raise InvalidTransition(f"purchase order {order.number} is {order.status}; it cannot become approved",
                                current=order.status, wanted="approved")
    if actor.user_id is not None and actor.user_id == order.created_by:
        raise PermissionDenied(f"you created {order.number}; someone else must approve it")
    if actor.role != "admin":
        user = _user(session, actor)
        limit = user.approval_limit if user is not None else ZERO
        total = order_figures.figures_of(order).total
        if total > limit:
            raise PermissionDenied(f"{order.number} totals {total} {order.currency}, above your approval "
                                   f"limit of {limit}")
    transition(session, order, "approved", actor=actor, now=now, note=note)
    order.approved_by = actor.user_id
    return order


# ---------------------------------------------------------------- the supplier side

def send(session: Session, po_id: int, *, actor: Actor, now: datetime) -> PurchaseOrder:
    """Send an approved order to the supplier: whatever the path (the web, the API, the nightly
    auto-order), the e-mail to the supplier's contacts is recorded in the same transaction
    (`outbox.enqueue`) and delivered after the commit; an order whose supplier has no contact e-mail
    is sent all the same and its history says so. Records the scorecard fact. Refused with Conflict
    when the supplier may no longer be bought from (blocked since, certificate expired)."""
    _require_role(actor, BUYER_ROLES, "send purchase orders")
    order = lock_order(session, po_id)
    blockers = sorted({b for line in order.lines
                       for b in suppliers.purchase_blockers(session, order.supplier_id, line.item_id, now.date())})
    if blockers and order.status == "approved":
        raise Conflict(f"{order.number} cannot be sent: " + "; ".join(blockers), blockers=blockers)
    mail = purchase_mail.compose(session, order)
    transition(session, order, "sent", actor=actor, now=now,
               note=f"e-mail to {', '.join(mail.recipients)}" if mail.recipients
               else "no contact of the supplier has an e-mail address: send the order another way")
    order.ordered_on = now.date()  # the supplier's lead time runs from the day it has the order
    if mail.recipients:
        outbox.enqueue(session, to=mail.recipients, subject=mail.subject, body=mail.body, now=now,
                       source_type="purchase_order", source_id=order.id)
    scorecard_facts.record_po_sent(session, supplier_id=order.supplier_id, po_ref=order.number, sent_at=now)
    return order


def _supplier_side(session: Session, po_id: int, actor: Actor, what: str) -> PurchaseOrder:
    """The order for a supplier action: the supplier's own user, or a buyer recording it for them."""
    _require_role(actor, (*BUYER_ROLES, "supplier"), what)
    return lock_order(session, po_id, actor=actor)


def confirm(session: Session, po_id: int, *, actor: Actor, now: datetime,
            lines: dict[int, tuple[Any, date | None]] | None = None, note: str = "") -> PurchaseOrder:
    """The supplier confirms a sent order: `lines` maps a line id to (confirmed qty, confirmed date or
    None for the promised one); lines left out are confirmed in full. Less than ordered on any line
    makes the order partially_confirmed. More than ordered, or a date before the order, is refused."""
    order = _supplier_side(session, po_id, actor, "confirm purchase orders")
    if order.status != "sent":
        raise InvalidTransition(f"purchase order {order.number} is {order.status}; it cannot become confirmed",
                                current=order.status, wanted="confirmed")
    given = dict(lines or {})
    known = {line.id: line for line in order.lines}
    errors: dict[str, list[str]] = {}
    for line_id in sorted(set(given) - set(known)):
        errors.setdefault(f"lines[{line_id}]", []).append(f"line id {line_id} is not on {order.number}")
    answers = []
    for line in order.lines:
        qty, day = given.get(line.id, (line.qty_ordered, None))
        qty = parse_quantity(qty, f"lines[{line.id}]", errors, allow_zero=True)
        problems = errors.setdefault(f"lines[{line.id}]", [])
        if qty > line.qty_ordered:
            problems.append(f"cannot confirm more than the {format_quantity(line.qty_ordered)} ordered")
        if day is not None and (not isinstance(day, date) or day < order.ordered_on):
            problems.append("the confirmed date must be on or after the order date")
        answers.append((line, qty, day or line.promised_date))
    errors = {key: problems for key, problems in errors.items() if problems}
    if errors:
        raise ValidationFailed(errors, labels=line_labels(order.lines, unknown=set(given) - set(known)))
    for line, qty, day in answers:
        line.confirmed_qty, line.confirmed_date = qty, day
    full = all(line.confirmed_qty == line.qty_ordered for line in order.lines)
    transition(session, order, "confirmed" if full else "partially_confirmed", actor=actor, now=now, note=note)
    scorecard_facts.record_confirmation(session, supplier_id=order.supplier_id, po_ref=order.number, confirmed_at=now)
    return order


def reject_by_supplier(session: Session, po_id: int, *, actor: Actor, now: datetime, reason: str) -> PurchaseOrder:
    """The supplier refuses a sent order; a reason is required. The refusal is its response time."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["say why the order is rejected"]})
    order = _supplier_side(session, po_id, actor, "reject purchase orders")
    transition(session, order, "rejected", actor=actor, now=now, note=reason)
    order.reject_reason = reason[:500]
    scorecard_facts.record_confirmation(session, supplier_id=order.supplier_id, po_ref=order.number, confirmed_at=now)
    return order


def mark_in_transit(session: Session, po_id: int, *, actor: Actor, now: datetime, note: str = "") -> PurchaseOrder:
    """The goods have left the supplier (a buyer, or the supplier's own user)."""
    order = _supplier_side(session, po_id, actor, "mark purchase orders in transit")
    return transition(session, order, "in_transit", actor=actor, now=now, note=note)


# ---------------------------------------------------------------- ending an order

def cancel(session: Session, po_id: int, *, actor: Actor, now: datetime, reason: str) -> PurchaseOrder:
    """Cancel an order with a reason, from any state before the first receipt."""
    _require_role(actor, BUYER_ROLES, "cancel purchase orders")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["say why the order is cancelled"]})
    order = lock_order(session, po_id)
    if any(line.qty_received > 0 for line in order.lines):
        raise InvalidTransition(f"purchase order {order.number} has receipts; it cannot become cancelled",
                                current=order.status, wanted="cancelled")
    transition(session, order, "cancelled", actor=actor, now=now, note=reason)
    order.cancel_reason = reason[:500]
    logistics_arrivals.end_order(session, order, actor=actor, now=now)  # nothing will come on its shipments
    return order


def close(session: Session, po_id: int, *, actor: Actor, now: datetime, note: str = "") -> PurchaseOrder:
    """Close a received, partly received (short-closed) or rejected order. Lines of a short-closed
    order that never arrived are recorded as deliveries of 0, so the supplier's fill rate sees them."""
    _require_role(actor, BUYER_ROLES, "close purchase orders")
    order = lock_order(session, po_id)
    short = order.status == "partially_received"
    transition(session, order, "closed", actor=actor, now=now, note=note)
    if short:
        for line in order.lines:
            if line.qty_received == 0:
                _record_undelivered(session, order, line, now.date())
    logistics_arrivals.end_order(session, order, actor=actor, now=now)  # nothing more will come on its shipments
    return order


def _record_undelivered(session: Session, order: PurchaseOrder, line: PurchaseOrderLine, on: date) -> None:
    promised = line.confirmed_date or line.promised_date or order.ordered_on
    scorecard_facts.record_delivery(
        session, supplier_id=order.supplier_id, item_id=line.item_id, ordered_on=order.ordered_on,
        promised_on=max(promised, order.ordered_on), received_on=max(on, order.ordered_on),
        qty_ordered=line.qty_ordered, qty_received=ZERO, unit_price=line.unit_price, currency=order.currency,
        stated_lead_time_days=line.stated_lead_time_days, po_ref=order.number, line_ref=str(line.id),
        receipt_ref=f"{order.number}/L{line.id}/closed")
