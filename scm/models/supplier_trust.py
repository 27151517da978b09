"""What scorecard standings set off: an admin's override of a scorecard block, and the sourcing review a
replace candidate opens (written only through `scm.services.suppliers.standing`)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime, utcnow

REVIEW_DECISIONS = ("keep", "replace", "dual_source")


class OrderBlockOverride(Base):
    """An admin lets new orders go to a supplier its scorecard standing blocks, until `expires_on`
    (inclusive) or until revoked. Rows are kept: revoking stamps them."""

    __tablename__ = "order_block_overrides"
    __table_args__ = (Index("ix_order_block_overrides_supplier", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    reason: Mapped[str] = mapped_column(String(500))
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SourcingReview(Base):
    """A replace candidate's review: opened by the scorecard refresh for the month that made the supplier
    a replace candidate, closed by a buyer with a decision."""

    __tablename__ = "sourcing_reviews"
    __table_args__ = (
        UniqueConstraint("supplier_id", "period_start", name="uq_sourcing_reviews_supplier_period"),
        CheckConstraint("status IN ('open','closed')", name="status"),
        Index("ix_sourcing_reviews_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    period_start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(1000), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
