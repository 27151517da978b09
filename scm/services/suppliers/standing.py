"""Standings that act: a scorecard block on new orders (with an admin's override) and the sourcing review a
replace candidate opens.

Block: a supplier whose standing was `settings.block_standing` or worse for `settings.block_after` rated
months in a row (the latest rated month has `blocking` set, see scorecard_metrics) takes no new order,
unless an admin granted an override (a reason is required; until its expiry date inclusive, or until
revoked). `suppliers.purchase_blockers` (what purchasing's `create_draft` checks) and the sourcing
options both ask `order_block`.

Review: `scorecards.refresh` opens one per replace candidate and month; the sourcing page lists the
backups that could take over the items the candidate is primary for (active backup or alternate
entries of suppliers that are neither blocked nor uncertified), and a buyer closes it with a decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, Item, OrderBlockOverride, SourcingReview, Supplier
from scm.models.supplier_trust import REVIEW_DECISIONS
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import certifications, scorecards
from scm.services.suppliers.allocation import PriceTier, price_for, round_order_quantity

OVERRIDE_FIELDS = ("supplier_id", "reason", "expires_on")


# ---------------------------------------------------------------- the block and its override

def active_overrides(session: Session, supplier_ids: Iterable[int], as_of: date) -> dict[int, OrderBlockOverride]:
    """supplier -> its override in force on `as_of` (not revoked, not expired), latest first."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    rows = session.scalars(select(OrderBlockOverride).where(
        OrderBlockOverride.supplier_id.in_(ids), OrderBlockOverride.revoked_at.is_(None),
        or_(OrderBlockOverride.expires_on.is_(None), OrderBlockOverride.expires_on >= as_of))
        .order_by(OrderBlockOverride.id.desc()))
    out: dict[int, OrderBlockOverride] = {}
    for row in rows:
        out.setdefault(row.supplier_id, row)
    return out


def order_blocks(session: Session, suppliers: Iterable[Any], as_of: date) -> dict[int, str]:
    """supplier id -> why its scorecard blocks new orders on `as_of` (absent: not blocked).
    `suppliers` are rows with `id` and `code`; three queries whatever their number."""
    by_id = {s.id: s for s in suppliers}
    standings = scorecards.current_standings(session, by_id)
    blocked = {sid: snap for sid, snap in standings.items() if snap.blocking}
    lifted = active_overrides(session, blocked, as_of)
    settings = scorecards.get_settings(session) if blocked else None
    return {sid: (f"{by_id[sid].code}'s scorecard standing has been {settings.block_standing} or worse for "  # type: ignore[union-attr]
                  f"{settings.block_after} rated months in a row (latest {scorecards.period_label(snap)}, "  # type: ignore[union-attr]
                  f"overall {snap.overall}): new orders are blocked until an admin overrides it")
            for sid, snap in blocked.items() if sid not in lifted}


def order_block(session: Session, supplier: Any, as_of: date) -> str | None:
    return order_blocks(session, [supplier], as_of).get(supplier.id)


def grant_override(session: Session, supplier_id: int, data: dict, *, actor: Actor, as_of: date
                   ) -> OrderBlockOverride:
    """Let new orders go to a supplier its scorecard blocks. A reason (5-500 characters) is required; the
    expiry date is optional (until revoked) and may not be in the past. Admins only; audited."""
    if actor.role != "admin":
        raise ValidationFailed({"reason": ["only an admin can override a scorecard block"]})
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    errors: dict[str, list[str]] = {}
    reason = str(data.get("reason") or "").strip()
    if len(reason) < 5 or len(reason) > 500:
        errors["reason"] = ["say why orders may go to this supplier (5 to 500 characters)"]
    expires = data.get("expires_on") or None
    if expires is not None and not isinstance(expires, date):
        try:
            expires = date.fromisoformat(str(expires).strip())
        except ValueError:
            errors["expires_on"] = ["a date (YYYY-MM-DD), or empty for until revoked"]
            expires = None
    if isinstance(expires, date) and expires < as_of:
        errors["expires_on"] = ["cannot be in the past"]
    if errors:
        raise ValidationFailed(errors)
    row = OrderBlockOverride(supplier_id=supplier.id, reason=reason, expires_on=expires, created_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "order_block_override.create", "supplier", supplier.id,
                 after={"override_id": row.id, "reason": reason, "expires_on": expires.isoformat() if expires else None})
    return row


def revoke_override(session: Session, supplier_id: int, override_id: int, *, actor: Actor, now: datetime) -> None:
    """End an override now (audited); another supplier's id, or one already revoked, is NotFound."""
    row = session.get(OrderBlockOverride, override_id)
    if row is None or row.supplier_id != supplier_id or row.revoked_at is not None:
        raise NotFound(f"override {override_id} is not in force")
    row.revoked_at, row.revoked_by = now, actor.user_id
    session.flush()
    audit.record(session, actor, "order_block_override.revoke", "supplier", supplier_id,
                 before={"override_id": row.id, "reason": row.reason}, after={"revoked_at": now.isoformat()})


def overrides_of(session: Session, supplier_id: int) -> list[OrderBlockOverride]:
    return list(session.scalars(select(OrderBlockOverride).where(OrderBlockOverride.supplier_id == supplier_id)
                                .order_by(OrderBlockOverride.id.desc())))


# ---------------------------------------------------------------- replace-candidate reviews

