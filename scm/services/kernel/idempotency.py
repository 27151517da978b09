"""Idempotency keys for API posts: a repeat with the same key returns the first response.

The key is claimed with INSERT ... ON CONFLICT DO NOTHING inside the same transaction as the work, so
a concurrent duplicate waits for the first to commit and then reads its stored response.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scm.models import IdempotencyKey, utcnow
from scm.services.kernel.errors import ValidationFailed

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict


def request_fingerprint(method: str, path: str, body: object) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def claim(session: Session, *, user_id: int, key: str, fingerprint: str) -> StoredResponse | int:
    """Claim `key` for this user: the new claim's id, or the stored response of an earlier one.

    Raises ValidationFailed when the key was used before with a different request.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({"Idempotency-Key": [f"must be 1 to {MAX_KEY_LENGTH} characters"]})
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (module.insert(IdempotencyKey)
            .values(user_id=user_id, key=key, request_hash=fingerprint, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(IdempotencyKey.id))
    claimed = session.execute(stmt).scalar_one_or_none()
    if claimed is not None:
        return claimed
    existing = session.execute(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).scalar_one()
    if existing.request_hash != fingerprint:
        raise ValidationFailed({"Idempotency-Key": ["this key was already used with a different request"]})
    return StoredResponse(existing.response_status or 200, json.loads(existing.response_body or "{}"))


def store(session: Session, claim_id: int, status: int, body: dict) -> None:
    """Keep the response of a claimed request, committed together with its effects."""
    session.execute(update(IdempotencyKey).where(IdempotencyKey.id == claim_id)
                    .values(response_status=status, response_body=json.dumps(body, default=str))
                    .execution_options(synchronize_session=False))


def run_once(session: Session, *, user_id: int, key: str | None, fingerprint: str,
             work: Callable[[], tuple[dict, int]]) -> tuple[dict, int]:
    """Run `work` unless `key` was already used by this user, in which case replay its response.

    Without a key the work simply runs. Call inside the caller's transaction.
    """
    if key is None:
        return work()
    claimed = claim(session, user_id=user_id, key=key, fingerprint=fingerprint)
    if isinstance(claimed, StoredResponse):
        return claimed.body, claimed.status
    body, status = work()
    store(session, claimed, status, body)
    return body, status
