"""Demo suppliers: eight companies with contacts, certificates, a catalog covering every item, and twelve
months of deliveries, inspections and order confirmations recorded through the scorecard facts interface.

Deliberate problems so the pages have something to show: a certificate expiring soon, an expired one on
items that require it, four core items without a valid backup (none, blocked, too small, uncertified),
a supplier on probation that keeps getting worse (replace candidate) and a blocked one gone quiet.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, Supplier, Warehouse
from scm.services.kernel.actors import Actor
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import certifications, scorecard_facts, scorecards
from scm.services.suppliers import profiles as suppliers


@dataclass(frozen=True)
class Profile:
    name: str
    currency: str
    terms: str
    city: str
    country: str
    contact: str
    early: float      # mean days early (negative: late) against the promised date
    spread: float     # standard deviation of the delivery day
    fill: float       # probability a line is delivered in full
    quality: float    # mean accepted share of inspected goods
    premium: float    # mean price paid above the catalog price
    confirm_hours: float
    status: str = "active"
    reason: str = ""


PROFILES = {
    "ACME": Profile("Acme Industrial Supply", "USD", "Net 30", "Cleveland", "US", "Sam Supplier", 1.5, 1.0, 0.97,
                    0.995, 0.0, 5),
    "GLOBEX": Profile("Globex Components", "USD", "Net 45", "Springfield", "US", "Hank Scorpio", 0.8, 1.5, 0.94,
                      0.98, 0.02, 18),
    "INITECH": Profile("Initech Fasteners", "USD", "Net 30", "Austin", "US", "Bill Lumbergh", -0.5, 2.5, 0.9, 0.97,
                       0.05, 60),
    "UMBRELLA": Profile("Umbrella Packaging GmbH", "EUR", "Net 60", "Hamburg", "DE", "Alice Abernathy", 1.0, 1.2,
                        0.95, 0.99, 0.0, 9),
    "STARK": Profile("Stark Electrical", "USD", "Net 30", "New York", "US", "Pepper Potts", 2.0, 0.8, 0.99, 0.996,
                     0.01, 3),
    "WAYNE": Profile("Wayne Safety Gear", "USD", "2/10 Net 30", "Newark", "US", "Lucius Fox", 0.3, 2.0, 0.92, 0.985,
                     0.04, 30),
    "HOOLI": Profile("Hooli Hydraulics", "USD", "Net 30", "Palo Alto", "US", "Gavin Belson", -4.0, 3.5, 0.8, 0.92,
                     0.08, 90, "probation", "late deliveries and quality escapes since the summer"),
    "VANDELAY": Profile("Vandelay Imports", "USD", "Net 30", "Queens", "US", "Art Vandelay", -3.0, 3.0, 0.85, 0.9,
                        0.06, 70, "blocked", "failed the quality audit; no new orders"),
}
# category -> (primary, backup) for the catalog
SOURCING = {"Fasteners": ("ACME", "INITECH"), "Electrical": ("STARK", "GLOBEX"), "Packaging": ("UMBRELLA", "ACME"),
            "Safety": ("WAYNE", "GLOBEX"), "Hydraulics": ("GLOBEX", "ACME")}
REQUIRED = {"Electrical": "UL", "Hydraulics": "ISO 9001"}  # core items of these categories require it
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def seed_suppliers(session: Session, items: list[Item], warehouses: list[Warehouse], today: date,
                   rng: np.random.Generator, actor: Actor) -> dict[str, int]:
    """Create the demo suppliers, catalog and a year of facts, then compute the scorecards."""
    del warehouses  # deliveries are per supplier and item; the warehouse does not change the score
    by_code = _suppliers(session, today, actor)
    _certificates(session, by_code, today, actor)
    entries = _catalog(session, by_code, items, today, rng, actor)
    facts = _history(session, by_code, entries, today, rng)
    result = scorecards.refresh(session, today)
    return {"suppliers": len(by_code), "catalog_entries": sum(len(v) for v in entries.values()),
            "delivery_facts": facts, "scorecard_snapshots": result.snapshots}


def _suppliers(session: Session, today: date, actor: Actor) -> dict[str, Supplier]:
    """ACME and GLOBEX exist already (demo.seed makes them for the supplier user); the rest are new."""
    existing = {s.code: s for s in session.scalars(select(Supplier).where(Supplier.code.in_(list(PROFILES))))}
    out = {}
    for code, p in PROFILES.items():
        data = {"code": code, "name": p.name, "currency": p.currency, "payment_terms": p.terms, "status": p.status,
                "status_reason": p.reason, "status_since": today - timedelta(days=40 if p.status == "probation" else 150),
                "notes": f"Demo supplier. Account manager: {p.contact}."}
        if code in existing:
            out[code] = suppliers.update_supplier(session, existing[code], data, actor=actor, as_of=today)
        else:
            out[code] = suppliers.create_supplier(session, data, actor=actor, as_of=today)
        first = p.contact.split()[0].lower()
        suppliers.add_contact(session, out[code].id, {"name": p.contact, "role": "Account manager",
                                                      "email": f"{first}@{code.lower()}.example",
                                                      "phone": "+1 555 0100"}, actor=actor)
        suppliers.add_contact(session, out[code].id, {"name": f"{p.name.split()[0]} Quality desk", "role": "Quality",
                                                      "email": f"quality@{code.lower()}.example"}, actor=actor)
        suppliers.add_address(session, out[code].id, {"kind": "office", "line1": f"{10 + len(code)} Industrial Way",
                                                      "city": p.city, "country": p.country},
                              actor=actor)
    return out


def _certificates(session: Session, by_code: dict[str, Supplier], today: date, actor: Actor) -> None:
    year = timedelta(days=365)
    plan = [("ACME", "ISO 9001", today + year, True), ("ACME", "ISO 14001", today + 2 * year, False),
            ("GLOBEX", "ISO 9001", today + year, False), ("GLOBEX", "UL", today + timedelta(days=12), True),
            ("INITECH", "ISO 9001", today + timedelta(days=200), False),
            ("UMBRELLA", "ISO 9001", today + year, False), ("UMBRELLA", "FSSC 22000", today + year, False),
            ("STARK", "UL", today + year, True), ("STARK", "ISO 9001", today + year, False),
            ("WAYNE", "ISO 45001", today + timedelta(days=75), False),
            ("HOOLI", "ISO 9001", today - timedelta(days=20), True)]
    for number, (code, kind, expires, with_file) in enumerate(plan, start=1):
        certifications.add_certification(
            session, by_code[code].id, {"cert_type": kind, "number": f"{kind.split()[0]}-{2024 + number % 3}-{number:04d}",
                                        "issued_on": expires - 3 * year, "expires_on": expires},
            file=TINY_PDF if with_file else None, filename=f"{code.lower()}-{kind.lower().replace(' ', '-')}.pdf",
            actor=actor)


def _price(value: float) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _entry(session: Session, supplier: Supplier, item: Item, role: str, capacity: int, rng: np.random.Generator,
           today: date, actor: Actor) -> object:
    base = float(item.unit_cost) * float(rng.uniform(0.92, 1.1)) * (0.92 if supplier.currency == "EUR" else 1.0)
    multiple = int(rng.choice([1, 5, 10, 25]))
    breaks = [{"min_qty": "0", "unit_price": _price(base), "currency": supplier.currency},
              {"min_qty": str(100 * multiple), "unit_price": _price(base * 0.95), "currency": supplier.currency},
              {"min_qty": str(500 * multiple), "unit_price": _price(base * 0.9), "currency": supplier.currency},
              {"min_qty": "0", "unit_price": _price(base * 1.06), "currency": supplier.currency,  # last year's list
               "valid_from": (today - timedelta(days=730)).isoformat(),
               "valid_to": (today - timedelta(days=366)).isoformat()}]
    return supplier_catalog.create_entry(session, {
        "supplier_id": supplier.id, "item_id": item.id, "role": role, "capacity_per_week": str(capacity),
        "lead_time_days": int(rng.integers(5, 22)), "moq": str(multiple * int(rng.choice([1, 2, 4]))),
        "order_multiple": str(multiple), "supplier_sku": f"{supplier.code[:3]}-{item.sku.split('-')[1]}",
        "price_breaks": breaks}, actor=actor)


def _catalog(session: Session, by_code: dict[str, Supplier], items: list[Item], today: date,
             rng: np.random.Generator, actor: Actor) -> dict[str, list]:
    """A primary for every item, backups for every core item and half the others; four core items broken."""
    entries: dict[str, list] = {code: [] for code in by_code}
    broken: dict[str, str] = {}  # category -> kind of problem, for its first core item
    problems = {"Fasteners": "no backup", "Packaging": "blocked backup", "Safety": "small backup",
                "Hydraulics": "uncertified backup"}
    for index, item in enumerate(items):
        primary, backup = SOURCING[item.category]
        capacity = int(rng.integers(4, 40)) * 50
        entries[primary].append(_entry(session, by_code[primary], item, "primary", capacity, rng, today, actor))
        problem = problems.get(item.category) if item.is_core and item.category not in broken else None
        if problem:
            broken[item.category] = problem
            backup = {"blocked backup": "VANDELAY", "uncertified backup": "HOOLI"}.get(problem, backup)
        if item.is_core and item.category in REQUIRED:
            certifications.add_requirement(session, item.id, REQUIRED[item.category], actor=actor)
        if problem != "no backup" and (item.is_core or index % 2 == 0):
            share = 0.3 if problem == "small backup" else float(rng.uniform(0.6, 1.2))
            entries[backup].append(_entry(session, by_code[backup], item, "backup", max(50, int(capacity * share)),
                                          rng, today, actor))
        if index % 9 == 4 and item.category != "Hydraulics":
            alternate = "HOOLI" if index % 2 else "VANDELAY"
            entries[alternate].append(_entry(session, by_code[alternate], item, "alternate", capacity, rng, today,
                                             actor))
    return entries


def _history(session: Session, by_code: dict[str, Supplier], entries: dict[str, list], today: date,
             rng: np.random.Generator) -> int:
    """Twelve months of orders, confirmations, deliveries and inspections through the facts interface."""
    recorded = 0
    for code, supplier in by_code.items():
        profile = PROFILES[code]
        if not entries[code]:
            continue  # a small demo (few items) leaves some suppliers without a catalog
        for months_ago in range(12, -1, -1):
            if (code == "VANDELAY" and months_ago < 6) or (code == "WAYNE" and months_ago in (6, 7)):
                continue  # blocked half a year ago; Wayne had a quiet month
            worse = code == "HOOLI" and months_ago < 4  # getting worse: a replace candidate
            for n in range(int(rng.integers(7, 13))):
                recorded += _order(session, supplier, profile, entries[code][int(rng.integers(0, len(entries[code])))],
                                   _month_day(today, months_ago, rng), f"DEMO-{code}-{months_ago:02d}{n:02d}", today,
                                   rng, worse)
    return recorded


def _month_day(today: date, months_ago: int, rng: np.random.Generator) -> date:
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, int(rng.integers(1, 29)))


def _order(session: Session, supplier: Supplier, p: Profile, entry: object, ordered: date, po_ref: str, today: date,
           rng: np.random.Generator, worse: bool) -> int:
    """One PO of one line: sent, confirmed, delivered (perhaps short, early or late) and inspected."""
    if ordered >= today:
        return 0
    sent = datetime.combine(ordered, time(9), tzinfo=timezone.utc) + timedelta(minutes=int(rng.integers(0, 480)))
    scorecard_facts.record_po_sent(session, supplier_id=supplier.id, po_ref=po_ref, sent_at=sent)
    confirmed = sent + timedelta(hours=float(rng.lognormal(math.log(p.confirm_hours), 0.5)))
    if confirmed.date() < today:
        scorecard_facts.record_confirmation(session, supplier_id=supplier.id, po_ref=po_ref, confirmed_at=confirmed)
    stated = entry.lead_time_days  # type: ignore[attr-defined]
    promised = ordered + timedelta(days=stated)
    shift = -round(float(rng.normal(p.early - (6 if worse else 0), p.spread)))
    received = max(ordered + timedelta(days=1), promised + timedelta(days=shift))
    if received >= today:
        return 0
    multiple = max(Decimal(1), entry.order_multiple)  # type: ignore[attr-defined]
    qty = max(entry.moq, multiple * int(rng.integers(2, 40)))  # type: ignore[attr-defined]
    got = qty if rng.random() < p.fill - (0.15 if worse else 0) else (qty * Decimal(str(round(rng.uniform(0.6, 0.95), 2)))
                                                                      ).quantize(Decimal(1))
    tier = supplier_catalog.breaks_of(session, entry.id)  # type: ignore[attr-defined]
    price = min((b.unit_price for b in tier if b.min_qty <= qty and b.valid_to is None), default=Decimal("1"))
    paid = (price * Decimal(str(1 + max(0.0, rng.normal(p.premium, 0.01))))).quantize(Decimal("0.0001"))
    scorecard_facts.record_delivery(
        session, supplier_id=supplier.id, item_id=entry.item_id, ordered_on=ordered,  # type: ignore[attr-defined]
        promised_on=promised, received_on=received, qty_ordered=qty, qty_received=got, unit_price=paid,
        currency=supplier.currency, stated_lead_time_days=stated, po_ref=po_ref, line_ref="1",
        receipt_ref=f"{po_ref}-R1")
    if got > 0:
        share = min(1.0, max(0.5, rng.normal(p.quality - (0.05 if worse else 0), 0.01)))
        scorecard_facts.record_inspection(session, supplier_id=supplier.id, item_id=entry.item_id,  # type: ignore
                                          inspected_on=received, qty_inspected=got,
                                          qty_accepted=(got * Decimal(str(round(share, 3)))).quantize(Decimal(1)),
                                          po_ref=po_ref, receipt_ref=f"{po_ref}-R1")
    return 1
