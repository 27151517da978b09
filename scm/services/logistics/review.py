"""Review of tracking updates whose tracking number matched no shipment (`UnmatchedTrackingEvent`).

A person either attaches the update to the shipment it belongs to (found by shipment id or tracking
number): the event is then recorded through the normal idempotent path (`logistics.record_event`, same
event id, so a later repeat of the webhook is a duplicate) and the row is marked resolved; or dismisses
it with a reason. Resolving is claimed by one guarded UPDATE (`resolved_at IS NULL`), so two people
acting at once resolve it once. Both are audited (the reason of a dismissal is kept in the audit entry).
"""
from __future__ import annotations

from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scm.models import Carrier, Shipment, UnmatchedTrackingEvent
from scm.models.logistics import CLOSED_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, NotFound, ValidationFailed
from scm.services.logistics import shipments as logistics


def get_unmatched(session: Session, unmatched_id: int) -> UnmatchedTrackingEvent:
    row = session.get(UnmatchedTrackingEvent, unmatched_id)
    if row is None:
        raise NotFound(f"tracking update {unmatched_id} does not exist")
    return row


def find_shipment(session: Session, reference: str) -> Shipment:
    """A shipment by id ("42" or "#42") or by exact tracking number (the newest one with it)."""
    text = (reference or "").strip()
    if not text:
        raise ValidationFailed({"shipment": ["give a shipment id or a tracking number"]})
    by_tracking = session.scalar(select(Shipment).where(Shipment.tracking_number == text)
                                 .order_by(Shipment.id.desc()).limit(1))
    if by_tracking is not None:
        return by_tracking
    digits = text.lstrip("#")
    shipment = session.get(Shipment, int(digits)) if digits.isdigit() and len(digits) < 10 else None
    if shipment is None:
        raise ValidationFailed({"shipment": [f"no shipment has the id or tracking number {text!r}"]})
    return shipment


def _claim(session: Session, row: UnmatchedTrackingEvent, now: datetime) -> None:
    claimed = session.execute(update(UnmatchedTrackingEvent).where(
        UnmatchedTrackingEvent.id == row.id, UnmatchedTrackingEvent.resolved_at.is_(None))
        .values(resolved_at=now).returning(UnmatchedTrackingEvent.id)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if claimed is None:
        raise InvalidTransition("this tracking update was already resolved", current="resolved", wanted="resolved")
    session.expire(row)


def _payload_eta(payload: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(payload.get("eta"))[:10]) if payload.get("eta") else None
    except ValueError:
        return None


def attach(session: Session, unmatched_id: int, shipment_ref: str, *, actor: Actor, now: datetime,
           set_tracking: bool = False) -> tuple[Shipment, bool]:
    """Record the update on the chosen shipment; returns (shipment, created). `set_tracking` also gives an
    open shipment this tracking number when it has none or a different one (a typo in a notice)."""
    row = get_unmatched(session, unmatched_id)
    if row.resolved_at is not None:
        raise InvalidTransition("this tracking update was already resolved", current="resolved", wanted="attached")
    shipment = find_shipment(session, shipment_ref)
    payload = row.payload if isinstance(row.payload, dict) else {}
    _claim(session, row, now)
    _event, created = logistics.record_event(
        session, shipment.id, status=row.status, occurred_at=row.occurred_at or row.received_at, now=now,
        source=row.source if row.source in logistics.EVENT_SOURCES else "staff", actor=actor,
        event_id=row.event_id, location=str(payload.get("location") or ""),
        reason=str(payload.get("reason") or ""), eta=_payload_eta(payload))
    before = shipment.tracking_number
    if set_tracking and shipment.is_open and before != row.tracking_number:
        shipment.tracking_number = row.tracking_number
        session.flush()
    audit.record(session, actor, "tracking_update.attach", "unmatched_tracking_event", row.id,
                 before={"tracking_number": before},
                 after={"shipment_id": shipment.id, "event_id": row.event_id, "created": created,
                        "tracking_number": shipment.tracking_number})
    return shipment, created


def dismiss(session: Session, unmatched_id: int, reason: str, *, actor: Actor, now: datetime) -> UnmatchedTrackingEvent:
    """Close the update without recording it anywhere; the reason is required and audited."""
    row = get_unmatched(session, unmatched_id)
    text = (reason or "").strip()
    if len(text) < 3 or len(text) > 300:
        raise ValidationFailed({"reason": ["say why it is dismissed (3–300 characters)"]})
    _claim(session, row, now)
    audit.record(session, actor, "tracking_update.dismiss", "unmatched_tracking_event", row.id,
                 after={"reason": text, "carrier_code": row.carrier_code, "tracking_number": row.tracking_number,
                        "event_id": row.event_id})
    return row


def candidates(session: Session, row: UnmatchedTrackingEvent, *, limit: int = 8) -> list[Shipment]:
    """Open shipments this update may belong to: of the same carrier (or of none in our table), those whose
    tracking number is closest to the update's first (a typo), then the newest."""
    carrier_id = session.scalar(select(Carrier.id).where(Carrier.code == row.carrier_code.upper()))
    stmt = select(Shipment).where(Shipment.status.not_in(CLOSED_STATUSES))
    if carrier_id is not None:
        stmt = stmt.where((Shipment.carrier_id == carrier_id) | Shipment.carrier_id.is_(None))
    pool = list(session.scalars(stmt.order_by(Shipment.id.desc()).limit(200)))

    def closeness(s: Shipment) -> float:
        return SequenceMatcher(None, s.tracking_number.upper(), row.tracking_number.upper()).ratio()
    return sorted(pool, key=lambda s: (-closeness(s), -s.id))[:limit]
