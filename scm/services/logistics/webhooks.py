"""Carrier webhooks, signed the Standard Webhooks way (https://www.standardwebhooks.com).

Headers: `webhook-id` (the message id, also our event id), `webhook-timestamp` (Unix seconds) and
`webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>` entries). The signed content is
`{id}.{timestamp}.{raw body}`; the key is the secret's bytes after `whsec_` base64-decoded (a secret
without the prefix is used as UTF-8). A timestamp more than 5 minutes from `now` is refused (replay),
and any one of the carrier's secrets may match (two during a rotation). Comparison is constant-time.

Body (JSON): tracking_number, status, occurred_at (ISO 8601 with zone), optional location, reason,
eta (YYYY-MM-DD) and event_id (defaults to webhook-id).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from sqlalchemy.orm import Session

from scm.models.logistics import EVENT_STATUSES
from scm.services.kernel import json_input
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import DomainError, ValidationFailed
from scm.services.logistics import shipments as logistics

TOLERANCE = timedelta(minutes=5)


class InvalidSignature(DomainError):
    http_status = 401
    code = "invalid_signature"


def secret_key(secret: str) -> bytes:
    secret = secret.strip()
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[len("whsec_"):], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidSignature("the webhook secret is not valid base64") from None
    return secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for a body (what a carrier sends; used by tests and the demo)."""
    digest = hmac.new(secret_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(headers: Mapping[str, str], body: bytes, secrets: list[str], *, now: datetime) -> str:
    """Check the signature; returns the message id. Raises InvalidSignature (nothing else is done)."""
    msg_id = (headers.get("webhook-id") or "").strip()
    stamp = (headers.get("webhook-timestamp") or "").strip()
    signatures = (headers.get("webhook-signature") or "").split()
    if not msg_id or not stamp or not signatures:
        raise InvalidSignature("webhook-id, webhook-timestamp and webhook-signature headers are required")
    if not secrets:
        raise InvalidSignature("no webhook secret is configured for this carrier")
    try:
        sent_at = int(stamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp must be Unix seconds") from None
    if abs(now.timestamp() - sent_at) > TOLERANCE.total_seconds():
        raise InvalidSignature("webhook-timestamp is more than 5 minutes from now")
    expected = [sign(secret, msg_id, sent_at, body).split(",", 1)[1] for secret in secrets]
    for entry in signatures:
        version, _, value = entry.partition(",")
        if version == "v1" and any(hmac.compare_digest(value.encode(), e.encode()) for e in expected):
            return msg_id
    raise InvalidSignature("no signature matches")


@dataclass(frozen=True)
class WebhookResult:
    outcome: str  # recorded | duplicate | unmatched
    shipment_id: int | None
    event_id: str


def _parse(body: bytes) -> dict[str, Any]:
    data = json_input.loads(body)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": ["send a JSON object"]})
    errors: dict[str, list[str]] = {}
    for key in ("tracking_number", "status", "occurred_at"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors[key] = ["required (a string)"]
    try:
        occurred = datetime.fromisoformat(str(data.get("occurred_at", "")).replace("Z", "+00:00"))
        if occurred.tzinfo is None:
            raise ValueError
        data["occurred_at"] = occurred
    except ValueError:
        errors.setdefault("occurred_at", ["an ISO 8601 date and time with a timezone"])
    if data.get("status") not in EVENT_STATUSES:
        errors["status"] = [f"must be one of: {', '.join(EVENT_STATUSES)}"]
    try:
        data["eta"] = date.fromisoformat(data["eta"]) if data.get("eta") else None
    except (TypeError, ValueError):
        errors["eta"] = ["a date (YYYY-MM-DD)"]
    if errors:
        raise ValidationFailed(errors)
    return data


def handle(session: Session, carrier_code: str, headers: Mapping[str, str], body: bytes, secrets: list[str], *,
           now: datetime) -> WebhookResult:
    """Verify, then record the event (idempotent by event id; unknown tracking kept for review)."""
    msg_id = verify(headers, body, secrets, now=now)
    data = _parse(body)
    event_id = str(data.get("event_id") or msg_id)[:120]
    outcome, shipment_id = logistics.record_tracking_update(
        session, carrier_code=carrier_code, tracking_number=data["tracking_number"], event_id=event_id,
        status=data["status"].strip(), occurred_at=data["occurred_at"], now=now, source="webhook",
        actor=Actor.system(f"webhook:{carrier_code}", via="api"), location=str(data.get("location") or ""),
        reason=str(data.get("reason") or ""), eta=data["eta"], payload=json.loads(body))
    return WebhookResult(outcome, shipment_id, event_id)
