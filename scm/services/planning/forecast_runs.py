"""Forecast runs: build series from demand history, forecast them with `forecasting`, keep every run.

Loading, computing and storing are separate steps so the batch can release the database while the
(long, CPU-bound, multi-process) computation runs: `start_run` → `load_inputs` → `compute` → `store`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forecasting import ForecastResult, SeriesInput, forecast_many, prepare_series
from scm.models import Forecast, ForecastRun, Item, Warehouse, utcnow
from scm.services.kernel.errors import NotFound
from scm.services.planning import demand

HORIZON = {"D": 28, "W": 13, "M": 6}   # periods ahead: four weeks, a quarter, half a year
SEASON = {"D": 7, "W": 52, "M": 12}
PANDAS_FREQ = {"D": "D", "W": "W-SUN", "M": "M"}  # as forecasting.series: weeks run Monday to Sunday


@dataclass(frozen=True)
class SeriesJob:
    """One item × warehouse to forecast: its prepared history and its planned promotions ahead."""

    item_id: int
    warehouse_id: int
    freq: str
    series: SeriesInput
    future_promotions: tuple[float, ...] | None
    future_starts: tuple[str, ...]


def start_run(session: Session, *, as_of: date, trigger: str) -> ForecastRun:
    run = ForecastRun(as_of=as_of, trigger=trigger, status="running")
    session.add(run)
    session.flush()
    return run


def load_inputs(session: Session, *, as_of: date, item_ids: list[int] | None = None) -> list[SeriesJob]:
    """Every active item × warehouse with demand history, prepared at the item's forecast frequency."""
    stmt = select(Item.id, Item.forecast_freq).where(Item.active.is_(True))
    freqs = dict(session.execute(stmt.where(Item.id.in_(item_ids)) if item_ids is not None else stmt).all())
    planned = demand.promotions_from(session, as_of, item_ids)
    jobs = []
    for key, history in sorted(demand.load_histories(session, as_of=as_of, item_ids=item_ids).items()):
        if key[0] in freqs and history.quantities:
            job = _job(key, freqs[key[0]], history, planned.get(key, []), as_of)
            if job is not None:
                jobs.append(job)
    return jobs


def _job(key: tuple[int, int], freq: str, history: demand.DailyHistory, planned: list, as_of: date
         ) -> SeriesJob | None:
    days, quantities, stockout, promotion = history.rows(min(history.quantities), as_of - timedelta(days=1))
    series = prepare_series(days, quantities, freq=freq, stockout=stockout, promotion=promotion, key=key)
    if not series.values:
        return None  # less than one complete period of history
    future = _future_starts(series.period_starts[-1], freq, HORIZON[freq])
    return SeriesJob(key[0], key[1], freq, series, _future_promotions(planned, future, freq), future)


def _future_starts(last_start: str, freq: str, horizon: int) -> tuple[str, ...]:
    last = pd.Period(last_start, PANDAS_FREQ[freq])
    return tuple((last + k).start_time.date().isoformat() for k in range(1, horizon + 1))


def _future_promotions(planned: list, starts: tuple[str, ...], freq: str) -> tuple[float, ...] | None:
    """Mean planned uplift over each future period's days, or None when nothing is planned."""
    if not planned:
        return None
    spans = [[d.date() for d in pd.date_range(p.start_time, p.end_time.normalize(), freq="D")]
             for p in (pd.Period(s, PANDAS_FREQ[freq]) for s in starts)]
    plan = demand.uplift_by_day(planned, [d for span in spans for d in span])
    if not any(plan.values()):
        return None
    return tuple(sum(plan[d] for d in span) / len(span) for span in spans)


