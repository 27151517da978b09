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

from scm.models import ScorecardSettings, ScorecardSnapshot, SourcingReview, Supplier
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ValidationFailed
from scm.services.suppliers import scorecard_facts
from scm.services.suppliers.scorecard_metrics import (  # noqa: F401  (the pure API, re-exported)
    DEFAULT_SETTINGS,
    METRIC_LABELS,
    METRIC_SHORT,
    METRICS,
    STANDINGS,
    Delivery,
    Facts,
    Inspection,
    OverdueLine,
    Period,
    PurchaseOrder,
    Score,
    Settings,
    compute,
    metric_facts,
    overall_score,
    period_of,
    periods_between,
    standing_for,
)

SETTING_FIELDS = ("weight_on_time", "weight_quality", "weight_lead_time", "weight_fill_rate", "weight_price",
                  "weight_responsiveness", "preferred_min", "approved_min", "watch_min", "replace_after",
                  "min_metrics", "min_facts", "block_after")
# (lowest, highest) of each whole-number setting; weights and thresholds are 0-100.
SETTING_RANGES = {"replace_after": (1, 24), "min_metrics": (1, len(METRICS)), "min_facts": (1, 1000),
                  "block_after": (0, 24)}
BLOCK_STANDINGS = ("watch", "probation")
HISTORY_MONTHS = 12
HISTORY_QUARTERS = 4
SNAPSHOT_COLUMNS = ("on_time_lines", "on_time_qty", "on_time", "quality", "lead_time_mean_days", "lead_time_std_days",
                    "lead_time_stated_days", "lead_time", "fill_rate", "price", "responsiveness_hours",
                    "responsiveness", "overall", "standing", "replace_candidate", "deliveries", "inspections",
                    "orders", "lines", "overdue_lines", "received_receipts", "priced_receipts", "qty_inspected",
                    "orders_scored", "metrics_counted", "rated", "blocking")
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
                    approved_min=row.approved_min, watch_min=row.watch_min, replace_after=row.replace_after,
                    min_metrics=row.min_metrics, min_facts=row.min_facts, block_standing=row.block_standing,
                    block_after=row.block_after)


def settings_values(settings: Settings) -> dict[str, Any]:
    return {**{f"weight_{m}": settings.weights.get(m, 0) for m in METRICS}, "preferred_min": settings.preferred_min,
            "approved_min": settings.approved_min, "watch_min": settings.watch_min,
            "replace_after": settings.replace_after, "min_metrics": settings.min_metrics,
            "min_facts": settings.min_facts, "block_standing": settings.block_standing,
            "block_after": settings.block_after}


def clean_settings(data: dict, current: Settings) -> dict[str, Any]:
    """Weights 0-100 with at least one above zero; thresholds 0-100 in order; replace-after 1-24 periods;
    evidence: 1-6 metrics of at least 1-1000 facts each; blocking: watch or probation for 0-24 months."""
    values, errors = settings_values(current), {}
    for key in SETTING_FIELDS:
        raw = data.get(key, values[key])
        try:
            values[key] = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[key] = ["a whole number"]
            continue
        low, top = SETTING_RANGES.get(key, (0, 100))
        if not low <= values[key] <= top:
            errors[key] = [f"between {low} and {top}"]
    values["block_standing"] = str(data.get("block_standing", values["block_standing"]) or "").strip().lower()
    if values["block_standing"] not in BLOCK_STANDINGS:
        errors["block_standing"] = [f"one of: {', '.join(BLOCK_STANDINGS)}"]
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
    _open_reviews(session, scores)
    return RefreshResult(len(supplier_ids), len(rows), sum(1 for s in scores if not s.no_activity))


def _open_reviews(session: Session, scores: list[Score]) -> None:
    """A sourcing review for each supplier whose latest rated month made it a replace candidate, once per
    (supplier, month): closing a review is a decision that a re-run must not undo."""
    latest: dict[int, Score] = {}
    for score in scores:
        if score.period.kind == "month" and score.rated:
            latest[score.supplier_id] = score
    wanted = {(s.supplier_id, s.period.start) for s in latest.values() if s.replace_candidate}
    if not wanted:
        return
    known = set(session.execute(select(SourcingReview.supplier_id, SourcingReview.period_start).where(
        SourcingReview.supplier_id.in_({sid for sid, _d in wanted}))).all())
    for supplier_id, start in sorted(wanted - known):
        review = SourcingReview(supplier_id=supplier_id, period_start=start, status="open", note="")
        session.add(review)
        session.flush()
        audit.record(session, Actor.system("scorecards"), "sourcing_review.open", "sourcing_review", review.id,
                     after={"supplier_id": supplier_id, "period_start": start.isoformat()})


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


def default_period(session: Session, kind: str = "month") -> date | None:
    """The period a ranking shows by default: the latest in which someone is rated (a ranking to read),
    else the latest with any activity (a young month usually has too little evidence to rank)."""
    rated = session.scalar(select(func.max(ScorecardSnapshot.period_start)).where(
        ScorecardSnapshot.period == kind, ScorecardSnapshot.rated.is_(True)))
    if rated is not None:
        return rated
    starts = available_periods(session, kind)
    return starts[0] if starts else None


@dataclass(frozen=True)
class RankingRow:
    snapshot: ScorecardSnapshot
    code: str
    name: str
    status: str
    rank: int | None = None   # by overall score among the rated suppliers; None: not ranked

    @property
    def evidence(self) -> dict[str, int]:
        return metric_facts(self.snapshot)


