"""Snapshots of the dashboard's slow panels: computed by the `dashboard-figures` job, read by the page.

Stock value/turnover and slow/dead stock aggregate a year of the ledger and every balance (seconds on
a big database). The job computes them with the very providers the page would call live and stores
each panel's data as tagged JSON (Decimal, date, datetime, tuple and the panel dataclasses survive
the round trip exactly); the page reads the rows and shows when they were computed. A panel with no
snapshot yet (a fresh install, before the job's first run) is computed live by the page.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scm.models import DashboardSnapshot
from scm.services.dashboard import kpis
from scm.services.dashboard import panels as dashboard

# The dataclasses a snapshot may hold, by name (anything else is refused when decoding).
_CLASSES = {cls.__name__: cls for cls in (dashboard.StockFigures, kpis.StockValue, kpis.Turnover, kpis.SlowDead)}


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {"$class": type(value).__name__, **{f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(obj: dict[str, Any]) -> Any:
    if "$class" in obj:
        cls = _CLASSES[obj.pop("$class")]
        return cls(**obj)
    if "$decimal" in obj:
        return Decimal(obj["$decimal"])
    if "$datetime" in obj:
        return datetime.fromisoformat(obj["$datetime"])
    if "$date" in obj:
        return date.fromisoformat(obj["$date"])
    if "$tuple" in obj:
        return tuple(obj["$tuple"])
    return obj


def dumps(data: Any) -> str:
    return json.dumps(_encode(data), separators=(",", ":"))


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_decode)


@dataclass(frozen=True)
class Snapshot:
    computed_at: datetime
    seconds: float
    data: Any


def refresh(session: Session, now: datetime) -> dict[str, float]:
    """Compute every snapshot panel of dashboard.PANELS as of `now` and replace its row.
    Returns panel key -> seconds it took."""
    ctx = dashboard.DashboardContext(now=now, role="system")
    timings: dict[str, float] = {}
    for panel in dashboard.PANELS:
        if not panel.snapshot:
            continue
        started = time.monotonic()
        data = panel.compute(session, ctx)
        timings[panel.key] = round(time.monotonic() - started, 2)
        session.execute(delete(DashboardSnapshot).where(DashboardSnapshot.panel == panel.key))
        session.add(DashboardSnapshot(panel=panel.key, computed_at=now, seconds=timings[panel.key],
                                      data=dumps(data)))
    session.flush()
    return timings


def latest(session: Session) -> dict[str, Snapshot]:
    """Panel key -> its stored snapshot (one small query; panels never computed are absent)."""
    rows = session.scalars(select(DashboardSnapshot))
    return {row.panel: Snapshot(row.computed_at, row.seconds, loads(row.data)) for row in rows}