def compute(jobs: list[SeriesJob], *, workers: int | None = None, mp_context: object | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[ForecastResult]:
    """Forecast every job (grouped by frequency, since horizon and season depend on it), in order."""
    results: dict[int, ForecastResult] = {}
    total, done_before = len(jobs), 0
    for freq in ("D", "W", "M"):
        indexes = [i for i, job in enumerate(jobs) if job.freq == freq]
        if not indexes:
            continue
        offset = done_before

        def report(done: int, _total: int, offset: int = offset) -> None:
            if progress:
                progress(offset + done, total)

        batch = forecast_many([jobs[i].series for i in indexes], HORIZON[freq], SEASON[freq],
                              promotions=[jobs[i].future_promotions for i in indexes], workers=workers,
                              mp_context=mp_context, progress=report)
        results.update(zip(indexes, batch))
        done_before += len(indexes)
    return [results[i] for i in range(total)]


def store(session: Session, run_id: int, jobs: list[SeriesJob], results: list[ForecastResult]) -> ForecastRun:
    """Keep every forecast of the run (bulk insert) and mark the run finished."""
    rows = [_row(run_id, job, result) for job, result in zip(jobs, results)]
    for start in range(0, len(rows), 2000):
        session.execute(Forecast.__table__.insert(), rows[start:start + 2000])
    run = session.get(ForecastRun, run_id)
    run.status, run.finished_at = "ok", utcnow()
    run.series_total = run.series_done = len(rows)
    session.flush()
    return run


def _row(run_id: int, job: SeriesJob, result: ForecastResult) -> dict[str, Any]:
    data = result.as_dict()
    chosen = next((c for c in data["backtest"] if c["model"] == result.model), None) or {}
    return {"run_id": run_id, "item_id": job.item_id, "warehouse_id": job.warehouse_id, "freq": job.freq,
            "model": result.model, "classification": result.classification.category,
            "history_end": date.fromisoformat(job.future_starts[0]) - timedelta(days=1),
            "period_starts": list(job.future_starts), "mean": data["mean"], "lo80": data["lo80"],
            "hi80": data["hi80"], "lo95": data["lo95"], "hi95": data["hi95"], "sigma": data["sigma"],
            "backtest": data["backtest"], "params": data["params"], "warnings": data["warnings"],
            "mase": chosen.get("mase"), "wape": chosen.get("wape"), "bias": chosen.get("bias")}


def fail_run(session: Session, run_id: int, error: str) -> None:
    run = session.get(ForecastRun, run_id)
    run.status, run.finished_at, run.error = "error", utcnow(), error[:4000]


def set_progress(session: Session, run_id: int, done: int, total: int) -> None:
    run = session.get(ForecastRun, run_id)
    run.series_done, run.series_total = done, total


# ---------------------------------------------------------------- queries for pages and the API

def latest_run(session: Session) -> ForecastRun | None:
    return session.scalar(select(ForecastRun).where(ForecastRun.status == "ok").order_by(ForecastRun.id.desc()))


def recent_runs(session: Session, limit: int = 10) -> list[ForecastRun]:
    return list(session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(limit)))


def forecast_for(session: Session, item_id: int, warehouse_id: int) -> Forecast:
    """The newest forecast of one item in one warehouse."""
    found = session.scalar(select(Forecast).join(ForecastRun, ForecastRun.id == Forecast.run_id).where(
        Forecast.item_id == item_id, Forecast.warehouse_id == warehouse_id, ForecastRun.status == "ok")
        .order_by(Forecast.run_id.desc()))
    if found is None:
        raise NotFound("no forecast yet for this item and warehouse; run the forecast first")
    return found


def ranked(session: Session, run_id: int, *, by: str, limit: int = 20) -> list[Any]:
    """The run's forecasts with the worst backtest accuracy (by='mase') or the largest bias (by='bias')."""
    order = Forecast.mase.desc() if by == "mase" else func.abs(Forecast.bias).desc()
    stmt = (select(Forecast, Item.sku, Item.name, Warehouse.code.label("warehouse"))
            .join(Item, Item.id == Forecast.item_id).join(Warehouse, Warehouse.id == Forecast.warehouse_id)
            .where(Forecast.run_id == run_id, (Forecast.mase if by == "mase" else Forecast.bias).is_not(None))
            .order_by(order, Forecast.id).limit(limit))
    return list(session.execute(stmt))


def history_series(session: Session, item_id: int, warehouse_id: int, freq: str, *, as_of: date) -> SeriesInput:
    """The prepared demand history as the forecaster saw it (for the chart and forecast vs actual)."""
    history = demand.load_histories(session, as_of=as_of, item_ids=[item_id]).get((item_id, warehouse_id))
    if history is None or not history.quantities:
        return SeriesInput(key=(item_id, warehouse_id), values=(), period_starts=(), freq=freq)
    days, quantities, stockout, promotion = history.rows(min(history.quantities), as_of - timedelta(days=1))
    return prepare_series(days, quantities, freq=freq, stockout=stockout, promotion=promotion,
                          key=(item_id, warehouse_id))


@dataclass(frozen=True)
class PastAccuracy:
    run_id: int
    as_of: date
    model: str
    periods: int
    forecast: float
    actual: float

    @property
    def error_pct(self) -> float | None:
        return None if not self.actual else 100 * (self.forecast - self.actual) / self.actual


def forecast_vs_actual(session: Session, item_id: int, warehouse_id: int, *, as_of: date,
                       limit: int = 8) -> list[PastAccuracy]:
    """For past runs, what was forecast for periods that have now happened, beside what happened."""
    past = list(session.scalars(select(Forecast).join(ForecastRun, ForecastRun.id == Forecast.run_id).where(
        Forecast.item_id == item_id, Forecast.warehouse_id == warehouse_id, ForecastRun.status == "ok")
        .order_by(Forecast.run_id.desc()).limit(limit)))
    if not past:
        return []
    actual = dict(zip(*_actuals(session, item_id, warehouse_id, past[0].freq, as_of)))
    out = []
    for row in past:
        pairs = [(m, actual[s]) for s, m in zip(row.period_starts, row.mean) if s in actual and m is not None]
        if pairs:
            run = session.get(ForecastRun, row.run_id)
            out.append(PastAccuracy(row.run_id, run.as_of, row.model, len(pairs), sum(m for m, _ in pairs),
                                    sum(a for _, a in pairs)))
    return out


def _actuals(session: Session, item_id: int, warehouse_id: int, freq: str, as_of: date) -> tuple[tuple, tuple]:
    series = history_series(session, item_id, warehouse_id, freq, as_of=as_of)
    return series.period_starts or (), series.values
