"""The stock ledger: the only code that creates stock moves or changes on hand and reserved.

Every posting is one guarded statement per (item, warehouse):
    UPDATE stock_balances SET on_hand = on_hand + :d
     WHERE item_id = :i AND warehouse_id = :w AND on_hand + :d >= reserved RETURNING on_hand
No row back means the stock is not there (InsufficientStock). Documents touch balances in sorted
(item_id, warehouse_id) order so two postings never wait on each other in opposite orders.
Services flush; the caller commits (scm.services.kernel.transaction.run_in_transaction).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scm.models import (
    Item,
    Reservation,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    Transfer,
    TransferLine,
    Warehouse,
    utcnow,
)
from scm.models.base import Quantity
from scm.models.stock import ISSUE_REASONS
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import Conflict, InsufficientStock, NotFound, ValidationFailed
from scm.services.stock import counts as count_review
from scm.services.stock import units as units_of_measure
from scm.services.stock.ledger_inputs import item as _item
from scm.services.stock.ledger_inputs import quantity as _quantity
from scm.services.stock.ledger_inputs import warehouse as _warehouse

ZERO = Decimal("0")


@dataclass(frozen=True)
class MoveLine:
    """One leg of a posting: a signed quantity of one item in one warehouse."""

    item_id: int
    warehouse_id: int
    qty_delta: Decimal
    kind: str
    reason: str = ""
    unit_cost: Decimal | None = None
    release: Decimal = ZERO  # reserved quantity consumed by this leg (issue against a reservation)


# ---------------------------------------------------------------- the guarded core

def _ensure_balance_row(session: Session, item_id: int, warehouse_id: int) -> bool:
    """Create the (item, warehouse) balance row if missing; True when this call created it."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(StockBalance).values(
        item_id=item_id, warehouse_id=warehouse_id, on_hand=ZERO, reserved=ZERO, updated_at=utcnow())
    stmt = stmt.on_conflict_do_nothing(index_elements=["item_id", "warehouse_id"]).returning(StockBalance.id)
    return session.connection().execute(stmt).scalar_one_or_none() is not None


def _insufficient(session: Session, line: MoveLine) -> InsufficientStock:
    balance = session.execute(
        select(StockBalance.on_hand, StockBalance.reserved).where(
            StockBalance.item_id == line.item_id, StockBalance.warehouse_id == line.warehouse_id)
    ).one()
    sku = session.scalar(select(Item.sku).where(Item.id == line.item_id)) or str(line.item_id)
    code = session.scalar(select(Warehouse.code).where(Warehouse.id == line.warehouse_id)) or "?"
    return InsufficientStock(sku=sku, warehouse=code, on_hand=balance.on_hand,
                             reserved=balance.reserved - line.release, requested=-line.qty_delta)


def _apply(session: Session, line: MoveLine) -> Decimal:
    """Apply one leg with the guarded update; returns on hand after it.

    The balance row usually exists, so the update is tried first and the row is created only on a
    miss (one statement instead of two on the hot path). After a miss the update is tried again
    whoever created the row: when a concurrent first posting inserted it, our INSERT … ON CONFLICT
    DO NOTHING waits for that transaction and inserts nothing, yet the row is there to update.
    """
    new_on_hand = StockBalance.on_hand + line.qty_delta
    new_reserved = StockBalance.reserved - line.release
    stmt = (
        update(StockBalance)
        .where(StockBalance.item_id == line.item_id, StockBalance.warehouse_id == line.warehouse_id,
               new_on_hand >= new_reserved, new_reserved >= ZERO)
        .values(on_hand=new_on_hand, reserved=new_reserved, updated_at=utcnow())
        .returning(StockBalance.on_hand)
    )
    connection = session.connection()  # Core execution: this statement runs on every posting
    after = connection.execute(stmt).scalar_one_or_none()
    if after is None:
        _ensure_balance_row(session, line.item_id, line.warehouse_id)
        after = connection.execute(stmt).scalar_one_or_none()
    if after is None:
        raise _insufficient(session, line)
    return after


