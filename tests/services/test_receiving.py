"""Receiving: partial and over receipts (tolerance), inspection splits, the ledger effect, scorecard facts."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import DeliveryFact, InspectionFact, StockBalance, StockMove
from scm.services.purchasing import orders as purchasing, receiving
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests import factories as f

D = Decimal
AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=9)


@pytest.fixture
def po(session):  # type: ignore[no-untyped-def]
    supplier = f.supplier(session, "ACME")
    bolt, nut = f.item(session, "BOLT-1"), f.item(session, "NUT-1")
    warehouse = f.warehouse(session, "MAIN")
    f.catalog(session, supplier, bolt, lead=7, breaks=[{"min_qty": "0", "unit_price": "2.00"}])
    f.catalog(session, supplier, nut, lead=7, breaks=[{"min_qty": "0", "unit_price": "0.50"}])
    return f.purchase_order(session, supplier, warehouse, [(bolt, 100), (nut, 40)], status="sent")


@pytest.fixture
def clerk(session) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.for_user(f.user(session, "warehouse"), via="web")


def on_hand(session, line) -> Decimal:  # type: ignore[no-untyped-def]
    balance = session.scalar(select(StockBalance).where(StockBalance.item_id == line.item_id))
    return balance.on_hand if balance else D(0)


def test_a_partial_receipt_posts_accepted_stock_through_the_ledger(session, po, clerk):
    bolt, nut = po.lines
    receipt = receiving.receive(session, po.id, lines=[(bolt.id, D(60), D(60), D(0), "")], actor=clerk, now=LATER)
    assert (po.status, bolt.qty_received, bolt.qty_accepted, nut.qty_received) == (
        "partially_received", D(60), D(60), D(0))
    move = session.scalar(select(StockMove).where(StockMove.source_type == "po_receipt"))
    assert (move.source_id, move.qty_delta, move.kind, move.warehouse_id) == (receipt.id, D(60), "receipt",
                                                                              po.warehouse_id)
    assert receipt.lines[0].stock_move_id == move.id and on_hand(session, bolt) == D(60)
    assert stock_ledger.ledger_check(session) == []


def test_receiving_every_line_in_full_makes_the_order_received(session, po, clerk):
    bolt, nut = po.lines
    receiving.receive(session, po.id, lines=[(bolt.id, D(60), D(60), D(0), "")], actor=clerk, now=LATER)
    receiving.receive(session, po.id, lines=[(bolt.id, D(40), D(40), D(0), ""), (nut.id, D(40), D(40), D(0), "")],
                      actor=clerk, now=LATER + timedelta(days=1))
    assert (po.status, po.received_at) == ("received", LATER + timedelta(days=1))
    assert len(receiving.receipts_of(session, po.id)) == 2
    assert [e.to_status for e in purchasing.history(session, po.id)][-2:] == ["partially_received", "received"]


def test_only_the_accepted_quantity_enters_stock(session, po, clerk):
    bolt = po.lines[0]
    receipt = receiving.receive(session, po.id, lines=[(bolt.id, D(100), D(92), D(8), "scratched")],
                                actor=clerk, now=LATER)
    assert (bolt.qty_received, bolt.qty_accepted, bolt.qty_rejected) == (D(100), D(92), D(8))
    assert (receipt.lines[0].qty_rejected, receipt.lines[0].reject_reason) == (D(8), "scratched")
    assert on_hand(session, bolt) == D(92) and stock_ledger.ledger_check(session) == []


def test_a_fully_rejected_line_posts_no_stock(session, po, clerk):
    bolt = po.lines[0]
    receipt = receiving.receive(session, po.id, lines=[(bolt.id, D(10), D(0), D(10), "wrong part")],
                                actor=clerk, now=LATER)
    assert receipt.lines[0].stock_move_id is None and on_hand(session, bolt) == D(0)
    assert session.scalar(select(StockMove)) is None


@pytest.mark.parametrize("received,accepted,rejected,reason,message", [
    (D(10), D(8), D(1), "bad", "must equal received"),
    (D(10), D(8), D(2), "", "give a reason"),
    (D(-1), D(-1), D(0), "", "≥ 0"),
    (D("1.0001"), D("1.0001"), D(0), "", "3 decimals"),
])
def test_a_bad_inspection_split_is_refused(session, po, clerk, received, accepted, rejected, reason, message):
    with pytest.raises(ValidationFailed, match=message):
        receiving.receive(session, po.id, lines=[(po.lines[0].id, received, accepted, rejected, reason)],
                          actor=clerk, now=LATER)
    assert po.lines[0].qty_received == D(0)


def test_over_receipt_within_the_tolerance_is_taken_and_beyond_it_refused(session, po, clerk):
    bolt = po.lines[0]
    receiving.receive(session, po.id, lines=[(bolt.id, D(60), D(60), D(0), "")], actor=clerk, now=LATER)
    with pytest.raises(ValidationFailed, match=r"BOLT-1: receiving 46 would exceed the 100 ordered plus "
                                               r"5 % tolerance \(60 already received; at most 45 more\)"):
        receiving.receive(session, po.id, lines=[(bolt.id, D(46), D(46), D(0), "")], actor=clerk, now=LATER)
    receiving.receive(session, po.id, lines=[(bolt.id, D(45), D(45), D(0), "")], actor=clerk, now=LATER)
    assert bolt.qty_received == D(105) and on_hand(session, bolt) == D(105)


def test_a_zero_tolerance_takes_exactly_the_ordered_quantity(session, po, clerk):
    nut = po.lines[1]
    with pytest.raises(ValidationFailed, match="would exceed"):
        receiving.receive(session, po.id, lines=[(nut.id, D("40.001"), D("40.001"), D(0), "")], actor=clerk,
                          now=LATER, tolerance=D(0))
    receiving.receive(session, po.id, lines=[(nut.id, D(40), D(40), D(0), "")], actor=clerk, now=LATER,
                      tolerance=D(0))
    assert nut.qty_received == D(40)


def test_a_refused_line_refuses_the_whole_receipt(session, po, clerk):
    bolt, nut = po.lines
    with pytest.raises(ValidationFailed):
        receiving.receive(session, po.id, lines=[(bolt.id, D(10), D(10), D(0), ""), (nut.id, D(50), D(50), D(0), "")],
                          actor=clerk, now=LATER)
    session.rollback()
    assert session.scalar(select(StockMove)) is None


def test_receipts_feed_the_scorecard_facts(session, po, clerk):
    bolt = po.lines[0]
    receiving.receive(session, po.id, lines=[(bolt.id, D(50), D(45), D(5), "dented")], actor=clerk, now=LATER)
    delivery = session.scalar(select(DeliveryFact))
    assert (delivery.po_ref, delivery.line_ref, delivery.ordered_on, delivery.promised_on, delivery.received_on) == (
        po.number, str(bolt.id), AS_OF, AS_OF + timedelta(days=7), LATER.date())
    assert (delivery.qty_ordered, delivery.qty_received, delivery.unit_price, delivery.stated_lead_time_days) == (
        D(100), D(50), D(2), 7)
    inspection = session.scalar(select(InspectionFact))
    assert (inspection.qty_inspected, inspection.qty_accepted, inspection.inspected_on) == (D(50), D(45), LATER.date())
    assert inspection.receipt_ref == delivery.receipt_ref


def test_the_confirmed_date_is_the_promise_the_delivery_is_measured_against(session, po, clerk):
    bolt = po.lines[0]
    purchasing.confirm(session, po.id, lines={bolt.id: (D(100), AS_OF + timedelta(days=12))}, actor=f.actor(),
                       now=NOW + timedelta(hours=2))
    receiving.receive(session, po.id, lines=[(bolt.id, D(100), D(100), D(0), "")], actor=clerk, now=LATER)
    assert session.scalar(select(DeliveryFact.promised_on)) == AS_OF + timedelta(days=12)


def test_receiving_needs_an_open_order_a_receiving_role_and_its_own_lines(session, po, clerk):
    with pytest.raises(PermissionDenied):
        receiving.receive(session, po.id, lines=[(po.lines[0].id, D(1), D(1), D(0), "")],
                          actor=Actor.for_user(f.user(session, "buyer"), via="web"), now=LATER)
    with pytest.raises(ValidationFailed, match="is not on"):
        receiving.receive(session, po.id, lines=[(999999, D(1), D(1), D(0), "")], actor=clerk, now=LATER)
    with pytest.raises(ValidationFailed, match="nothing was received"):
        receiving.receive(session, po.id, lines=[(po.lines[0].id, D(0), D(0), D(0), "")], actor=clerk, now=LATER)
    with pytest.raises(ValidationFailed, match="twice"):
        receiving.receive(session, po.id, lines=[(po.lines[0].id, D(1), D(1), D(0), "")] * 2, actor=clerk, now=LATER)
    purchasing.cancel(session, po.id, actor=f.actor(), now=NOW, reason="not needed")
    with pytest.raises(InvalidTransition, match="is cancelled"):
        receiving.receive(session, po.id, lines=[(po.lines[0].id, D(1), D(1), D(0), "")], actor=clerk, now=LATER)


def test_an_order_not_yet_sent_cannot_be_received(session, po, clerk):
    po.status = "approved"
    session.flush()
    with pytest.raises(InvalidTransition, match="is approved"):
        receiving.receive(session, po.id, lines=[(po.lines[0].id, D(1), D(1), D(0), "")], actor=clerk, now=LATER)


def test_rejected_goods_go_back_to_the_supplier_without_touching_stock(session, po, clerk):
    bolt = po.lines[0]
    receipt = receiving.receive(session, po.id, lines=[(bolt.id, D(20), D(15), D(5), "cracked")], actor=clerk,
                                now=LATER)
    row = receipt.lines[0]
    receiving.return_rejected(session, row.id, qty=D(3), actor=clerk, now=LATER + timedelta(days=1), note="RMA 7")
    with pytest.raises(ValidationFailed, match="at most 2 rejected remains"):
        receiving.return_rejected(session, row.id, qty=D(3), actor=clerk, now=LATER)
    receiving.return_rejected(session, row.id, qty=D(2), actor=clerk, now=LATER + timedelta(days=2))
    assert row.qty_returned == D(5) and on_hand(session, bolt) == D(15)
    assert session.scalar(select(func.count(StockMove.id))) == 1 and stock_ledger.ledger_check(session) == []
    notes = [e.note for e in purchasing.history(session, po.id) if e.from_status == e.to_status]
    assert notes[0] == "returned 3 of BOLT-1 (receipt %d): cracked; RMA 7" % receipt.id
    with pytest.raises(ValidationFailed, match="greater than zero"):
        receiving.return_rejected(session, row.id, qty=D(0), actor=clerk, now=LATER)
    with pytest.raises(PermissionDenied):
        receiving.return_rejected(session, row.id, qty=D(1), actor=Actor.for_user(f.user(session, "viewer"), via="web"),
                                  now=LATER)
