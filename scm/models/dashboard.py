"""Snapshots of the dashboard's slow panels, written by the `dashboard-figures` job."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime


class DashboardSnapshot(Base):
    """The latest computed data of one panel (tagged JSON, see scm/services/dashboard/snapshots.py)."""

    __tablename__ = "dashboard_snapshots"

    panel: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(default=0.0)   # how long computing it took
    data: Mapped[str] = mapped_column(Text)
