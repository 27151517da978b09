"""Policy simulation in the app: replay recent weekly demand per item × warehouse and keep the comparison.

The arithmetic is `forecasting.simulation` (pure); this module loads the weekly demand history from
the database (`demand.load_histories`, stock-out weeks flagged), runs the replay for every active item ×
warehouse, and stores one `SimulationRun` with the summary and a row per series. Weeks run Monday to
Sunday; the week containing `as_of` is not over and is left out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forecasting import SeriesInput, prepare_series
from forecasting import simulation as engine
from scm.models import Item, SimulationRun, Warehouse
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ValidationFailed
from scm.services.planning import demand

SEASON = 52           # weeks
BASELINE_WINDOW = 13  # min/max statistics over the last quarter
MAX_WEEKS = 104


def _check(weeks: int, service_level: float, lead_time: int, review: int) -> None:
    """Raise ValidationFailed naming every setting out of range."""
    errors: dict[str, list[str]] = {}
    if not 1 <= weeks <= MAX_WEEKS:
        errors["weeks"] = [f"Replay between 1 and {MAX_WEEKS} weeks."]
    if not 0.5 <= service_level < 1:
        errors["service_level"] = ["Service level is a fill rate from 0.5 to below 1, e.g. 0.95."]
    if not 0 <= lead_time <= 26:
        errors["lead_time"] = ["Lead time between 0 and 26 weeks."]
    if not 1 <= review <= 13:
        errors["review"] = ["Review period between 1 and 13 weeks."]
    if errors:
        raise ValidationFailed(errors)


def load_inputs(session: Session, *, as_of: date, item_ids: list[int] | None = None) -> list[SeriesInput]:
    """Weekly demand series of every active item × warehouse with demand before `as_of`."""
    stmt = select(Item.id).where(Item.active.is_(True))
    active = set(session.scalars(stmt.where(Item.id.in_(item_ids)) if item_ids is not None else stmt))
    # The last complete week ends on the Sunday before as_of's week.
    last_day = as_of - timedelta(days=as_of.weekday() + 1)
    inputs = []
    for key, history in sorted(demand.load_histories(session, as_of=as_of, item_ids=item_ids).items()):
        if key[0] not in active or not history.quantities or min(history.quantities) > last_day:
            continue
        days, quantities, stockout, _promo = history.rows(min(history.quantities), last_day)
        series = prepare_series(days, quantities, freq="W", stockout=stockout, key=key)
        if series.values:
            inputs.append(series)
    return inputs


@dataclass(frozen=True)
class Outcome:
    """A computed simulation, not yet stored: what `store` keeps."""

    settings: engine.ReplaySettings
    plans: list[engine.SeriesPlan]
    skipped: list[str]
    comparison: engine.Comparison


def settings_for(*, weeks: int = 26, service_level: float = 0.95, lead_time: int = 1,
                 review: int = 1) -> engine.ReplaySettings:
    """Replay settings in weeks. Raises ValidationFailed for settings out of range."""
    _check(weeks, service_level, lead_time, review)
    return engine.ReplaySettings(replay=weeks, lead_time=lead_time, review=review, season=SEASON,
                                 service_level=service_level, baseline_window=BASELINE_WINDOW)


def compute(inputs: list[SeriesInput], settings: engine.ReplaySettings, *, workers: int | None = 1) -> Outcome:
    """Plan and compare every series (CPU only, no database: call it outside a transaction).

    Series with fewer than `weeks + 4` weeks of history are skipped.
    """
    plans, skipped = engine.plan_many(inputs, settings, workers=workers)
    return Outcome(settings, plans, skipped, engine.compare(plans, settings))


def store(session: Session, outcome: Outcome, *, as_of: date, actor: Actor, trigger: str = "cli") -> SimulationRun:
    """Keep the run with its summary and a row per series, and write the audit log."""
    st, plans, comparison = outcome.settings, outcome.plans, outcome.comparison
    forecast, minmax = comparison.nominal
    sim = SimulationRun(
        as_of=as_of, created_by=actor.user_id, trigger=trigger, freq="W", periods=st.replay,
        lead_time=st.lead_time, review=st.review, service_level=st.service_level, series_total=len(plans),
        series_skipped=len(outcome.skipped), fill_rate=forecast.fill_rate,
        stockout_periods=forecast.stockout_periods, avg_inventory=forecast.avg_on_hand,
        minmax_fill_rate=minmax.fill_rate, minmax_avg_inventory=minmax.avg_on_hand,
        saving=comparison.saving if plans else None, summary=_summary(comparison),
        series=_series_rows(session, plans, comparison))
    session.add(sim)
    session.flush()
    audit.record(session, actor, "simulation.run", "simulation_run", sim.id, after={
        "as_of": as_of.isoformat(), "weeks": st.replay, "service_level": st.service_level,
        "lead_time": st.lead_time, "review": st.review, "series": len(plans), "skipped": len(outcome.skipped)})
    return sim


def run(session: Session, *, as_of: date, actor: Actor, weeks: int = 26, service_level: float = 0.95,
        lead_time: int = 1, review: int = 1, item_ids: list[int] | None = None, workers: int | None = 1,
        trigger: str = "cli") -> SimulationRun:
    """Replay the last `weeks` weeks before `as_of` under both policies, store and audit the run.

    Lead time and review period are in weeks and the same for every series. One call for small runs
    (tests, the demo); the CLI calls the three steps itself so no transaction stays open while it computes.
    Raises ValidationFailed for settings out of range.
    """
    settings = settings_for(weeks=weeks, service_level=service_level, lead_time=lead_time, review=review)
    outcome = compute(load_inputs(session, as_of=as_of, item_ids=item_ids), settings, workers=workers)
    return store(session, outcome, as_of=as_of, actor=actor, trigger=trigger)


def _summary(comparison: engine.Comparison) -> dict[str, Any]:
    nominal, calibrated = comparison.nominal, comparison.calibrated
    return {"nominal": {r.policy: engine.summary(r) for r in nominal},
            "calibrated": {r.policy: engine.summary(r) for r in calibrated},
            "saving": round(comparison.saving, 5), "equal_fill": comparison.equal_fill}


def _series_rows(session: Session, plans: list[engine.SeriesPlan], comparison: engine.Comparison
                 ) -> list[dict[str, Any]]:
    """One row per series: SKU, warehouse, model and each policy's figures at the nominal factor."""
    skus = dict(session.execute(select(Item.id, Item.sku)).all())
    codes = dict(session.execute(select(Warehouse.id, Warehouse.code)).all())
    forecast, minmax = comparison.nominal
    rows = []
    for plan, f, m in zip(plans, forecast.series, minmax.series):
        item_id, warehouse_id = plan.key
        rows.append({"item_id": item_id, "warehouse_id": warehouse_id, "sku": skus.get(item_id, ""),
                     "warehouse": codes.get(warehouse_id, ""), "model": plan.model, "demand": round(f.demand, 3),
                     "forecast": _outcome(f), "minmax": _outcome(m)})
    return rows