def post(session: Session, lines: list[MoveLine], *, actor: Actor, source_type: str = "manual",
         source_id: int | None = None, note: str = "", reverses: dict[int, int] | None = None
         ) -> list[StockMove]:
    """Post legs atomically in (item_id, warehouse_id) order and append one move per leg.

    Raises InsufficientStock when a leg would take on hand below reserved; nothing is then kept,
    because the caller rolls the whole transaction back. `reverses` maps a leg index to the move id
    it mirrors.
    """
    order = sorted(range(len(lines)), key=lambda i: (lines[i].item_id, lines[i].warehouse_id, i))
    posted_at = utcnow()
    moves: dict[int, StockMove] = {}
    for index in order:
        line = lines[index]
        after = _apply(session, line)
        moves[index] = StockMove(
            item_id=line.item_id, warehouse_id=line.warehouse_id, qty_delta=line.qty_delta,
            kind=line.kind, reason=line.reason, source_type=source_type, source_id=source_id,
            reverses_move_id=(reverses or {}).get(index), balance_after=after, unit_cost=line.unit_cost,
            actor_id=actor.user_id, posted_at=posted_at, note=note[:500])
    result = [moves[i] for i in range(len(lines))]
    session.add_all(result)
    session.flush()
    return result


# ---------------------------------------------------------------- business operations

def receive(session: Session, *, item_id: int, warehouse_id: int, qty: Decimal, actor: Actor,
            unit_cost: Decimal | None = None, note: str = "", source_type: str = "manual",
            source_id: int | None = None) -> StockMove:
    """Receive `qty` into a warehouse (a positive receipt move)."""
    qty = _quantity(qty)
    item = _item(session, item_id, for_receipt=True)
    units_of_measure.check_quantity(session, item, qty)
    warehouse = _warehouse(session, warehouse_id, for_receipt=True)
    [move] = post(session, [MoveLine(item.id, warehouse.id, qty, "receipt", unit_cost=unit_cost)],
                  actor=actor, source_type=source_type, source_id=source_id, note=note)
    _audit_move(session, actor, "stock.receive", move, item, warehouse)
    return move


def issue(session: Session, *, item_id: int, warehouse_id: int, qty: Decimal, reason: str, actor: Actor,
          note: str = "", reservation_id: int | None = None, source_type: str = "manual",
          source_id: int | None = None) -> StockMove:
    """Issue `qty` out of a warehouse. Reasons sale and consumption count as demand history.

    With `reservation_id`, the reservation is consumed by the issue in the same guarded statement.
    """
    qty = _quantity(qty)
    if reason not in ISSUE_REASONS:
        raise ValidationFailed({"reason": [f"must be one of: {', '.join(ISSUE_REASONS)}"]})
    item, warehouse = _item(session, item_id), _warehouse(session, warehouse_id)
    units_of_measure.check_quantity(session, item, qty)
    release = ZERO
    if reservation_id is not None:
        reservation = _active_reservation(session, reservation_id, item.id, warehouse.id)
        if qty > reservation.qty:
            raise ValidationFailed({"quantity": [f"the reservation holds only {reservation.qty}"]})
        release = qty
        _close_reservation(session, reservation)
    [move] = post(session, [MoveLine(item.id, warehouse.id, -qty, "issue", reason, release=release)],
                  actor=actor, source_type=source_type, source_id=source_id, note=note)
    _audit_move(session, actor, "stock.issue", move, item, warehouse)
    return move


