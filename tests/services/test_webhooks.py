"""Carrier webhook signatures (Standard Webhooks): a good signature records the event; a tampered body,
a wrong secret, a stale timestamp or a missing header is refused and changes nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from scm.models import ShipmentEvent, UnmatchedTrackingEvent
from scm.services.logistics import webhooks
from tests import logistics_factories as lf

NOW = lf.NOW
OTHER = "whsec_" + "b3RoZXItc2VjcmV0"  # base64("other-secret")


def signed(body: bytes, secret: str = lf.SECRET, msg_id: str = "msg_1", stamp: int | None = None) -> dict:
    stamp = int(NOW.timestamp()) if stamp is None else stamp
    return {"webhook-id": msg_id, "webhook-timestamp": str(stamp),
            "webhook-signature": webhooks.sign(secret, msg_id, stamp, body)}


BODY = json.dumps({"tracking_number": "TRK-1", "status": "in_transit", "occurred_at": "2026-03-10T09:30:00Z",
                   "eta": "2026-03-14"}).encode()


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def test_a_signed_event_is_recorded(session):
    lf.carrier(session)
    shipment = lf.notice_shipment(session)
    result = webhooks.handle(session, "FASTX", signed(BODY), BODY, [lf.SECRET], now=NOW)
    assert (result.outcome, result.shipment_id, result.event_id) == ("recorded", shipment.id, "msg_1")
    session.refresh(shipment)
    assert shipment.status == "in_transit" and str(shipment.eta) == "2026-03-14"


def test_either_secret_works_during_rotation(session):
    lf.carrier(session)
    lf.notice_shipment(session)
    assert webhooks.handle(session, "FASTX", signed(BODY, OTHER), BODY, [lf.SECRET, OTHER], now=NOW).outcome == "recorded"


@pytest.mark.parametrize("case", ["tampered body", "wrong secret", "stale timestamp", "future timestamp",
                                  "missing signature", "missing id", "missing timestamp", "no secret configured"])
def test_bad_signatures_are_refused_and_nothing_changes(session, case):
    lf.carrier(session)
    lf.notice_shipment(session)
    before = count(session, ShipmentEvent)
    headers, body, secrets = signed(BODY), BODY, [lf.SECRET]
    if case == "tampered body":
        body = BODY.replace(b"in_transit", b"delivered")
    elif case == "wrong secret":
        headers = signed(BODY, OTHER)
    elif case == "stale timestamp":
        headers = signed(BODY, stamp=int(NOW.timestamp()) - 301)
    elif case == "future timestamp":
        headers = signed(BODY, stamp=int(NOW.timestamp()) + 301)
    elif case == "no secret configured":
        secrets = []
    else:
        headers.pop({"missing signature": "webhook-signature", "missing id": "webhook-id",
                     "missing timestamp": "webhook-timestamp"}[case])
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.handle(session, "FASTX", headers, body, secrets, now=NOW)
    assert count(session, ShipmentEvent) == before and count(session, UnmatchedTrackingEvent) == 0


def test_timestamp_within_five_minutes_is_accepted(session):
    assert webhooks.verify(signed(BODY, stamp=int(NOW.timestamp()) - 299), BODY, [lf.SECRET], now=NOW) == "msg_1"