def _outcome(o: engine.SeriesOutcome) -> dict[str, float]:
    return {"fill_rate": round(o.fill_rate, 5), "stockout_periods": o.stockout_periods,
            "avg_on_hand": round(o.avg_on_hand, 3)}


def latest_run(session: Session) -> SimulationRun | None:
    """The most recent simulation, or None."""
    return session.scalars(select(SimulationRun).order_by(SimulationRun.id.desc()).limit(1)).first()


def describe(sim: SimulationRun) -> list[str]:
    """The run as text lines (the CLI prints them)."""
    lines = [f"simulation run {sim.id}: {sim.series_total} series ({sim.series_skipped} skipped, too short), "
             f"last {sim.periods} weeks before {sim.as_of}, lead time {sim.lead_time} wk, review {sim.review} wk, "
             f"target fill rate {sim.service_level:.1%}, lost sales"]
    if not sim.series_total:
        return lines + ["nothing to simulate: no item has enough weekly demand history"]
    lines.append(f"{'':<30}{'factor':>8}{'fill rate':>11}{'stock-out weeks':>17}{'avg inventory':>15}")
    for stage in ("nominal", "calibrated"):
        for policy, label in (("forecast", "forecast policy"), ("minmax", "min/max")):
            s = sim.summary[stage][policy]
            lines.append(f"{label + ' (' + stage + ')':<30}{s['parameter']:>8.2f}{s['fill_rate']:>11.1%}"
                         f"{s['stockout_periods']:>17}{s['avg_on_hand']:>15,.1f}")
    lines.append(f"inventory saving vs min/max at equal fill rate: {sim.summary['saving']:+.1%}")
    if not sim.summary.get("equal_fill", True):
        lines.append("warning: a policy did not reach the target even at the largest safety factor; "
                     "the saving compares unequal fill rates")
    return lines


def sample_item_ids(session: Session, count: int) -> list[int]:
    """The first `count` active items by id: a quick simulation for the demo."""
    stmt = select(Item.id).where(Item.active.is_(True)).order_by(Item.id).limit(count)
    return list(session.scalars(stmt))
