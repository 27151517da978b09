"""16 concurrent deliveries of one carrier event give one event row, one status change and one audit
entry (file SQLite here, PostgreSQL with SCM_TEST_DATABASE_URL). A shipped transfer delivered by 16
events at once is received at the destination once."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import AuditEntry, Shipment, ShipmentEvent, StockMove
from scm.services import logistics, stock_ledger, webhooks
from scm.services.actors import Actor
from scm.services.transaction import run_in_transaction
from tests import factories as f
from tests import logistics_factories as lf
from tests.concurrency.harness import run_together

NOW = lf.NOW
BODY = json.dumps({"tracking_number": "TRK-1", "status": "in_transit", "occurred_at": "2026-03-10T09:30:00Z",
                   "eta": "2026-03-13"}).encode()


def test_sixteen_deliveries_of_one_webhook_event_make_one_row(db, session):
    lf.carrier(session)
    shipment_id = lf.notice_shipment(session).id
    session.commit()
    session.close()
    stamp = int(NOW.timestamp())
    headers = {"webhook-id": "msg_race", "webhook-timestamp": str(stamp),
               "webhook-signature": webhooks.sign(lf.SECRET, "msg_race", stamp, BODY)}

    def deliver(s: Session, _index: int) -> str:
        return run_in_transaction(s, lambda: webhooks.handle(s, "FASTX", headers, BODY, [lf.SECRET], now=NOW).outcome)

    outcomes = run_together(db.engine, 16, deliver)
    assert outcomes.errors == []
    assert sorted(outcomes.results) == ["duplicate"] * 15 + ["recorded"]
    rows = session.scalars(select(ShipmentEvent).where(ShipmentEvent.event_id == "msg_race")).all()
    assert len(rows) == 1
    assert session.get(Shipment, shipment_id).status == "in_transit"
    audits = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "shipment.event", AuditEntry.entity_id == str(shipment_id)))
    assert audits == 2  # the notice's pick-up and this one event


def test_sixteen_delivered_events_at_once_receive_a_transfer_once(db, session):
    item, source, target = f.item(session, "RACE-T"), f.warehouse(session, "WH-RA"), f.warehouse(session, "WH-RB")
    f.stock(session, item, source, 10)
    shipment = logistics.ship_transfer(session, from_warehouse_id=source.id, to_warehouse_id=target.id,
                                       lines=[(item.id, Decimal(4))], data={}, actor=f.actor(), now=NOW)
    shipment_id, item_id = shipment.id, item.id
    session.commit()
    session.close()

    def deliver(s: Session, index: int) -> bool:
        return run_in_transaction(s, lambda: logistics.record_event(
            s, shipment_id, status="delivered", occurred_at=NOW, now=NOW, source="staff",
            actor=Actor.system("race"), event_id=f"delivered-{index}")[1])

    outcomes = run_together(db.engine, 16, deliver)
    assert outcomes.errors == []
    ins = session.scalars(select(StockMove).where(StockMove.item_id == item_id, StockMove.kind == "transfer_in")).all()
    assert [m.qty_delta for m in ins] == [Decimal(4)]
    assert stock_ledger.ledger_check(session) == []
    assert session.get(Shipment, shipment_id).delivered_at is not None and date(2026, 3, 10) == NOW.date()
