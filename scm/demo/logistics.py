"""Demo logistics: three carriers with tracking URL templates, inbound shipments from demo purchase
orders (one in transit, one late), a shipped transfer in transit, a few outbound shipments (one waiting
for dispatch) and two carrier updates with unknown tracking numbers to review (one a typo of a notice's).
Everything goes through the services, at fixed times derived from `today`."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Carrier, CatalogEntry, Item, Shipment, StockBalance, Supplier, User, Warehouse
from scm.services import portal
from scm.services.kernel.actors import Actor
from scm.services.logistics import shipments as logistics
from scm.services.purchasing import orders as purchasing

CARRIERS = [
    ("DHL", "DHL Express", "https://www.dhl.com/en/express/tracking.html?AWB={tracking}", {"standard": 3, "express": 1}, 24),
    ("UPS", "UPS", "https://www.ups.com/track?tracknum={tracking}", {"standard": 4, "express": 2}, 36),
    ("FEDEX", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={tracking}", {"standard": 4, "priority": 1}, 36),
]


def seed_logistics(session: Session, today: date, actor: Actor) -> dict[str, int]:
    now = datetime.combine(today, time(9), tzinfo=timezone.utc)
    for code, name, template, days, interval in CARRIERS:
        session.add(Carrier(code=code, name=name, tracking_url_template=template, transit_days=days,
                            event_interval_hours=interval))
    session.flush()
    inbound = _inbound(session, today, now, actor)
    warehouses = list(session.scalars(select(Warehouse).order_by(Warehouse.id)))
    transfers = _transfer(session, warehouses, now, actor)
    outbound = _outbound(session, warehouses[0], now, actor)
    unknown = _unknown_tracking(session, now)
    return {"carriers": len(CARRIERS), "inbound_shipments": inbound, "transfers_in_transit": transfers,
            "outbound_shipments": outbound, "unknown_tracking_updates": unknown}


def _inbound(session: Session, today: date, now: datetime, actor: Actor) -> int:
    """Two ACME orders, sent and confirmed, each announced by a shipping notice; the second is late."""
    acme = session.scalar(select(Supplier).where(Supplier.code == "ACME"))
    supplier_user = session.scalar(select(User).where(User.role == "supplier", User.supplier_id == acme.id))
    entries = list(session.scalars(select(CatalogEntry).where(CatalogEntry.supplier_id == acme.id)
                                   .order_by(CatalogEntry.id).limit(4)))
    warehouse = session.scalar(select(Warehouse).order_by(Warehouse.id))
    if supplier_user is None or len(entries) < 2:
        return 0
    buyer, supplier = Actor.system("demo-buyer", via="cli"), Actor.for_user(supplier_user, via="web")
    made = 0
    for number, (chunk, tracking, carrier, delay) in enumerate(((entries[:2], "JD014600006281", "DHL", 0),
                                                                (entries[2:4] or entries[:1], "1Z999AA10123456784", "UPS", 4))):
        ordered = today - timedelta(days=12 + number)
        promised = today + timedelta(days=2 - 3 * number)  # the second was due yesterday
        lines = [(e.item_id, Decimal(max(int(e.moq or 0), 50)), promised) for e in chunk]
        order = purchasing.create_draft(session, supplier_id=acme.id, warehouse_id=warehouse.id, lines=lines,
                                        actor=buyer, as_of=ordered).order
        at = datetime.combine(ordered, time(10), tzinfo=timezone.utc)
        purchasing.submit(session, order.id, actor=buyer, now=at)
        if order.status == "pending_approval":
            purchasing.approve(session, order.id, actor=Actor.system("demo-approver", via="cli"), now=at)
        purchasing.send(session, order.id, actor=buyer, now=at)
        purchasing.confirm(session, order.id, actor=supplier, now=at + timedelta(hours=3))
        shipped = now - timedelta(days=3)
        notice = portal.create_notice(session, acme.id, order.id, actor=supplier, now=shipped, data={
            "carrier": carrier, "tracking_number": tracking, "ship_date": shipped.date(), "expected_arrival": promised},
            lines={line.id: str(line.qty_ordered) for line in order.lines})
        shipment = session.scalar(select(Shipment).where(Shipment.notice_id == notice.id))
        logistics.record_event(session, shipment.id, status="in_transit", occurred_at=shipped + timedelta(hours=20),
                               now=now, source="webhook", actor=actor, event_id=f"demo-{tracking}-1", location="Origin hub")
        logistics.record_event(session, shipment.id, status="at_hub", occurred_at=now - timedelta(hours=3), now=now,
                               source="webhook", actor=actor, event_id=f"demo-{tracking}-2", location="Regional hub",
                               eta=promised + timedelta(days=delay))
        made += 1
    return made


def _transfer(session: Session, warehouses: list[Warehouse], now: datetime, actor: Actor) -> int:
    if len(warehouses) < 2:
        return 0
    stocked = session.execute(select(StockBalance.item_id, StockBalance.on_hand)
                              .where(StockBalance.warehouse_id == warehouses[0].id, StockBalance.on_hand >= 20)
                              .order_by(StockBalance.item_id).limit(1)).first()
    if stocked is None:
        return 0
    logistics.ship_transfer(session, from_warehouse_id=warehouses[0].id, to_warehouse_id=warehouses[1].id,
                            lines=[(stocked.item_id, Decimal(10))], actor=actor, now=now - timedelta(days=1),
                            data={"carrier": "FEDEX", "service": "standard", "tracking_number": "794698651234"})
    return 1


def _outbound(session: Session, warehouse: Warehouse, now: datetime, actor: Actor) -> int:
    rows = session.execute(select(StockBalance.item_id).join(Item, Item.id == StockBalance.item_id)
                           .where(StockBalance.warehouse_id == warehouse.id,
                                  StockBalance.on_hand - StockBalance.reserved >= 10)
                           .order_by(StockBalance.item_id).limit(3)).scalars().all()
    for index, item_id in enumerate(rows):
        shipment = logistics.create_outbound(
            session, warehouse_id=warehouse.id, order_ref=f"SO-{1001 + index}", customer=f"Customer {index + 1}",
            lines=[(item_id, Decimal(2))], actor=actor, now=now - timedelta(days=2 - index),
            data={"carrier": "UPS", "service": "standard", "tracking_number": f"1Z999AA1012345{6790 + index}",
                  "promised_date": now.date() + timedelta(days=index)})
        if index < 2:
            logistics.dispatch_outbound(session, shipment.id, actor=actor, now=now - timedelta(days=2 - index))
        if index == 0:
            logistics.record_event(session, shipment.id, status="delivered", occurred_at=now - timedelta(hours=2),
                                   now=now, source="webhook", actor=actor, event_id="demo-so-1001-delivered")
    return len(rows)


def _unknown_tracking(session: Session, now: datetime) -> int:
    """Two carrier webhooks nobody's shipment matched: a digit swapped in an inbound's tracking number, and noise."""
    system = Actor.system("webhook:DHL", via="api")
    for tracking, event_id, status in (("JD014600006218", "demo-unknown-1", "at_hub"),
                                       ("JD000000000001", "demo-unknown-2", "in_transit")):
        logistics.record_tracking_update(session, carrier_code="DHL", tracking_number=tracking, event_id=event_id,
                                         status=status, occurred_at=now - timedelta(hours=3), now=now - timedelta(hours=2),
                                         source="webhook", actor=system,
                                         payload={"tracking_number": tracking, "status": status, "location": "Leipzig hub"})
    return 2
