"""Small factories for logistics tests: carriers, a sent PO with a shipping notice, shipments."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy.orm import Session

from scm.models import Carrier, Shipment
from scm.services import portal
from scm.services.logistics import shipments as logistics
from scm.services.purchasing import orders as purchasing
from scm.services.kernel.actors import Actor
from tests import factories as f

NOW = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)
SECRET = "whsec_" + "c2VjcmV0LWtleS1vZi10aGUtY2Fycmllcg=="  # base64("secret-key-of-the-carrier")


def carrier(session: Session, code: str = "FASTX", *, interval: int = 48) -> Carrier:
    row = Carrier(code=code, name=f"{code.title()} Express",
                  tracking_url_template=f"https://track.example.com/{code.lower()}?n={{tracking}}",
                  transit_days={"standard": 3, "express": 1}, event_interval_hours=interval)
    session.add(row)
    session.flush()
    return row


def confirmed_order(session: Session, qty: int = 100, *, code: str = "ACME"):  # type: ignore[no-untyped-def]
    """A PO sent and confirmed by the supplier (so it can ship); returns (order, supplier user)."""
    supplier, warehouse, item = f.supplier(session, code), f.warehouse(session, f"WH-{code}"), f.item(session, f"{code}-1")
    f.catalog(session, supplier, item, lead=7)
    order = f.purchase_order(session, supplier, warehouse, [(item, qty)], status="sent")
    user = f.user(session, "supplier", supplier_id=supplier.id)
    purchasing.confirm(session, order.id, actor=Actor.for_user(user, via="web"), now=NOW,
                       lines={order.lines[0].id: (Decimal(qty), date(2026, 3, 12))})
    return order, user


def notice_shipment(session: Session, *, qty: int = 60, tracking: str = "TRK-1", carrier_name: str = "FASTX",
                    promised: date = date(2026, 3, 12)) -> Shipment:
    """A supplier notice through the portal (which creates the inbound shipment)."""
    order, user = confirmed_order(session)
    portal.create_notice(session, order.supplier_id, order.id, actor=Actor.for_user(user, via="web"), now=NOW,
                         data={"carrier": carrier_name, "tracking_number": tracking, "ship_date": date(2026, 3, 10),
                               "expected_arrival": promised},
                         lines={order.lines[0].id: str(qty)})
    return logistics.find_by_tracking(session, None, tracking)
