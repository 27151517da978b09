"""Outgoing e-mail through a transactional outbox: recorded with the change, delivered after it.

Rules:
- `enqueue` adds the message in the caller's transaction (e.g. `purchasing.send`): the order is
  sent and its e-mail recorded together, or neither is. Nothing is delivered before the commit, so a
  rolled-back send never e-mails a supplier.
- `deliver` runs at the edge, after that commit (the web view, the API route, the nightly job) and
  every 5 minutes in the `outgoing-mail` job for whatever is still waiting. Unlike business
  services it commits, once per step: it claims a message (one guarded UPDATE, so the request and
  the job never send the same message at once), commits the claim, hands the message to the mail
  backend (`mailer.send_mail`), then records `sent_at` or the error and commits again. A crash between
  the hand-over and the second commit sends that message again after the claim expires (at least
  once; never lost).
- A message is tried at most MAX_ATTEMPTS times (about 4 hours of 5-minute retries); its last error
  is kept and shown on the order page.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, MutableMapping

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from scm.models import OutgoingMail
from scm.services.kernel import mail as mailer

MAX_ATTEMPTS = 50
CLAIM = timedelta(minutes=5)
RETRY_EVERY_MINUTES = 5


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def enqueue(session: Session, *, to: Sequence[str], subject: str, body: str, now: datetime,
            source_type: str = "", source_id: int | None = None) -> OutgoingMail:
    """Record one message to deliver after the caller's commit (flushes)."""
    mail = OutgoingMail(recipients=",".join(a.strip() for a in to if a.strip()), subject=subject[:300], body=body,
                        source_type=source_type, source_id=source_id, created_at=now, attempts=0, last_error="")
    session.add(mail)
    session.flush()
    return mail


def for_source(session: Session, source_type: str, source_id: int) -> list[OutgoingMail]:
    """The messages recorded for one document (e.g. a purchase order), oldest first."""
    return list(session.scalars(select(OutgoingMail).where(OutgoingMail.source_type == source_type,
                                                           OutgoingMail.source_id == source_id)
                                .order_by(OutgoingMail.id)))


def waiting(now: datetime) -> Any:
    """SQL: not sent, attempts left, and not claimed by another deliverer right now."""
    return (OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS,
            or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))


def deliver(session: Session, mail_config: MutableMapping[str, Any], *, now: datetime,
            source: tuple[str, int] | None = None, limit: int = 200) -> Delivery:
    """Deliver waiting messages (of one document when `source` is given), oldest first. Commits."""
    stmt = select(OutgoingMail.id).where(*waiting(now)).order_by(OutgoingMail.id).limit(limit)
    if source is not None:
        stmt = stmt.where(OutgoingMail.source_type == source[0], OutgoingMail.source_id == source[1])
    ids = list(session.scalars(stmt))
    session.commit()
    sent = failed = 0
    for mail_id in ids:
        claimed = session.execute(
            update(OutgoingMail).where(OutgoingMail.id == mail_id, *waiting(now))
            .values(claimed_until=now + CLAIM, attempts=OutgoingMail.attempts + 1)
            .returning(OutgoingMail.recipients, OutgoingMail.subject, OutgoingMail.body)
            .execution_options(synchronize_session=False)).one_or_none()
        session.commit()  # no transaction stays open while the mail server answers (SQLite's write lock)
        if claimed is None:
            continue  # another deliverer has it, or it was sent meanwhile
        outcome: dict[str, Any] = {"claimed_until": None}
        try:
            mailer.send_mail(mail_config, [a for a in claimed.recipients.split(",") if a], claimed.subject,
                             claimed.body)
            outcome.update(sent_at=now, last_error="")
            sent += 1
        except mailer.MailError as error:
            outcome["last_error"] = str(error)[:500]
            failed += 1
        session.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(**outcome))
        session.commit()
    return Delivery(sent, failed)


def waiting_count(session: Session, *, now: datetime) -> int:
    """Messages still to deliver that have attempts left."""
    return session.scalar(select(func.count()).select_from(OutgoingMail).where(*waiting(now))) or 0
