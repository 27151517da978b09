"""Supplier scorecards: `compute` is pure (facts in, scores out, see `scorecard_metrics` for every
formula); `refresh` loads the facts, calls it and stores one snapshot per supplier × period.

Periods are calendar months and quarters. A period without facts is "no activity": its metrics and
overall score are NULL, never zero, and it neither starts nor breaks a run of bad periods.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from scm.models import ScorecardSettings, ScorecardSnapshot, Supplier
from scm.services import audit, scorecard_facts
from scm.services.actors import Actor
from scm.services.errors import ValidationFailed
from scm.services.scorecard_metrics import (  # noqa: F401  (the pure API, re-exported)
    DEFAULT_SETTINGS, METRIC_LABELS, METRIC_SHORT, METRICS, STANDINGS, Delivery, Facts, Inspection, Period, PurchaseOrder, Score,
    Settings, compute, overall_score, period_of, periods_between, standing_for,
)

SETTING_FIELDS = ("weight_on_time", "weight_quality", "weight_lead_time", "weight_fill_rate", "weight_price",
                  "weight_responsiveness", "preferred_min", "approved_min", "watch_min", "replace_after")
HISTORY_MONTHS = 12
HISTORY_QUARTERS = 4
SNAPSHOT_COLUMNS = ("on_time_lines", "on_time_qty", "on_time", "quality", "lead_time_mean_days", "lead_time_std_days",
                    "lead_time_stated_days", "lead_time", "fill_rate", "price", "responsiveness_hours",
                    "responsiveness", "overall", "standing", "replace_candidate", "deliveries", "inspections",
                    "orders")
SORTABLE = ("overall", *METRICS, "code")


# ---------------------------------------------------------------- settings

def settings_row(session: Session) -> ScorecardSettings | None:
    return session.scalar(select(ScorecardSettings).order_by(ScorecardSettings.id).limit(1))


def get_settings(session: Session) -> Settings:
    """The weights and thresholds in force (the defaults until an admin saves some)."""
    row = settings_row(session)
    if row is None:
        return DEFAULT_SETTINGS
    return Settings(weights={m: getattr(row, f"weight_{m}") for m in METRICS}, preferred_min=row.preferred_min,
                    approved_min=row.approved_min, watch_min=row.watch_min, replace_after=row.replace_after)


def settings_values(settings: Settings) -> dict[str, int]:
    return {**{f"weight_{m}": settings.weights.get(m, 0) for m in METRICS}, "preferred_min": settings.preferred_min,
            "approved_min": settings.approved_min, "watch_min": settings.watch_min,
            "replace_after": settings.replace_after}


def clean_settings(data: dict, current: Settings) -> dict[str, int]:
    """Weights 0-100 with at least one above zero; thresholds 0-100 in order; replace-after 1-24 periods."""
    values, errors = settings_values(current), {}
    for key in SETTING_FIELDS:
        raw = data.get(key, values[key])
        try:
            values[key] = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[key] = ["a whole number"]
            continue
        top = 24 if key == "replace_after" else 100
        if not (1 if key == "replace_after" else 0) <= values[key] <= top:
            errors[key] = [f"between {1 if key == 'replace_after' else 0} and {top}"]
    if not errors and not any(values[f"weight_{m}"] for m in METRICS):
        errors["weight_on_time"] = ["at least one weight must be above zero"]
    if not errors and not values["preferred_min"] >= values["approved_min"] >= values["watch_min"]:
        errors["approved_min"] = ["thresholds must go preferred ≥ approved ≥ watch"]
    if errors:
        raise ValidationFailed(errors)
    return values


def update_settings(session: Session, data: dict, *, actor: Actor, as_of: date | None = None) -> Settings:
    """Save weights and thresholds (audited); with `as_of`, recompute the scorecards with them at once."""
    current = get_settings(session)
    values = clean_settings(data, current)
    row = settings_row(session)
    if row is None:
        row = ScorecardSettings()
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by = actor.user_id
    session.flush()
    old, new = audit.changed_fields(settings_values(current), values)
    if new:
        audit.record(session, actor, "scorecard_settings.update", "scorecard_settings", row.id, before=old, after=new)
    if as_of is not None:
        refresh(session, as_of)
    return get_settings(session)


# ---------------------------------------------------------------- refresh (load, compute, store)

@dataclass(frozen=True)
class RefreshResult:
    suppliers: int
    snapshots: int
    active: int  # snapshots with activity


def refresh_periods(as_of: date) -> list[Period]:
    """The last 12 months and 4 quarters up to the one containing `as_of` (the current one is partial)."""
    months = periods_between("month", _months_back(as_of, HISTORY_MONTHS - 1), as_of)
    quarters = periods_between("quarter", _months_back(as_of, 3 * (HISTORY_QUARTERS - 1)), as_of)
    return months + quarters


def refresh(session: Session, as_of: date) -> RefreshResult:
    """Recompute and store the snapshots of every supplier for the periods up to `as_of`.

    Idempotent: the snapshots of the recomputed periods are replaced, so a re-run gives the same rows.
    """
    periods = refresh_periods(as_of)
    start = min(p.start for p in periods)
    facts = scorecard_facts.load_facts(session, start, as_of)
    supplier_ids = list(session.scalars(select(Supplier.id)))
    end_of_day = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=timezone.utc)
    scores = compute(facts, periods, get_settings(session), now=end_of_day, supplier_ids=supplier_ids)
    for kind in {p.kind for p in periods}:
        session.execute(delete(ScorecardSnapshot).where(
            ScorecardSnapshot.period == kind,
            ScorecardSnapshot.period_start.in_([p.start for p in periods if p.kind == kind])))
    rows = [_snapshot_row(score, end_of_day) for score in scores]
    for chunk in range(0, len(rows), 2000):
        session.execute(insert(ScorecardSnapshot), rows[chunk:chunk + 2000])
    session.flush()
    return RefreshResult(len(supplier_ids), len(rows), sum(1 for s in scores if not s.no_activity))


def _snapshot_row(score: Score, computed_at: datetime) -> dict[str, Any]:
    values = {key: getattr(score, key) for key in SNAPSHOT_COLUMNS}
    return {"supplier_id": score.supplier_id, "period": score.period.kind, "period_start": score.period.start,
            "period_end": score.period.end, "computed_at": computed_at, **values}


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- reading snapshots

def period_label(snapshot: ScorecardSnapshot) -> str:
    return Period(snapshot.period, snapshot.period_start, snapshot.period_end).label


def available_periods(session: Session, kind: str = "month") -> list[date]:
    """Period starts that have at least one supplier with activity, newest first."""
    stmt = (select(ScorecardSnapshot.period_start).where(ScorecardSnapshot.period == kind,
                                                         ScorecardSnapshot.overall.is_not(None))
            .group_by(ScorecardSnapshot.period_start).order_by(ScorecardSnapshot.period_start.desc()))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class RankingRow:
    snapshot: ScorecardSnapshot
    code: str
    name: str
    status: str


def ranking(session: Session, kind: str = "month", period_start: date | None = None, sort: str = "overall",
            descending: bool = True) -> tuple[date | None, list[RankingRow]]:
    """Every supplier's snapshot for one period (the latest with activity by default), best first.

    Suppliers with no activity always sort last, whatever the order.
    """
    if period_start is None:
        starts = available_periods(session, kind)
        period_start = starts[0] if starts else None
    if period_start is None:
        return None, []
    stmt = (select(ScorecardSnapshot, Supplier.code, Supplier.name, Supplier.status)
            .join(Supplier, Supplier.id == ScorecardSnapshot.supplier_id)
            .where(ScorecardSnapshot.period == kind, ScorecardSnapshot.period_start == period_start))
    rows = [RankingRow(*row) for row in session.execute(stmt)]
    key = sort if sort in SORTABLE else "overall"
    if key == "code":
        rows.sort(key=lambda r: r.code, reverse=descending)
        return period_start, rows
    rows.sort(key=lambda r: r.code)  # ties keep code order: Python's sort is stable, reversed or not
    known = sorted((r for r in rows if getattr(r.snapshot, key) is not None), key=lambda r: getattr(r.snapshot, key),
                   reverse=descending)
    return period_start, known + [r for r in rows if getattr(r.snapshot, key) is None]


def history(session: Session, supplier_id: int, kind: str = "month") -> list[ScorecardSnapshot]:
    """One supplier's snapshots of one period kind, oldest first (idle periods included)."""
    return list(session.scalars(select(ScorecardSnapshot).where(
        ScorecardSnapshot.supplier_id == supplier_id, ScorecardSnapshot.period == kind)
        .order_by(ScorecardSnapshot.period_start)))