def adjust(session: Session, *, item_id: int, warehouse_id: int, qty_delta: Decimal, reason: str,
           actor: Actor, note: str = "") -> StockMove:
    """Post a signed correction (damage found, stock found); a reason is required."""
    delta = Decimal(str(qty_delta)) if qty_delta is not None else ZERO
    if delta == 0:
        raise ValidationFailed({"quantity": ["an adjustment must change the stock (not 0)"]})
    delta = _quantity(abs(delta)).copy_sign(delta)
    if not reason.strip():
        raise ValidationFailed({"reason": ["say why the stock is adjusted"]})
    item, warehouse = _item(session, item_id), _warehouse(session, warehouse_id)
    units_of_measure.check_quantity(session, item, delta)
    [move] = post(session, [MoveLine(item.id, warehouse.id, delta, "adjustment", reason.strip()[:32])],
                  actor=actor, note=note or reason)
    _audit_move(session, actor, "stock.adjust", move, item, warehouse)
    return move


def _transfer_document(session: Session, from_warehouse_id: int, to_warehouse_id: int,
                       lines: list[tuple[int, Decimal]], actor: Actor, note: str, status: str) -> Transfer:
    if from_warehouse_id == to_warehouse_id:
        raise ValidationFailed({"to_warehouse": ["choose a different warehouse to transfer to"]})
    if not lines:
        raise ValidationFailed({"lines": ["a transfer needs at least one line"]})
    source = _warehouse(session, from_warehouse_id)
    target = _warehouse(session, to_warehouse_id, for_receipt=True)
    merged: dict[int, Decimal] = {}
    for item_id, qty in lines:
        merged[_item(session, item_id, for_receipt=True).id] = merged.get(item_id, ZERO) + _quantity(qty)
    units_of_measure.check_lines(session, [(i, q) for i, q in lines])
    transfer = Transfer(from_warehouse_id=source.id, to_warehouse_id=target.id, note=note[:500],
                        created_by=actor.user_id, status=status)
    transfer.lines = [TransferLine(item_id=i, qty=q) for i, q in sorted(merged.items())]
    session.add(transfer)
    session.flush()
    return transfer


def _audit_transfer(session: Session, actor: Actor, action: str, transfer: Transfer) -> None:
    audit.record(session, actor, action, "transfer", transfer.id, after={
        "from": transfer.from_warehouse.code, "to": transfer.to_warehouse.code, "status": transfer.status,
        "lines": {str(line.item_id): str(line.qty) for line in transfer.lines}})


def post_transfer(session: Session, *, from_warehouse_id: int, to_warehouse_id: int,
                  lines: list[tuple[int, Decimal]], actor: Actor, note: str = "") -> Transfer:
    """Move stock between two warehouses as one document: every line out and in, or nothing."""
    transfer = _transfer_document(session, from_warehouse_id, to_warehouse_id, lines, actor, note, "posted")
    legs = [leg for line in transfer.lines for leg in (
        MoveLine(line.item_id, transfer.from_warehouse_id, -line.qty, "transfer_out"),
        MoveLine(line.item_id, transfer.to_warehouse_id, line.qty, "transfer_in"))]
    post(session, legs, actor=actor, source_type="transfer", source_id=transfer.id, note=note)
    _audit_transfer(session, actor, "stock.transfer", transfer)
    return transfer


def dispatch_transfer(session: Session, *, from_warehouse_id: int, to_warehouse_id: int,
                      lines: list[tuple[int, Decimal]], actor: Actor, note: str = "") -> Transfer:
    """A shipped transfer leaves: every line is issued from the source (transfer_out) and is in transit
    until `deliver_transfer` receives it at the destination. All lines or nothing."""
    transfer = _transfer_document(session, from_warehouse_id, to_warehouse_id, lines, actor, note, "in_transit")
    post(session, [MoveLine(line.item_id, transfer.from_warehouse_id, -line.qty, "transfer_out")
                   for line in transfer.lines], actor=actor, source_type="transfer", source_id=transfer.id, note=note)
    _audit_transfer(session, actor, "stock.transfer_dispatch", transfer)
    return transfer


