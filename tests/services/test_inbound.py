"""What is expected into each warehouse: open PO lines at their planned date, capped by confirmations."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from scm.services.logistics import inbound
from scm.services.purchasing import orders as purchasing, receiving
from scm.services.kernel.actors import Actor
from tests import factories as f

D = Decimal
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def test_open_lines_arrive_on_their_planned_date_and_received_quantity_is_gone(session):  # type: ignore[no-untyped-def]
    supplier, warehouse = f.supplier(session, "ACME"), f.warehouse(session, "MAIN")
    bolt, nut = f.item(session, "BOLT-1"), f.item(session, "NUT-1")
    f.catalog(session, supplier, bolt, lead=7)
    f.catalog(session, supplier, nut, lead=10)
    draft = f.purchase_order(session, supplier, warehouse, [(bolt, 5)])  # committed to: expected too
    order = f.purchase_order(session, supplier, warehouse, [(bolt, 100), (nut, 40)], status="sent")
    bolt_line, nut_line = order.lines
    receiving.receive(session, order.id, lines=[(bolt_line.id, "30", "30", "0", "")],
                      actor=Actor.for_user(f.user(session, "warehouse"), via="web"), now=NOW)

    rows = inbound.expected_receipts(session)

    assert sorted((r.item_id, r.qty_open, r.expected_date, r.status) for r in rows) == [
        (bolt.id, D(5), draft.ordered_on + timedelta(days=7), "draft"),
        (bolt.id, D(70), order.ordered_on + timedelta(days=7), "partially_received"),
        (nut.id, D(40), order.ordered_on + timedelta(days=10), "partially_received")]
    assert all(r.delayed_days == 0 for r in rows)


def test_unsent_orders_are_expected_their_lead_time_after_they_could_leave(session):  # type: ignore[no-untyped-def]
    """A draft, an order pending approval and an approved one count as on order (the plan must not buy
    them twice), at their promised date, else order date + stated lead time; one still unsent days
    after its order date is expected as many days later."""
    supplier, warehouse, bolt = f.supplier(session, "ACME"), f.warehouse(session, "MAIN"), f.item(session, "BOLT-1")
    f.catalog(session, supplier, bolt, lead=7)
    ordered = date(2026, 3, 2)
    promised = purchasing.create_draft(session, supplier_id=supplier.id, warehouse_id=warehouse.id,
                                       actor=f.actor(), as_of=ordered, lines=[(bolt.id, D(4), date(2026, 3, 6))]).order
    pending = f.purchase_order(session, supplier, warehouse, [(bolt, 6)], as_of=ordered)
    purchasing.submit(session, pending.id, actor=f.actor(), now=NOW)     # no approval limit: waits
    approved = f.purchase_order(session, supplier, warehouse, [(bolt, 8)], status="approved", as_of=ordered)
    expected = {r.po_id: (r.status, r.expected_date) for r in inbound.expected_receipts(session, as_of=ordered)}
    assert expected == {promised.id: ("draft", date(2026, 3, 6)), pending.id: ("pending_approval", date(2026, 3, 9)),
                        approved.id: ("approved", date(2026, 3, 9))}
    three_days_later = {r.po_id: r.expected_date for r in inbound.expected_receipts(session, as_of=date(2026, 3, 5))}
    assert three_days_later == {promised.id: date(2026, 3, 9), pending.id: date(2026, 3, 12),
                                approved.id: date(2026, 3, 12)}


def test_partial_confirmation_caps_what_is_expected_and_its_date_wins(session):  # type: ignore[no-untyped-def]
    supplier, warehouse, bolt = f.supplier(session, "ACME"), f.warehouse(session, "MAIN"), f.item(session, "BOLT-1")
    f.catalog(session, supplier, bolt, lead=7)
    user = f.user(session, "supplier", supplier_id=supplier.id)
    order = f.purchase_order(session, supplier, warehouse, [(bolt, 100)], status="sent")
    purchasing.confirm(session, order.id, actor=Actor.for_user(user, via="web"), now=NOW,
                       lines={order.lines[0].id: ("60", date(2026, 4, 1))})

    (row,) = inbound.expected_receipts(session, item_ids=[bolt.id], warehouse_ids=[warehouse.id])

    assert (row.qty_open, row.expected_date) == (D(60), date(2026, 4, 1))
    assert inbound.expected_receipts(session, warehouse_ids=[warehouse.id + 99]) == []


# ---------------------------------------------------------------- logistics moves the plan

from sqlalchemy import select  # noqa: E402

from scm.services.logistics import shipments as logistics
from scm.services.stock import ledger as stock_ledger  # noqa: E402
from tests import logistics_factories as lf  # noqa: E402

SYS = Actor.system("test")


def event(session, shipment, status, hours, event_id, **kw):  # type: ignore[no-untyped-def]
    at = lf.NOW + timedelta(hours=hours)
    return logistics.record_event(session, shipment.id, status=status, occurred_at=at, now=at, source="staff",
                                  actor=SYS, event_id=event_id, **kw)


def test_a_delayed_inbound_shipment_moves_its_quantity_in_projected_receipts(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session, qty=60)
    event(session, shipment, "in_transit", 1, "a", eta=date(2026, 3, 19))
    rows = inbound.expected_receipts(session)
    assert [(r.qty_open, r.expected_date, r.shipment_id is not None) for r in rows] == [
        (D(40), date(2026, 3, 12), False), (D(60), date(2026, 3, 19), True)]
    assert [r.delayed_days for r in rows] == [0, 7]
    event(session, shipment, "delivered", 50, "z")
    assert [(r.qty_open, r.expected_date) for r in inbound.expected_receipts(session)] == [(D(100), date(2026, 3, 12))]


def test_a_shipped_transfer_is_in_transit_then_delivered_through_the_ledger(session):
    lf.carrier(session)
    item, source, target = f.item(session, "TR-1"), f.warehouse(session, "WH-A"), f.warehouse(session, "WH-B")
    f.stock(session, item, source, 10)
    shipment = logistics.ship_transfer(session, from_warehouse_id=source.id, to_warehouse_id=target.id,
                                       lines=[(item.id, D(4))], data={"carrier": "FASTX", "service": "express",
                                                                      "tracking_number": "T-9"},
                                       actor=SYS, now=lf.NOW)
    assert shipment.eta == date(2026, 3, 11)  # ship date + 1 express day
    [moving] = inbound.expected_transfers(session, warehouse_ids=[target.id])
    assert (moving.qty, moving.expected_date, moving.to_warehouse_id) == (D(4), date(2026, 3, 11), target.id)
    balance = {r.warehouse_id: r.on_hand for r in stock_ledger_balances(session, item.id)}
    assert balance == {source.id: D(6)}
    for attempt in range(2):  # a repeated delivery posts nothing twice
        event(session, shipment, "delivered", 20, f"del-{attempt}")
    balance = {r.warehouse_id: r.on_hand for r in stock_ledger_balances(session, item.id)}
    assert balance == {source.id: D(6), target.id: D(4)}
    assert inbound.expected_transfers(session) == [] and stock_ledger.ledger_check(session) == []


def stock_ledger_balances(session, item_id):  # type: ignore[no-untyped-def]
    from scm.models import StockBalance
    session.expire_all()
    return [b for b in session.scalars(select(StockBalance).where(StockBalance.item_id == item_id)) if b.on_hand]