def ranking(session: Session, kind: str = "month", period_start: date | None = None, sort: str = "overall",
            descending: bool = True) -> tuple[date | None, list[RankingRow]]:
    """Every supplier's snapshot for one period (`default_period` by default), best first.

    Only rated suppliers (enough evidence, see scorecard_metrics) get a rank and sort by the chosen
    column; suppliers with too little evidence follow by code, and those with no activity come last.
    """
    if period_start is None:
        period_start = default_period(session, kind)
    if period_start is None:
        return None, []
    stmt = (select(ScorecardSnapshot, Supplier.code, Supplier.name, Supplier.status)
            .join(Supplier, Supplier.id == ScorecardSnapshot.supplier_id)
            .where(ScorecardSnapshot.period == kind, ScorecardSnapshot.period_start == period_start))
    rows = sorted((RankingRow(*row) for row in session.execute(stmt)), key=lambda r: r.code)
    rated = sorted((r for r in rows if r.snapshot.rated), key=lambda r: r.snapshot.overall, reverse=True)
    ranks = {r.snapshot.supplier_id: n for n, r in enumerate(rated, start=1)}
    rows = [RankingRow(r.snapshot, r.code, r.name, r.status, ranks.get(r.snapshot.supplier_id)) for r in rows]
    key = sort if sort in SORTABLE else "overall"
    if key == "code":
        return period_start, sorted(rows, key=lambda r: r.code, reverse=descending)
    known = sorted((r for r in rows if r.rank is not None and getattr(r.snapshot, key) is not None),
                   key=lambda r: getattr(r.snapshot, key), reverse=descending)  # stable: ties keep code order
    placed = {r.snapshot.supplier_id for r in known}
    thin = [r for r in rows if r.snapshot.supplier_id not in placed and r.snapshot.overall is not None]
    idle = [r for r in rows if r.snapshot.supplier_id not in placed and r.snapshot.overall is None]
    return period_start, known + thin + idle


def history(session: Session, supplier_id: int, kind: str = "month") -> list[ScorecardSnapshot]:
    """One supplier's snapshots of one period kind, oldest first (idle periods included)."""
    return list(session.scalars(select(ScorecardSnapshot).where(
        ScorecardSnapshot.supplier_id == supplier_id, ScorecardSnapshot.period == kind)
        .order_by(ScorecardSnapshot.period_start)))


def current_standing(session: Session, supplier_id: int) -> ScorecardSnapshot | None:
    """The latest rated monthly snapshot (enough evidence to grade): what buyers are warned about and
    what blocks orders."""
    return current_standings(session, [supplier_id]).get(supplier_id)


def current_standings(session: Session, supplier_ids: Iterable[int]) -> dict[int, ScorecardSnapshot]:
    """supplier -> its latest rated monthly snapshot, for many suppliers in one query."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    latest = (select(ScorecardSnapshot.supplier_id, func.max(ScorecardSnapshot.period_start).label("start"))
              .where(ScorecardSnapshot.supplier_id.in_(ids), ScorecardSnapshot.period == "month",
                     ScorecardSnapshot.rated.is_(True))
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
        row["standing"] = standing_label(snapshot)
        yield {"supplier": code, "supplier_name": name, "period": snapshot.period, "label": period_label(snapshot),
               "period_start": snapshot.period_start, **row}


NOT_ENOUGH_EVIDENCE = "not enough evidence"
EVIDENCE_UNITS = {"on_time": "line", "quality": "inspection", "lead_time": "receipt", "fill_rate": "line",
                  "price": "priced receipt", "responsiveness": "order"}


def standing_label(snapshot: Any) -> str:
    """What a snapshot's standing reads as everywhere: the standing, "not enough evidence" (activity below
    the minimum evidence: no standing, no rank) or "no activity"."""
    if snapshot.overall is None:
        return "no activity"
    return snapshot.standing if snapshot.rated and snapshot.standing else NOT_ENOUGH_EVIDENCE


def evidence_text(snapshot: Any, metric: str) -> str:
    """'4 lines (1 overdue)', '3 inspections, 120 inspected', ...: what one metric's score rests on."""
    count = metric_facts(snapshot)[metric]
    unit = EVIDENCE_UNITS[metric]
    text = f"{count} {unit}{'' if count == 1 else 's'}"
    if metric == "on_time" and snapshot.overdue_lines:
        text += f" ({snapshot.overdue_lines} overdue)"
    if metric == "quality" and snapshot.inspections:
        text += f", {snapshot.qty_inspected.normalize():f} inspected"
    return text


def metric_rows(snapshot: ScorecardSnapshot, weights: dict[str, int], settings: Settings = DEFAULT_SETTINGS
                ) -> list[dict[str, Any]]:
    """The metric table of one snapshot: label, score (None = no activity), weight, detail, and the
    evidence (facts, whether they reach the minimum that lets the metric count)."""
    detail = {
        "on_time": _join(("lines", snapshot.on_time_lines, "%"), ("quantity", snapshot.on_time_qty, "%")),
        "lead_time": _join(("mean", snapshot.lead_time_mean_days, " d"), ("σ vs stated", snapshot.lead_time_std_days, " d"),
                           ("stated", snapshot.lead_time_stated_days, " d")),
        "responsiveness": _join(("mean", snapshot.responsiveness_hours, " h to confirm"),),
    }
    facts = metric_facts(snapshot)
    return [{"metric": m, "label": METRIC_LABELS[m], "score": getattr(snapshot, m), "weight": weights.get(m, 0),
             "detail": detail.get(m, ""), "facts": facts[m], "evidence": evidence_text(snapshot, m),
             "counts": getattr(snapshot, m) is not None and facts[m] >= settings.min_facts} for m in METRICS]


def _join(*parts: tuple[str, Decimal | None, str]) -> str:
    return ", ".join(f"{label} {value}{unit}" for label, value, unit in parts if value is not None)
