"""Carriers as data (validation, audit, the transit table driving ETAs) and the review of unknown
tracking updates (attach through the idempotent event path, dismiss with a reason, resolve once)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scm.models import AuditEntry, Shipment, ShipmentEvent, UnmatchedTrackingEvent
from scm.services.logistics import (
    shipments as logistics,
    carriers as logistics_carriers,
    review as logistics_review,
)
from scm.services.kernel.errors import InvalidTransition, NotFound, ValidationFailed
from tests import factories as f
from tests import logistics_factories as lf

NOW = lf.NOW
GOOD = {"code": "parcelo", "name": "Parcelo", "tracking_url_template": "https://parcelo.example/t/{tracking}",
        "transit_days": {"standard": 4, "Express": "1"}, "event_interval_hours": 36}


def _errors(data: dict, session) -> dict:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        logistics_carriers.create_carrier(session, data, actor=f.actor())
    return caught.value.field_errors


def test_a_carrier_is_created_normalised_and_audited(session):
    carrier = logistics_carriers.create_carrier(session, GOOD, actor=f.actor())
    assert (carrier.code, carrier.transit_days, carrier.event_interval_hours, carrier.active) == \
        ("PARCELO", {"standard": 4, "express": 1}, 36, True)
    assert carrier.tracking_url("A B/1") == "https://parcelo.example/t/A%20B%2F1"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "carrier.create"))
    assert entry.after["code"] == "PARCELO" and entry.entity_id == str(carrier.id)


@pytest.mark.parametrize("template, message", [
    ("https://x.example/t", "exactly once"),
    ("https://x.example/{tracking}/{tracking}", "exactly once"),
    ("ftp://x.example/{tracking}", "https://"),
    ("javascript:alert(1)//{tracking}", "https://"),
    ("https://x.example/{trackin}?n={tracking}", "no spaces and no braces"),
    ("https://x.example/ {tracking}", "no spaces"),
])
def test_the_tracking_template_needs_one_placeholder_in_an_http_url(session, template, message):
    errors = _errors({**GOOD, "tracking_url_template": template}, session)
    assert message in errors["tracking_url_template"][0]


def test_every_bad_field_is_reported_at_once(session):
    logistics_carriers.create_carrier(session, GOOD, actor=f.actor())
    errors = _errors({"code": "Parcelo", "name": "", "transit_days": [("standard", "x"), ("standard", 2), ("a b?", 1)],
                      "event_interval_hours": 0, "active": "yes"}, session)
    assert errors["code"] == ["carrier PARCELO already exists"]
    assert set(errors) == {"code", "name", "transit_days", "event_interval_hours", "active"}
    assert len(errors["transit_days"]) == 2 and "whole number" in errors["transit_days"][0]
    assert "lower-case" in errors["transit_days"][1]
    assert _errors({**GOOD, "code": "BAD CODE"}, session)["code"][0].startswith("1–20 characters")
    assert "at most 365" in _errors({**GOOD, "code": "X2", "transit_days": {"sea": 400}}, session)["transit_days"][0]


def test_update_keeps_what_is_not_given_audits_only_changes_and_drives_the_eta(session):
    carrier = logistics_carriers.create_carrier(session, GOOD, actor=f.actor())
    logistics_carriers.update_carrier(session, carrier.id, {"transit_days": [("standard", "6"), ("", "")],
                                                            "active": False}, actor=f.actor())
    assert (carrier.name, carrier.transit_days, carrier.active) == ("Parcelo", {"standard": 6}, False)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "carrier.update"))
    assert set(entry.after) == {"transit_days", "active"} and entry.before["transit_days"]["standard"] == 4
    logistics_carriers.update_carrier(session, carrier.id, {"name": "Parcelo"}, actor=f.actor())
    assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "carrier.update")).all()) == 1
    assert logistics.expected_transit_days(carrier, "overnight") == 6
    assert logistics.list_carriers(session) == [] and logistics.list_carriers(session, active_only=False) == [carrier]
    with pytest.raises(NotFound):
        logistics_carriers.update_carrier(session, 999999, {}, actor=f.actor())


def _unmatched(session, tracking: str = "TRK-1X", status: str = "at_hub", event_id: str = "evt-9"):  # type: ignore[no-untyped-def]
    logistics.record_tracking_update(session, carrier_code="FASTX", tracking_number=tracking, event_id=event_id,
                                     status=status, occurred_at=NOW, now=NOW, source="webhook", actor=f.actor(),
                                     payload={"location": "Leipzig", "eta": "2026-03-14"})
    return session.scalar(select(UnmatchedTrackingEvent).where(UnmatchedTrackingEvent.event_id == event_id))


def test_attach_records_the_event_idempotently_and_resolves_once(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    row = _unmatched(session)
    assert logistics_review.candidates(session, row)[0].id == shipment.id  # TRK-1 is closest to TRK-1X
    attached, created = logistics_review.attach(session, row.id, "TRK-1", actor=f.actor(), now=NOW, set_tracking=True)
    assert (attached.id, created) == (shipment.id, True)
    session.expire_all()
    stored = session.get(Shipment, shipment.id)
    assert (stored.status, stored.eta, stored.tracking_number) == ("at_hub", date(2026, 3, 14), "TRK-1X")
    event = session.scalar(select(ShipmentEvent).where(ShipmentEvent.event_id == "evt-9"))
    assert (event.source, event.location) == ("webhook", "Leipzig")
    assert session.get(UnmatchedTrackingEvent, row.id).resolved_at is not None
    assert logistics.list_unmatched(session) == []
    with pytest.raises(InvalidTransition):
        logistics_review.attach(session, row.id, str(shipment.id), actor=f.actor(), now=NOW)
    # the carrier sends the same event again: now it matches and is a duplicate
    assert logistics.record_tracking_update(session, carrier_code="FASTX", tracking_number="TRK-1X", event_id="evt-9",
                                            status="at_hub", occurred_at=NOW, now=NOW, source="webhook",
                                            actor=f.actor()) == ("duplicate", shipment.id)


def test_attach_by_id_and_its_refusals(session):
    shipment = lf.notice_shipment(session)
    row = _unmatched(session, status="teleported", event_id="evt-bad")
    with pytest.raises(ValidationFailed) as caught:
        logistics_review.attach(session, row.id, "NO-SUCH", actor=f.actor(), now=NOW)
    assert "no shipment" in caught.value.field_errors["shipment"][0]
    with pytest.raises(ValidationFailed) as caught:  # the status is checked by the normal event path
        logistics_review.attach(session, row.id, f"#{shipment.id}", actor=f.actor(), now=NOW)
    assert "status" in caught.value.field_errors
    with pytest.raises(NotFound):
        logistics_review.attach(session, 999999, "1", actor=f.actor(), now=NOW)


def test_dismiss_needs_a_reason_is_audited_and_happens_once(session):
    row = _unmatched(session)
    with pytest.raises(ValidationFailed):
        logistics_review.dismiss(session, row.id, " ", actor=f.actor(), now=NOW)
    logistics_review.dismiss(session, row.id, "test message from the carrier", actor=f.actor(), now=NOW)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "tracking_update.dismiss"))
    assert entry.after["reason"] == "test message from the carrier" and entry.after["tracking_number"] == "TRK-1X"
    with pytest.raises(InvalidTransition):
        logistics_review.dismiss(session, row.id, "again", actor=f.actor(), now=NOW)
    assert session.scalars(select(ShipmentEvent).where(ShipmentEvent.event_id == "evt-9")).all() == []