def deliver_transfer(session: Session, *, transfer_id: int, actor: Actor, now: Any) -> bool:
    """Receive a transfer in transit at its destination (transfer_in legs). Idempotent: one guarded
    status update claims the delivery, so a repeat (or a racing second call) posts nothing: False."""
    claimed = session.execute(update(Transfer).where(Transfer.id == transfer_id, Transfer.status == "in_transit")
                              .values(status="delivered", delivered_at=now).returning(Transfer.id)
                              .execution_options(synchronize_session=False)).scalar_one_or_none()
    if claimed is None:
        if session.get(Transfer, transfer_id) is None:
            raise NotFound(f"transfer {transfer_id} does not exist")
        return False
    transfer = session.get(Transfer, transfer_id)
    session.refresh(transfer)
    post(session, [MoveLine(line.item_id, transfer.to_warehouse_id, line.qty, "transfer_in") for line in transfer.lines],
         actor=actor, source_type="transfer", source_id=transfer.id, note=f"transfer {transfer.id} delivered")
    _audit_transfer(session, actor, "stock.transfer_deliver", transfer)
    return True


def post_count(session: Session, *, warehouse_id: int, counts: list[tuple[int, Decimal]], actor: Actor,
               note: str = "", limits: count_review.VarianceLimits | None = None,
               confirmed_large: str | None = None, reviewed: str | None = None) -> StockCount:
    """Record a cycle count and post each difference between counted and system quantity.

    Set-based, because a count covers a whole warehouse: balances are locked in item order, checked,
    and written with one executemany. A count below what is reserved is refused. With `limits`, large
    variances are refused (count_review.LargeCountVariance) unless `confirmed_large` is the token of
    exactly those lines as they stand now, under the lock. The difference is always taken against on
    hand at posting; `reviewed` (the token of the review the person saw) only tells
    `count.changed_since_review` whether on hand moved in between.
    """
    warehouse, seen = count_review.validated(session, warehouse_id, counts)
    count = StockCount(warehouse_id=warehouse.id, note=note[:500], created_by=actor.user_id)
    session.add(count)
    session.flush()
    system = _lock_balances(session, warehouse.id, sorted(seen))
    figures = [(item_id, system[item_id][1], counted) for item_id, counted in seen.items()]
    if limits is not None:
        count_review.require_confirmation(session, warehouse, figures, limits, confirmed_large)
    now, legs, moves, lines = utcnow(), [], [], []
    for item_id, counted in sorted(seen.items()):
        balance_id, on_hand, reserved = system[item_id]
        lines.append({"count_id": count.id, "item_id": item_id, "counted_qty": counted, "system_qty": on_hand})
        if counted < reserved:
            raise _insufficient(session, MoveLine(item_id, warehouse.id, counted - on_hand, "count"))
        if counted != on_hand:
            legs.append({"balance_id": balance_id, "counted": counted})
            moves.append({"item_id": item_id, "warehouse_id": warehouse.id, "qty_delta": counted - on_hand,
                          "kind": "count", "reason": "cycle_count", "source_type": "count", "source_id": count.id,
                          "balance_after": counted, "actor_id": actor.user_id, "posted_at": now,
                          "note": note[:500]})
    # Core executemany (pipelined by psycopg): a count can have 100k lines; the ORM's bulk paths, or
    # multi-row VALUES statements that SQLAlchemy cannot cache, cost several times more.
    connection = session.connection()
    _insert_many(connection, StockCountLine.__table__, lines)
    if legs:
        # Rows are locked (FOR UPDATE; IMMEDIATE on SQLite) and checked above; CHECKs back this up.
        balances = StockBalance.__table__
        connection.execute(balances.update().where(balances.c.id == bindparam("balance_id"))
                           .values(on_hand=bindparam("counted", type_=Quantity()), updated_at=now), legs)
        _insert_many(connection, StockMove.__table__, moves)
    session.flush()
    count.differences_posted = len(legs)
    count.changed_since_review = reviewed is not None and reviewed != count_review.digest(warehouse.id, figures)
    audit.record(session, actor, "stock.count", "stock_count", count.id, after={
        "warehouse": warehouse.code, "lines": len(seen), "differences": len(legs)})
    return count


CHUNK = 5000  # stays under every database's bound-parameter limit


