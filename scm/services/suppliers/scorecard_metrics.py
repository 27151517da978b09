"""Supplier scorecards, the pure part: plain facts in, frozen scores out (ARCHITECTURE principle 7).

No database, no clock, no Flask: `scm.services.suppliers.scorecards.refresh` loads the facts and stores what
`compute` returns. Every metric is a 0-100 score, or None when the period had no fact for it ("no
activity" is never shown as zero):

  on-time      100 × mean(on-time line rate, on-time quantity rate). A receipt is on time when received on
               or before its promised date. A line (all receipts of one PO line) is on time when every
               receipt of it was; it belongs to the period of its first receipt.
  quality      100 × Σ accepted / Σ inspected.
  lead time    100 × max(0, 1 − (max(0, mean(D)) + std(D)) / max(mean(S), 1)), where D = L − S for each
               receipt, L its actual lead time (received − ordered, days), S the stated lead time and std the
               population standard deviation: slower than stated and erratic both cost points; early on
               average is not punished (its spread still is).
  fill rate    100 × Σ min(received, ordered) / Σ ordered, per line (lines by first receipt).
  price        100 × min(1, Σ best catalog price × qty / Σ price paid × qty).
  responsive   per purchase order: 100 within 24 h of sending, falling linearly to 0 at 168 h (a week);
               an order still unconfirmed after 168 h scores 0; a younger unconfirmed one is not counted.
  overall      Σ wᵢ·sᵢ / Σ wᵢ over the metrics that have data (weights re-normalised).

Evidence: each metric rests on a number of facts (on-time: PO lines, counting overdue ones; quality:
inspections; lead time: receipts with goods; fill rate: received lines; price: receipts with a catalog
price to compare; responsiveness: orders scored). A metric *counts* when it has at least
`settings.min_facts` facts; a supplier is *rated* in a period (ranked, given a standing, able to start
or extend a replace or block run) only when at least `settings.min_metrics` metrics count. Below that
its scores are shown with their evidence and "not enough evidence", never a standing.

A PO line whose promised date has passed with nothing received (an overdue line, whatever a shipment's
ETA says) is a late line of the on-time metric in the period of its promised date: a late shipment is
not on time before it arrives. Once goods arrive the line is judged by its receipts instead.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping, Sequence

METRICS = ("on_time", "quality", "lead_time", "fill_rate", "price", "responsiveness")
METRIC_LABELS = {"on_time": "On-time delivery", "quality": "Quality pass rate", "lead_time": "Lead-time reliability",
                 "fill_rate": "Fill rate", "price": "Price competitiveness", "responsiveness": "Responsiveness"}
METRIC_SHORT = {"on_time": "On-time", "quality": "Quality", "lead_time": "Lead time", "fill_rate": "Fill rate",
                "price": "Price", "responsiveness": "Response"}
STANDINGS = ("preferred", "approved", "watch", "probation")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
FAST_HOURS = Decimal(24)    # confirmed within a day: full marks
SLOW_HOURS = Decimal(168)   # a week or more (or never): zero
CENT = Decimal("0.01")


# ---------------------------------------------------------------- inputs

@dataclass(frozen=True)
class Delivery:
    """One receipt against one purchase order line."""

    supplier_id: int
    line_key: str
    ordered_on: date
    promised_on: date
    received_on: date
    qty_ordered: Decimal
    qty_received: Decimal
    unit_price: Decimal
    stated_lead_time_days: int
    best_price: Decimal | None = None
    item_id: int = 0


@dataclass(frozen=True)
class Inspection:
    supplier_id: int
    inspected_on: date
    qty_inspected: Decimal
    qty_accepted: Decimal


@dataclass(frozen=True)
class PurchaseOrder:
    supplier_id: int
    sent_at: datetime
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class OverdueLine:
    """An open PO line past its promised date with nothing received yet: a late line of that period."""

    supplier_id: int
    line_key: str
    promised_on: date
    qty_ordered: Decimal


@dataclass(frozen=True)
class Facts:
    deliveries: tuple[Delivery, ...] = ()
    inspections: tuple[Inspection, ...] = ()
    orders: tuple[PurchaseOrder, ...] = ()
    overdue: tuple[OverdueLine, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Weights (any non-negative numbers; only their ratios matter) and standing thresholds (0-100)."""

    weights: Mapping[str, int] = field(default_factory=lambda: {
        "on_time": 25, "quality": 25, "lead_time": 15, "fill_rate": 15, "price": 10, "responsiveness": 10})
    preferred_min: int = 90
    approved_min: int = 75
    watch_min: int = 60
    replace_after: int = 3
    min_metrics: int = 3          # metrics with enough facts needed to rank and grade
    min_facts: int = 3            # facts a metric needs to count
    block_standing: str = "probation"   # this standing or worse ...
    block_after: int = 3          # ... for this many rated months in a row blocks new orders (0 = never)


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month or quarter, `start` to `end` inclusive."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_of(kind: str, day: date) -> Period:
    """The month or quarter that contains `day`."""
    if kind not in ("month", "quarter"):
        raise ValueError(f"unknown period kind {kind!r}")
    first_month = day.month if kind == "month" else (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    months = 1 if kind == "month" else 3
    year, month = divmod(first_month - 1 + months, 12)
    return Period(kind, start, date(day.year + year, month + 1, 1) - timedelta(days=1))


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """Every period of `kind` from the one containing `first` to the one containing `last`."""
    out, current = [], period_of(kind, first)
    while current.start <= last:
        out.append(current)
        current = period_of(kind, current.end + timedelta(days=1))
    return out


# ---------------------------------------------------------------- outputs

@dataclass(frozen=True)
class Score:
    supplier_id: int
    period: Period
    on_time_lines: Decimal | None = None
    on_time_qty: Decimal | None = None
    on_time: Decimal | None = None
    quality: Decimal | None = None
    lead_time_mean_days: Decimal | None = None
    lead_time_std_days: Decimal | None = None
    lead_time_stated_days: Decimal | None = None
    lead_time: Decimal | None = None
    fill_rate: Decimal | None = None
    price: Decimal | None = None
    responsiveness_hours: Decimal | None = None
    responsiveness: Decimal | None = None
    overall: Decimal | None = None
    standing: str | None = None
    replace_candidate: bool = False
    deliveries: int = 0
    inspections: int = 0
    orders: int = 0
    lines: int = 0                # PO lines judged for on time (received lines + overdue lines)
    overdue_lines: int = 0
    received_receipts: int = 0    # receipts with goods (lead time)
    priced_receipts: int = 0      # receipts with a catalog price to compare (price)
    qty_inspected: Decimal = ZERO
    orders_scored: int = 0        # orders confirmed, or unconfirmed for over a week (responsiveness)
    metrics_counted: int = 0      # metrics with at least min_facts facts
    rated: bool = False           # enough evidence to rank and grade
    blocking: bool = False        # a run of bad standings long enough to block new orders

    @property
    def no_activity(self) -> bool:
        return self.overall is None


def metric_facts(score: Any) -> dict[str, int]:
    """metric -> how many facts its score rests on (a Score or a stored snapshot)."""
    return {"on_time": score.lines, "quality": score.inspections, "lead_time": score.received_receipts,
            "fill_rate": score.lines - score.overdue_lines, "price": score.priced_receipts,
            "responsiveness": score.orders_scored}


# ---------------------------------------------------------------- the computation

def compute(facts: Facts, periods: Sequence[Period], settings: Settings = DEFAULT_SETTINGS, *, now: datetime,
            supplier_ids: Iterable[int] = ()) -> list[Score]:
    """Scores for every supplier (those in `supplier_ids` and those with facts) × every period.

    `now` decides which unconfirmed orders are already a week old. Standings and the replace-candidate
    streak run over `periods` in date order, separately for each period kind.
    """
    mine = _by_supplier(facts)
    lines: dict[int, list[list[Delivery]]] = defaultdict(list)
    for (sid, _key), receipts in _lines(facts.deliveries).items():
        lines[sid].append(receipts)
    out: list[Score] = []
    for supplier_id in sorted(set(supplier_ids) | set(mine)):
        own, own_lines = mine.get(supplier_id, Facts()), lines.get(supplier_id, [])
        for kind in sorted({p.kind for p in periods}):
            bad = blocked = 0
            for period in sorted(p for p in periods if p.kind == kind):
                score = _rate(_score(supplier_id, period, own, own_lines, settings, now), settings)
                if score.rated:   # unrated periods (idle or thin evidence) neither count nor break a run
                    bad = bad + 1 if score.overall < settings.watch_min else 0  # type: ignore[operator]
                    blocked = blocked + 1 if _at_or_below(score.standing, settings.block_standing) else 0
                out.append(replace(score, replace_candidate=score.rated and bad >= settings.replace_after,
                                   blocking=score.rated and 0 < settings.block_after <= blocked))
    return out


def _rate(score: Score, settings: Settings) -> Score:
    """Count the metrics with enough evidence; grade (standing) only a rated score."""
    facts = metric_facts(score)
    counted = sum(1 for m in METRICS if getattr(score, m) is not None and facts[m] >= settings.min_facts)
    rated = score.overall is not None and counted >= settings.min_metrics
    return replace(score, metrics_counted=counted, rated=rated,
                   standing=standing_for(score.overall, settings) if rated else None)


def _at_or_below(standing: str | None, threshold: str) -> bool:
    if standing is None or threshold not in STANDINGS:
        return False
    return STANDINGS.index(standing) >= STANDINGS.index(threshold)


def _by_supplier(facts: Facts) -> dict[int, Facts]:
    grouped: dict[int, dict[str, list]] = defaultdict(lambda: {"deliveries": [], "inspections": [], "orders": [],
                                                               "overdue": []})
    for name in ("deliveries", "inspections", "orders", "overdue"):
        for fact in getattr(facts, name):
            grouped[fact.supplier_id][name].append(fact)
    return {sid: Facts(**{k: tuple(v) for k, v in parts.items()}) for sid, parts in grouped.items()}


def standing_for(overall: Decimal | None, settings: Settings = DEFAULT_SETTINGS) -> str | None:
    """preferred ≥ preferred_min > approved ≥ approved_min > watch ≥ watch_min > probation; None when idle."""
    if overall is None:
        return None
    if overall >= settings.preferred_min:
        return "preferred"
    if overall >= settings.approved_min:
        return "approved"
    if overall >= settings.watch_min:
        return "watch"
    return "probation"


def overall_score(metrics: Mapping[str, Decimal | None], weights: Mapping[str, int]) -> Decimal | None:
    """Weighted mean of the metrics that have data; the weights of idle metrics are left out."""
    used = [(Decimal(weights.get(name, 0)), value) for name, value in metrics.items()
            if value is not None and weights.get(name, 0) > 0]
    total = sum((w for w, _v in used), ZERO)
    if not used or total == 0:
        return None
    return _pct(sum((w * v for w, v in used), ZERO) / total)


def _score(supplier_id: int, period: Period, facts: Facts, lines: list[list[Delivery]], settings: Settings,
           now: datetime) -> Score:
    """One supplier's scores for one period, from that supplier's own facts."""
    receipts = [d for d in facts.deliveries if period.contains(d.received_on)]
    period_lines = [line for line in lines if period.contains(line[0].received_on)]
    inspections = [i for i in facts.inspections if period.contains(i.inspected_on)]
    orders = [o for o in facts.orders if period.contains(o.sent_at.date())]
    overdue = [o for o in facts.overdue if period.contains(o.promised_on)]
    on_time_lines, on_time_qty = on_time_line_rate(period_lines, len(overdue)), on_time_quantity_rate(receipts)
    lead = lead_time_stats(receipts)
    hours, responsive = responsiveness(orders, now)
    scored = sum(1 for o in orders if o.confirmed_at is not None
                 or Decimal(int((now - o.sent_at).total_seconds())) / 3600 > SLOW_HOURS)
    metrics = {
        "on_time": _mean_pct([on_time_lines, on_time_qty]),
        "quality": quality_rate(inspections),
        "lead_time": lead[3],
        "fill_rate": fill_rate(period_lines),
        "price": price_score(receipts),
        "responsiveness": responsive,
    }
    return Score(supplier_id, period, on_time_lines=_pct_or_none(on_time_lines), on_time_qty=_pct_or_none(on_time_qty),
                 lead_time_mean_days=lead[0], lead_time_std_days=lead[1], lead_time_stated_days=lead[2],
                 responsiveness_hours=hours, overall=overall_score(metrics, settings.weights),
                 deliveries=len(receipts), inspections=len(inspections), orders=len(orders),
                 lines=len(period_lines) + len(overdue), overdue_lines=len(overdue),
                 received_receipts=sum(1 for r in receipts if r.qty_received > 0),
                 priced_receipts=sum(1 for r in receipts if r.best_price is not None and r.qty_received > 0),
                 qty_inspected=sum((i.qty_inspected for i in inspections), ZERO), orders_scored=scored, **metrics)


def _lines(deliveries: Iterable[Delivery]) -> dict[tuple[int, str], list[Delivery]]:
    """Receipts grouped by (supplier, PO line), earliest first."""
    grouped: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for index, delivery in enumerate(deliveries):
        grouped[(delivery.supplier_id, delivery.line_key or f"#{index}")].append(delivery)
    return {key: sorted(receipts, key=lambda d: d.received_on) for key, receipts in grouped.items()}


# ---------------------------------------------------------------- one function per metric (rates are 0-1)

def on_time_line_rate(lines: Sequence[Sequence[Delivery]], overdue: int = 0) -> Decimal | None:
    """Share of lines whose every receipt came on or before the promised date (a line receiving nothing is
    late, and so is each of the `overdue` lines still waiting past their promised date)."""
    if not lines and not overdue:
        return None
    good = sum(1 for receipts in lines
               if sum((r.qty_received for r in receipts), ZERO) > 0
               and all(r.received_on <= r.promised_on for r in receipts if r.qty_received > 0))
    return Decimal(good) / (len(lines) + overdue)


def on_time_quantity_rate(receipts: Sequence[Delivery]) -> Decimal | None:
    total = sum((r.qty_received for r in receipts), ZERO)
    if total == 0:
        return None
    return sum((r.qty_received for r in receipts if r.received_on <= r.promised_on), ZERO) / total


def quality_rate(inspections: Sequence[Inspection]) -> Decimal | None:
    inspected = sum((i.qty_inspected for i in inspections), ZERO)
    if inspected == 0:
        return None
    return _pct(sum((i.qty_accepted for i in inspections), ZERO) / inspected * HUNDRED)


def fill_rate(lines: Sequence[Sequence[Delivery]]) -> Decimal | None:
    ordered = sum((max(r.qty_ordered for r in receipts) for receipts in lines), ZERO)
    if ordered == 0:
        return None
    filled = sum((min(sum((r.qty_received for r in receipts), ZERO), max(r.qty_ordered for r in receipts))
                  for receipts in lines), ZERO)
    return _pct(filled / ordered * HUNDRED)


def lead_time_stats(receipts: Sequence[Delivery]) -> tuple[Decimal | None, Decimal | None, Decimal | None,
                                                          Decimal | None]:
    """(mean actual days, std of actual − stated days, mean stated days, score) of receipts with goods."""
    usable = [r for r in receipts if r.qty_received > 0]
    if not usable:
        return None, None, None, None
    actual = [Decimal((r.received_on - r.ordered_on).days) for r in usable]
    deviation = [a - r.stated_lead_time_days for a, r in zip(actual, usable)]
    stated = sum((Decimal(r.stated_lead_time_days) for r in usable), ZERO) / len(usable)
    mean, bias = sum(actual, ZERO) / len(actual), sum(deviation, ZERO) / len(deviation)
    spread = (sum(((d - bias) ** 2 for d in deviation), ZERO) / len(deviation)).sqrt()
    penalty = (max(ZERO, bias) + spread) / max(stated, Decimal(1))
    return _pct(mean), _pct(spread), _pct(stated), _pct(max(ZERO, 1 - penalty) * HUNDRED)


def price_score(receipts: Sequence[Delivery]) -> Decimal | None:
    priced = [r for r in receipts if r.best_price is not None and r.qty_received > 0]
    paid = sum((r.unit_price * r.qty_received for r in priced), ZERO)
    if not priced or paid == 0:
        return None
    best = sum((r.best_price * r.qty_received for r in priced), ZERO)  # type: ignore[operator]
    return _pct(min(Decimal(1), best / paid) * HUNDRED)


def responsiveness(orders: Sequence[PurchaseOrder], now: datetime) -> tuple[Decimal | None, Decimal | None]:
    """(mean hours to confirm of confirmed orders, score). Orders younger than a week and unconfirmed wait."""
    hours, scores = [], []
    for order in orders:
        if order.confirmed_at is not None:
            taken = Decimal(int((order.confirmed_at - order.sent_at).total_seconds())) / 3600
            hours.append(taken)
            scores.append(response_score(taken))
        elif Decimal(int((now - order.sent_at).total_seconds())) / 3600 > SLOW_HOURS:
            scores.append(ZERO)
    mean_hours = _pct(sum(hours, ZERO) / len(hours)) if hours else None
    return mean_hours, (_pct(sum(scores, ZERO) / len(scores)) if scores else None)


def response_score(hours: Decimal) -> Decimal:
    """100 at ≤ 24 h, 0 at ≥ 168 h, linear in between."""
    if hours <= FAST_HOURS:
        return HUNDRED
    if hours >= SLOW_HOURS:
        return ZERO
    return (SLOW_HOURS - hours) / (SLOW_HOURS - FAST_HOURS) * HUNDRED


# ---------------------------------------------------------------- helpers

def _pct(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _pct_or_none(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else _pct(rate * HUNDRED)


def _mean_pct(rates: Sequence[Decimal | None]) -> Decimal | None:
    present = [r for r in rates if r is not None]
    return _pct(sum(present, ZERO) / len(present) * HUNDRED) if present else None
