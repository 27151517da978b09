"""16 concurrent deliveries of one carrier event give one event row, one status change and one audit
entry (file SQLite here, PostgreSQL with SCM_TEST_DATABASE_URL). A shipped transfer delivered by 16
events at once is received at the destination once. Concurrent events of different statuses leave the
shipment at the highest one.

Negative controls (the way test_stock_races.py does it): the same races through a naive variant, a
check-then-insert in Python on a table without the unique constraint and a read-compute-write of the
status, on an engine where every statement commits on its own (no lock between the check and the
write), DO produce duplicates and a status moved backwards. That proves these tests can see the
failures the unique constraint and the guarded UPDATE prevent."""
from __future__ import annotations

import json
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, func, insert, select, update
from sqlalchemy.orm import Session

from scm.models import AuditEntry, Shipment, ShipmentEvent, StockMove
from scm.models.logistics import STATUS_RANK
from scm.services.logistics import shipments as logistics, webhooks
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from scm.services.kernel.transaction import run_in_transaction
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


PROGRESS = ["picked_up", "in_transit", "at_hub", "out_for_delivery", "delivered"]


def test_sixteen_concurrent_events_of_different_statuses_end_at_the_highest(db, session):
    shipment_id = lf.notice_shipment(session).id
    session.commit()
    session.close()

    def post(s: Session, index: int) -> bool:
        status = PROGRESS[index % len(PROGRESS)]
        return run_in_transaction(s, lambda: logistics.record_event(
            s, shipment_id, status=status, occurred_at=NOW + timedelta(minutes=index), now=NOW, source="staff",
            actor=Actor.system("race"), event_id=f"mixed-{index}")[1])

    outcomes = run_together(db.engine, 16, post)
    assert outcomes.errors == [] and all(outcomes.results)
    assert session.get(Shipment, shipment_id).status == "delivered"


# ---------------------------------------------------------------- negative controls

NAIVE = MetaData()
NAIVE_EVENTS = Table("naive_shipment_events", NAIVE, Column("id", Integer, primary_key=True),
                     Column("shipment_id", Integer), Column("event_id", String(120)))  # no unique constraint


def _autocommit_engine(db):  # type: ignore[no-untyped-def]
    """The same database, every statement its own transaction: nothing holds a lock between a read and
    the write that depends on it (what a naive check-then-act gets from an autocommitting driver)."""
    engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.execute("PRAGMA busy_timeout=30000")
    return engine


@pytest.fixture
def naive_engine(db):  # type: ignore[no-untyped-def]
    engine = _autocommit_engine(db)
    NAIVE.create_all(engine)
    yield engine
    NAIVE.drop_all(engine)
    engine.dispose()


def _naive_record(s: Session, shipment_id: int, event_id: str) -> bool:
    """What the event path must never do: look for the event id in Python, then insert."""
    seen = s.scalar(select(func.count()).select_from(NAIVE_EVENTS).where(
        NAIVE_EVENTS.c.shipment_id == shipment_id, NAIVE_EVENTS.c.event_id == event_id))
    if seen:
        return False
    time.sleep(0.01)  # the window a real server has between the check and the insert
    s.execute(insert(NAIVE_EVENTS).values(shipment_id=shipment_id, event_id=event_id))
    return True


def test_negative_control_check_then_insert_without_the_constraint_duplicates_events(naive_engine):
    outcomes = run_together(naive_engine, 16, lambda s, _i: _naive_record(s, 1, "msg_race"))
    with naive_engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(NAIVE_EVENTS))
    # The guarded path gives exactly one row and fifteen "duplicate" answers; the naive one does not.
    assert outcomes.errors == [] and rows == sum(outcomes.results) > 1


def _naive_advance(s: Session, shipment_id: int, status: str) -> None:
    """What the status update must never do: read the rank, decide in Python, write the new status."""
    rank = s.scalar(select(Shipment.status_rank).where(Shipment.id == shipment_id))
    if STATUS_RANK[status] <= rank:
        return
    time.sleep(0.01)
    s.execute(update(Shipment).where(Shipment.id == shipment_id)
              .values(status=status, status_rank=STATUS_RANK[status]).execution_options(synchronize_session=False))


def test_negative_control_read_compute_write_moves_the_status_backwards(db, session, naive_engine):
    shipment_id = lf.notice_shipment(session).id
    session.commit()
    session.close()
    finals = []
    for _round in range(6):  # one round moves it back with p ~ 13/16; stop at the first that does
        with naive_engine.connect() as conn:
            conn.execute(update(Shipment).where(Shipment.id == shipment_id).values(status="created", status_rank=0))
        outcomes = run_together(naive_engine, 16, lambda s, i: _naive_advance(s, shipment_id, PROGRESS[i % 5]))
        assert outcomes.errors == []
        session.expire_all()
        finals.append(session.get(Shipment, shipment_id).status)
        session.close()
        if finals[-1] != "delivered":
            break
    # Every round saw "delivered" (workers 4, 9 and 14); the guarded path always ends there.
    assert any(final != "delivered" for final in finals), finals