def _insert_many(connection: Any, table: Any, rows: list[dict]) -> None:
    if rows:
        connection.execute(table.insert(), rows)


def _lock_balances(session: Session, warehouse_id: int, item_ids: list[int]) -> dict[int, tuple]:
    """(balance id, on hand, reserved) per item, creating missing rows, locked in item order."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    out: dict[int, tuple] = {}

    def lock(chunk: list[int]) -> None:
        rows = session.execute(
            select(StockBalance.id, StockBalance.item_id, StockBalance.on_hand, StockBalance.reserved)
            .where(StockBalance.warehouse_id == warehouse_id, StockBalance.item_id.in_(chunk))
            .order_by(StockBalance.item_id).with_for_update())
        out.update({r.item_id: (r.id, r.on_hand, r.reserved) for r in rows})

    for start in range(0, len(item_ids), CHUNK):
        lock(item_ids[start:start + CHUNK])
    missing = [i for i in item_ids if i not in out]
    if missing:
        now = utcnow()
        session.connection().execute(
            module.insert(StockBalance.__table__).on_conflict_do_nothing(index_elements=["item_id", "warehouse_id"]),
            [{"item_id": i, "warehouse_id": warehouse_id, "on_hand": ZERO, "reserved": ZERO, "updated_at": now}
             for i in missing])
        for start in range(0, len(missing), CHUNK):
            lock(missing[start:start + CHUNK])
    return out


def reverse(session: Session, *, move_id: int, actor: Actor, note: str = "") -> list[StockMove]:
    """Undo a posted move by posting its mirror; a transfer leg reverses the whole transfer.

    Posted moves are never edited. A move can be reversed once; a reversal is not reversed again.
    """
    move = session.get(StockMove, move_id)
    if move is None:
        raise NotFound(f"stock move {move_id} does not exist")
    if move.kind == "reversal":
        raise Conflict("a reversal cannot itself be reversed; post a new move instead")
    originals = [move]
    if move.source_type == "transfer":
        originals = list(session.scalars(select(StockMove).where(
            StockMove.source_type == "transfer", StockMove.source_id == move.source_id,
            StockMove.kind.in_(("transfer_out", "transfer_in"))).order_by(StockMove.id)))
    already = session.scalar(select(func.count()).select_from(StockMove).where(
        StockMove.reverses_move_id.in_([m.id for m in originals])))
    if already:
        raise Conflict(f"move {move_id} has already been reversed")
    legs = [MoveLine(m.item_id, m.warehouse_id, -m.qty_delta, "reversal", m.kind) for m in originals]
    moves = post(session, legs, actor=actor, source_type=move.source_type, source_id=move.source_id,
                 note=note or f"reversal of move {move_id}", reverses={i: m.id for i, m in enumerate(originals)})
    audit.record(session, actor, "stock.reverse", "stock_move", move_id,
                 after={"reversal_moves": [m.id for m in moves]})
    return moves


# ---------------------------------------------------------------- reservations

def reserve(session: Session, *, item_id: int, warehouse_id: int, qty: Decimal, reference: str,
            actor: Actor) -> Reservation:
    """Set stock aside for a document; refused when less is available than asked."""
    qty = _quantity(qty)
    item, warehouse = _item(session, item_id), _warehouse(session, warehouse_id)
    units_of_measure.check_quantity(session, item, qty)
    _ensure_balance_row(session, item.id, warehouse.id)
    stmt = (update(StockBalance)
            .where(StockBalance.item_id == item.id, StockBalance.warehouse_id == warehouse.id,
                   StockBalance.reserved + qty <= StockBalance.on_hand)
            .values(reserved=StockBalance.reserved + qty, updated_at=utcnow())
            .returning(StockBalance.reserved).execution_options(synchronize_session=False))
    if session.execute(stmt).scalar_one_or_none() is None:
        raise _insufficient(session, MoveLine(item.id, warehouse.id, -qty, "reserve"))
    reservation = Reservation(item_id=item.id, warehouse_id=warehouse.id, qty=qty,
                              reference=reference[:120], created_by=actor.user_id)
    session.add(reservation)
    session.flush()
    audit.record(session, actor, "stock.reserve", "reservation", reservation.id, after={
        "item": item.sku, "warehouse": warehouse.code, "qty": str(qty), "reference": reference})
    return reservation


def release(session: Session, *, reservation_id: int, actor: Actor) -> Reservation:
    """Give reserved stock back to available."""
    reservation = _active_reservation(session, reservation_id)
    session.execute(update(StockBalance)
                    .where(StockBalance.item_id == reservation.item_id,
                           StockBalance.warehouse_id == reservation.warehouse_id)
                    .values(reserved=StockBalance.reserved - reservation.qty, updated_at=utcnow())
                    .execution_options(synchronize_session=False))
    _close_reservation(session, reservation)
    audit.record(session, actor, "stock.release", "reservation", reservation.id,
                 before={"status": "active"}, after={"status": "released"})
    return reservation


def _active_reservation(session: Session, reservation_id: int, item_id: int | None = None,
                        warehouse_id: int | None = None) -> Reservation:
    reservation = session.get(Reservation, reservation_id, with_for_update=True)
    if reservation is None:
        raise NotFound(f"reservation {reservation_id} does not exist")
    if reservation.status != "active":
        raise Conflict(f"reservation {reservation_id} is already {reservation.status}")
    if item_id is not None and (reservation.item_id, reservation.warehouse_id) != (item_id, warehouse_id):
        raise ValidationFailed({"reservation": ["the reservation is for another item or warehouse"]})
    return reservation


def _close_reservation(session: Session, reservation: Reservation) -> None:
    reservation.status = "released"
    reservation.released_at = utcnow()
    session.flush()


def _audit_move(session: Session, actor: Actor, action: str, move: StockMove, item: Item,
                warehouse: Warehouse) -> None:
    audit.record(session, actor, action, "stock_move", move.id, after={
        "item": item.sku, "warehouse": warehouse.code, "qty_delta": str(move.qty_delta),
        "reason": move.reason, "balance_after": str(move.balance_after)})


# ---------------------------------------------------------------- integrity

@dataclass(frozen=True)
class Drift:
    item_id: int
    warehouse_id: int
    field: str
    ledger: Decimal
    balance: Decimal


def ledger_check(session: Session) -> list[Drift]:
    """Recompute on hand from Σ moves and reserved from active reservations; report every difference."""
    moved = {(r.item_id, r.warehouse_id): r.total for r in session.execute(
        select(StockMove.item_id, StockMove.warehouse_id, func.sum(StockMove.qty_delta).label("total"))
        .group_by(StockMove.item_id, StockMove.warehouse_id))}
    held = {(r.item_id, r.warehouse_id): r.total for r in session.execute(
        select(Reservation.item_id, Reservation.warehouse_id, func.sum(Reservation.qty).label("total"))
        .where(Reservation.status == "active").group_by(Reservation.item_id, Reservation.warehouse_id))}
    balances = {(b.item_id, b.warehouse_id): b for b in session.execute(
        select(StockBalance.item_id, StockBalance.warehouse_id, StockBalance.on_hand, StockBalance.reserved))}
    drifts: list[Drift] = []
    for key in sorted(set(moved) | set(held) | set(balances)):
        row = balances.get(key)
        on_hand, reserved = (row.on_hand, row.reserved) if row else (ZERO, ZERO)
        # func.sum keeps the column type, so sums come back as Decimals already unscaled.
        ledger_on_hand = moved.get(key) or ZERO
        ledger_reserved = held.get(key) or ZERO
        if ledger_on_hand != on_hand:
            drifts.append(Drift(key[0], key[1], "on_hand", ledger_on_hand, on_hand))
        if ledger_reserved != reserved:
            drifts.append(Drift(key[0], key[1], "reserved", ledger_reserved, reserved))
    return drifts

