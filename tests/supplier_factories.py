"""Factories for supplier tests: catalog entries with price breaks, certificates, item requirements, facts.

Kept apart from tests/factories.py (shared by every area); they go through the services where a rule
matters (catalog entries, requirements) so a test never builds a state the application would refuse.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, Certification, Item, Supplier
from scm.services.suppliers import certifications, scorecard_facts, catalog as supplier_catalog
from tests import factories as f


def entry(session: Session, supplier: Supplier, item: Item, role: str, capacity: Any, *, lead: int = 7,
          moq: Any = 0, multiple: Any = 1, breaks: list[dict] | None = None, active: bool = True,
          share: Any = None, supplier_sku: str = "") -> CatalogEntry:
    """A catalog entry through the service (one primary per item, valid terms)."""
    return supplier_catalog.create_entry(session, {
        "supplier_id": supplier.id, "item_id": item.id, "role": role, "capacity_per_week": str(capacity),
        "lead_time_days": lead, "moq": str(moq), "order_multiple": str(multiple), "active": active,
        "split_share": share, "supplier_sku": supplier_sku,
        "price_breaks": breaks if breaks is not None else [{"min_qty": "0", "unit_price": "1.00"}]},
        actor=f.actor())


def certify(session: Session, supplier: Supplier, cert_type: str, *, expires: date, issued: date | None = None,
            replace: bool = False, number: str = "") -> Certification:
    """A certificate valid from `issued` (a year before `expires` by default) through `expires`."""
    if replace:
        session.execute(delete(Certification).where(Certification.supplier_id == supplier.id,
                                                    Certification.cert_type == cert_type))
    cert = Certification(supplier_id=supplier.id, cert_type=cert_type, number=number,
                         issued_on=issued or expires - timedelta(days=365), expires_on=expires)
    session.add(cert)
    session.flush()
    return cert


def require(session: Session, item: Item, cert_type: str) -> None:
    certifications.add_requirement(session, item.id, cert_type, actor=f.actor())


def delivery(session: Session, supplier: Supplier, item: Item, *, ordered: date, promised: date, received: date,
             qty_ordered: Any = 10, qty_received: Any = 10, price: Any = "1.00", stated: int = 7,
             line: str = "", receipt: str | None = None) -> Any:
    return scorecard_facts.record_delivery(
        session, supplier_id=supplier.id, item_id=item.id, ordered_on=ordered, promised_on=promised,
        received_on=received, qty_ordered=Decimal(str(qty_ordered)), qty_received=Decimal(str(qty_received)),
        unit_price=Decimal(str(price)), currency="USD", stated_lead_time_days=stated, line_ref=line,
        receipt_ref=receipt)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)
