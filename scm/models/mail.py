"""Outgoing e-mail as a transactional outbox: a message is a row written in the transaction that
decided to send it (a purchase order sent to its supplier), delivered after that transaction commits.

Only `scm.services.kernel.outbox` writes this table. A row with `sent_at` NULL is still to deliver; each
delivery attempt counts in `attempts` and leaves its error in `last_error`; `claimed_until` keeps two
deliverers (the request that sent the order, the retry job) from sending the same message twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime, utcnow


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
        Index("ix_outgoing_mail_pending", "sent_at", "id"),
        Index("ix_outgoing_mail_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated addresses
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    source_type: Mapped[str] = mapped_column(String(40), default="")  # e.g. "purchase_order"
    source_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def to(self) -> list[str]:
        return [address for address in self.recipients.split(",") if address]