@dataclass(frozen=True)
class Takeover:
    """A backup or alternate that could take over one item from the candidate."""

    item_id: int
    sku: str
    supplier_id: int
    supplier_code: str
    role: str
    capacity_per_week: Decimal
    primary_capacity: Decimal
    price: PriceTier | None
    primary_price: PriceTier | None

    @property
    def capacity_share(self) -> Decimal | None:
        """The backup's weekly capacity as a percentage of the primary's."""
        if not self.primary_capacity:
            return None
        return (self.capacity_per_week / self.primary_capacity * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ReviewView:
    review: SourcingReview
    supplier_code: str
    supplier_name: str
    items: list[tuple[int, str]]          # (item id, sku) the candidate is primary for
    takeovers: list[Takeover]             # who could take over, by item then capacity (largest first)

    def uncovered(self) -> list[str]:
        covered = {t.item_id for t in self.takeovers}
        return [sku for item_id, sku in self.items if item_id not in covered]


def open_reviews(session: Session, as_of: date) -> list[ReviewView]:
    """Every open review with its candidates (a fixed number of queries whatever their number)."""
    reviews = session.execute(select(SourcingReview, Supplier.code, Supplier.name)
                              .join(Supplier, Supplier.id == SourcingReview.supplier_id)
                              .where(SourcingReview.status == "open").order_by(SourcingReview.opened_at)).all()
    if not reviews:
        return []
    candidates = {r.supplier_id for r, _c, _n in reviews}
    primaries = session.execute(select(CatalogEntry, Item.sku).join(Item, Item.id == CatalogEntry.item_id).where(
        CatalogEntry.supplier_id.in_(candidates), CatalogEntry.role == "primary", CatalogEntry.active.is_(True))
        .order_by(Item.sku)).all()
    takeovers = _takeovers(session, [e for e, _s in primaries], dict((e.item_id, s) for e, s in primaries), as_of)
    out = []
    for review, code, name in reviews:
        items = [(e.item_id, sku) for e, sku in primaries if e.supplier_id == review.supplier_id]
        mine = {item_id for item_id, _sku in items}   # an item has one primary: its takeovers are this review's
        out.append(ReviewView(review, code, name, items, [t for t in takeovers if t.item_id in mine]))
    return out


def _takeovers(session: Session, primaries: list[CatalogEntry], skus: dict[int, str], as_of: date) -> list[Takeover]:
    if not primaries:
        return []
    by_item = {e.item_id: e for e in primaries}
    rows = session.execute(select(CatalogEntry, Supplier).join(Supplier, Supplier.id == CatalogEntry.supplier_id)
                           .where(CatalogEntry.item_id.in_(by_item), CatalogEntry.active.is_(True),
                                  CatalogEntry.role.in_(("backup", "alternate")),
                                  Supplier.status != "blocked")).all()
    required = certifications.required_types(session, list(by_item))
    expiry = certifications.latest_expiry(session, {s.id for _e, s in rows}, as_of)
    blocks = order_blocks(session, [s for _e, s in rows], as_of)
    breaks = supplier_catalog.breaks_for(session, [e.id for e, _s in rows] + [e.id for e in primaries])
    out = []
    for entry, supplier in rows:
        primary = by_item[entry.item_id]
        if supplier.id in blocks or any(certifications.certificate_problem(supplier.code, kind, expiry.get(
                (supplier.id, kind)), as_of) for kind in required.get(entry.item_id, [])):
            continue
        out.append(Takeover(entry.item_id, skus[entry.item_id], supplier.id, supplier.code, entry.role,
                            entry.capacity_per_week, primary.capacity_per_week, _price(entry, breaks, as_of),
                            _price(primary, breaks, as_of)))
    return sorted(out, key=lambda t: (t.sku, -t.capacity_per_week, t.supplier_code))


def _price(entry: CatalogEntry, breaks: dict[int, list[Any]], as_of: date) -> PriceTier | None:
    """The break valid on `as_of` for the entry's smallest order (as the item page shows it)."""
    tiers = tuple(PriceTier(b.min_qty, b.unit_price, b.currency, b.valid_from, b.valid_to)
                  for b in breaks.get(entry.id, []))
    return price_for(tiers, round_order_quantity(Decimal(1), entry.moq, entry.order_multiple), as_of)


def open_review(session: Session, review_id: int) -> SourcingReview:
    review = session.get(SourcingReview, review_id)
    if review is None or review.status != "open":
        raise NotFound(f"no open review {review_id}")
    return review


def close_review(session: Session, review_id: int, data: dict, *, actor: Actor, now: datetime) -> SourcingReview:
    """Close an open review with a decision (keep, replace, dual_source) and a note (required); audited."""
    review = open_review(session, review_id)
    decision = str(data.get("decision") or "").strip().lower()
    note = str(data.get("note") or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in REVIEW_DECISIONS:
        errors["decision"] = [f"one of: {', '.join(REVIEW_DECISIONS)}"]
    if not 3 <= len(note) <= 1000:
        errors["note"] = ["say what was decided and why (3 to 1000 characters)"]
    if errors:
        raise ValidationFailed(errors)
    review.status, review.decision, review.note = "closed", decision, note
    review.closed_at, review.closed_by = now, actor.user_id
    session.flush()
    audit.record(session, actor, "sourcing_review.close", "sourcing_review", review.id,
                 before={"status": "open"}, after={"status": "closed", "decision": decision, "note": note})
    return review
