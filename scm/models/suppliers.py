"""Suppliers (the profile grows with the suppliers issue; users of role supplier link here)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime, utcnow


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (CheckConstraint("status IN ('active','probation','blocked')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
