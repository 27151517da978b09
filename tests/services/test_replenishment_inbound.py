"""Replenishment with real logistics (no monkeypatching): a shipment whose carrier moves its ETA, a transfer
in transit, and approved transfer suggestions that ship through logistics."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from scm.models import Shipment, StockBalance, Suggestion, Transfer
from scm.services.logistics import shipments as logistics
from scm.services.planning import approval as replenishment_approval
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf
from tests.services.test_replenishment import AS_OF, NOW, pair_of, run, suggestions, warning_of

D = Decimal


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    """BOLT at MAIN: 10 a day (σ 3), primary ACME with a 7-day lead time (day E = 7)."""
    main = f.warehouse(session, "MAIN", latitude=52.0, longitude=5.0)
    item = f.item(session, "BOLT", abc_class="B")
    acme = f.supplier(session, "ACME")
    sf.entry(session, acme, item, "primary", 100000, lead=7)
    rf.daily_forecast(session, item, main, 10.0, sigma=3.0)
    return main, item, acme


def on_hand(session, item, warehouse):  # type: ignore[no-untyped-def]
    return session.scalar(select(StockBalance.on_hand).where(StockBalance.item_id == item.id,
                                                             StockBalance.warehouse_id == warehouse.id))


def test_a_carrier_moving_the_eta_later_turns_watch_into_critical_and_the_suggestion_bridges_it(
        session, world):  # type: ignore[no-untyped-def]
    main, item, acme = world
    f.stock(session, item, main, 50)                                     # lasts days 0-4
    order = f.purchase_order(session, acme, main, [(item, 150)], status="sent")
    shipment = logistics.create_inbound(session, order.id, {"ship_date": AS_OF, "promised_date": AS_OF + timedelta(4),
                                                            "tracking_number": "TRK-9"},
                                        {order.lines[0].id: "150"}, actor=f.actor(), now=NOW)
    assert shipment.eta == AS_OF + timedelta(days=4)
    run(session)
    warning = warning_of(session, item)
    assert (warning.severity, warning.stockout_on) == ("watch", AS_OF + timedelta(days=20))   # 200 last 20 days
    assert warning.open_orders == [order.number]
    assert [s for s in suggestions(session) if s.kind == "buy"] == []   # position 200 is above S

    logistics.record_event(session, shipment.id, status="in_transit", occurred_at=NOW + timedelta(hours=2),
                           now=NOW + timedelta(hours=2), source="webhook", actor=f.actor(), event_id="carrier-1",
                           eta=AS_OF + timedelta(days=12))
    run(session)
    delayed = warning_of(session, item)
    assert delayed.id == warning.id
    assert (delayed.severity, delayed.stockout_on) == ("critical", AS_OF + timedelta(days=5))  # before the receipt
    assert delayed.qty_short == D(20)                                    # days 5 and 6, before any order can come
    pair = pair_of(session, item, main)
    assert (pair.on_order, pair.position, pair.stockout_day) == (150, 200, 5)
    assert pair.bridge == pytest.approx(70)                              # days 5-11 until the late shipment lands
    (buy,) = [s for s in suggestions(session) if s.kind == "buy"]
    assert buy.supplier_id == acme.id and buy.qty == D(70)
    assert buy.expected_arrival == AS_OF + timedelta(days=7)
    assert "receipts come too late" in buy.details["notes"][0]


def test_a_transfer_in_transit_counts_at_its_destination(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    near = f.warehouse(session, "NEAR", latitude=52.1, longitude=5.1)
    f.stock(session, item, near, 100)
    f.stock(session, item, main, 30)                                     # stock-out day 3: critical
    run(session)
    assert warning_of(session, item).severity == "critical"
    shipment = logistics.ship_transfer(session, from_warehouse_id=near.id, to_warehouse_id=main.id,
                                       lines=[(item.id, D(40))], data={"eta": AS_OF + timedelta(days=2)},
                                       actor=f.actor(), now=NOW)
    pair = pair_of(session, item, main)
    assert (pair.on_hand, pair.in_transit, pair.position) == (30, 40, 70)
    assert pair.stockout_day == 7                                        # 70 last days 0-6
    run(session)
    assert warning_of(session, item).severity == "warning"               # no longer critical: below ROP only
    assert on_hand(session, item, near) == D(60)

    logistics.record_event(session, shipment.id, status="delivered", occurred_at=NOW + timedelta(days=2),
                           now=NOW + timedelta(days=2), source="staff", actor=f.actor())
    pair = pair_of(session, item, main)
    assert (pair.on_hand, pair.in_transit, pair.position) == (70, 0, 70)


def test_approving_transfer_suggestions_ships_them_through_logistics(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    near = f.warehouse(session, "NEAR", latitude=52.1, longitude=5.1)
    rf.daily_forecast(session, item, near, 1.0)
    f.stock(session, item, near, 100)                                    # 86 above its order-up-to level
    f.stock(session, item, main, 30)
    run(session)
    (move,) = [s for s in suggestions(session) if s.kind == "transfer"]
    buyer = Actor.for_user(f.user(session, "buyer", approval_limit=D(100000)), "web")
    result = replenishment_approval.approve(session, [move.id], actor=buyer, now=NOW)

    (shipment_id,) = result.shipments
    shipment = session.get(Shipment, shipment_id)
    transfer = session.get(Transfer, shipment.transfer_id)
    assert (shipment.kind, shipment.status, shipment.from_warehouse_id, shipment.to_warehouse_id) == (
        "transfer", "picked_up", near.id, main.id)
    assert result.transfers == [transfer.id] and transfer.status == "in_transit"
    assert [(line.item_id, line.qty) for line in shipment.lines] == [(item.id, D(86))]
    assert move.status == "approved"
    assert on_hand(session, item, near) == D(14) and on_hand(session, item, main) == D(30)   # left, not arrived
    pair = pair_of(session, item, main)
    assert (pair.in_transit, pair.position) == (86, 116)

    logistics.record_event(session, shipment.id, status="delivered", occurred_at=NOW + timedelta(days=1),
                           now=NOW + timedelta(days=1), source="staff", actor=buyer)
    session.refresh(transfer)
    assert transfer.status == "delivered" and on_hand(session, item, main) == D(116)
    assert session.scalar(select(Suggestion.status).where(Suggestion.id == move.id)) == "approved"