def current_standing(session: Session, supplier_id: int) -> ScorecardSnapshot | None:
    """The latest monthly snapshot with activity: what buyers are warned about."""
    return current_standings(session, [supplier_id]).get(supplier_id)


def current_standings(session: Session, supplier_ids: Iterable[int]) -> dict[int, ScorecardSnapshot]:
    """supplier -> its latest monthly snapshot with activity, for many suppliers in two queries."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    latest = (select(ScorecardSnapshot.supplier_id, func.max(ScorecardSnapshot.period_start).label("start"))
              .where(ScorecardSnapshot.supplier_id.in_(ids), ScorecardSnapshot.period == "month",
                     ScorecardSnapshot.overall.is_not(None))
              .group_by(ScorecardSnapshot.supplier_id).subquery())
    stmt = select(ScorecardSnapshot).join(latest, (latest.c.supplier_id == ScorecardSnapshot.supplier_id)
                                          & (latest.c.start == ScorecardSnapshot.period_start)).where(
        ScorecardSnapshot.period == "month")
    return {s.supplier_id: s for s in session.scalars(stmt)}


def export_rows(session: Session) -> Iterable[dict[str, Any]]:
    """Every stored snapshot, for the spreadsheet export (idle periods have blank metrics)."""
    stmt = (select(ScorecardSnapshot, Supplier.code, Supplier.name)
            .join(Supplier, Supplier.id == ScorecardSnapshot.supplier_id)
            .order_by(ScorecardSnapshot.period, ScorecardSnapshot.period_start.desc(), Supplier.code)
            .execution_options(yield_per=2000))
    for snapshot, code, name in session.execute(stmt):
        row = {key: getattr(snapshot, key) for key in SNAPSHOT_COLUMNS}
        row["standing"] = snapshot.standing or "no activity"
        yield {"supplier": code, "supplier_name": name, "period": snapshot.period, "label": period_label(snapshot),
               "period_start": snapshot.period_start, **row}


def metric_rows(snapshot: ScorecardSnapshot, weights: dict[str, int]) -> list[dict[str, Any]]:
    """The metric table of one snapshot: label, score (None = no activity), weight, detail."""
    detail = {
        "on_time": _join(("lines", snapshot.on_time_lines, "%"), ("quantity", snapshot.on_time_qty, "%")),
        "lead_time": _join(("mean", snapshot.lead_time_mean_days, " d"), ("σ vs stated", snapshot.lead_time_std_days, " d"),
                           ("stated", snapshot.lead_time_stated_days, " d")),
        "responsiveness": _join(("mean", snapshot.responsiveness_hours, " h to confirm"),),
    }
    return [{"metric": m, "label": METRIC_LABELS[m], "score": getattr(snapshot, m), "weight": weights.get(m, 0),
             "detail": detail.get(m, "")} for m in METRICS]


def _join(*parts: tuple[str, Decimal | None, str]) -> str:
    return ", ".join(f"{label} {value}{unit}" for label, value, unit in parts if value is not None)
