"""Forecast runs through the database: every series stored per run, progress, failures, the job."""
from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.jobs import job_by_id, run_job
from scm.services.planning.forecast_batch import run_forecast_batch
from scm.models import DemandRecord, Forecast, ForecastRun, Promotion
from scm.services.planning import forecast_runs as forecasts
from tests import factories as f

AS_OF = date(2026, 3, 2)  # a Monday


def seed_history(session, item, warehouse, *, weeks: int = 80, weekly_cycle: bool = True) -> None:  # type: ignore
    start = AS_OF - timedelta(weeks=weeks)
    rows = []
    for n in range(weeks * 7):
        day = start + timedelta(days=n)
        qty = 10 + 6 * math.sin(2 * math.pi * n / 365) + (4 if weekly_cycle and day.weekday() < 5 else 0)
        rows.append({"item_id": item.id, "warehouse_id": warehouse.id, "day": day, "qty": Decimal(round(qty)),
                     "stockout": False, "source": "import"})
    session.execute(DemandRecord.__table__.insert(), rows)


@pytest.fixture
def two_series(session):  # type: ignore[no-untyped-def]
    east, west = f.warehouse(session, "WH-EAST"), f.warehouse(session, "WH-WEST")
    weekly, monthly = f.item(session, "WEEKLY"), f.item(session, "MONTHLY", forecast_freq="M")
    seed_history(session, weekly, east)
    seed_history(session, monthly, west)
    session.commit()
    return weekly, monthly, east, west


def test_a_run_stores_one_forecast_per_series_at_the_items_frequency(session, two_series):
    weekly, monthly, east, west = two_series
    seen: list[tuple[int, int]] = []
    run = run_forecast_batch(session, as_of=AS_OF, trigger="cli", workers=1,
                             on_progress=lambda done, total: seen.append((done, total)))
    assert (run.status, run.series_total, run.series_done) == ("ok", 2, 2)
    assert seen[-1] == (2, 2)
    weekly_row = forecasts.forecast_for(session, weekly.id, east.id)
    monthly_row = forecasts.forecast_for(session, monthly.id, west.id)
    assert (weekly_row.freq, len(weekly_row.mean)) == ("W", forecasts.HORIZON["W"])
    assert (monthly_row.freq, len(monthly_row.mean)) == ("M", forecasts.HORIZON["M"])
    assert weekly_row.period_starts[0] == "2026-03-02"  # the week after the history, starting Monday
    assert monthly_row.period_starts[0] == "2026-03-01"
    assert weekly_row.backtest and weekly_row.mase is not None
    for row in (weekly_row, monthly_row):
        assert all(lo <= m <= hi for lo, m, hi in zip(row.lo80, row.mean, row.hi80))
        assert all(lo <= m <= hi for lo, m, hi in zip(row.lo95, row.mean, row.hi95))


def test_runs_are_kept_so_forecasts_can_be_compared_later(session, two_series):
    weekly, _m, east, _w = two_series
    run_forecast_batch(session, as_of=AS_OF - timedelta(weeks=4), trigger="cli", workers=1)
    run_forecast_batch(session, as_of=AS_OF, trigger="cli", workers=1)
    assert session.scalar(select(func.count()).select_from(Forecast)) == 4
    past = forecasts.forecast_vs_actual(session, weekly.id, east.id, as_of=AS_OF)
    older = [p for p in past if p.as_of == AS_OF - timedelta(weeks=4)]
    assert older and older[0].periods == 4 and older[0].actual > 0


def test_planned_promotion_reaches_the_forecast(session, two_series):
    weekly, _m, east, _w = two_series
    baseline = run_forecast_batch(session, as_of=AS_OF, trigger="cli", item_ids=[weekly.id], workers=1)
    base = forecasts.forecast_for(session, weekly.id, east.id).mean[0]
    session.add(Promotion(item_id=weekly.id, warehouse_id=east.id, starts_on=AS_OF, ends_on=AS_OF + timedelta(days=6),
                          uplift=0.5))
    session.commit()
    jobs = forecasts.load_inputs(session, as_of=AS_OF, item_ids=[weekly.id])
    assert jobs[0].future_promotions[0] == pytest.approx(0.5) and jobs[0].future_promotions[1] == 0
    run_forecast_batch(session, as_of=AS_OF, trigger="cli", item_ids=[weekly.id], workers=1)
    promoted = forecasts.forecast_for(session, weekly.id, east.id)
    assert promoted.run_id > baseline.id and promoted.mean[0] > base


def test_a_failing_run_is_recorded_as_an_error(session, two_series, monkeypatch):
    def explode(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("statsmodels exploded")
    monkeypatch.setattr(forecasts, "compute", explode)
    with pytest.raises(RuntimeError):
        run_forecast_batch(session, as_of=AS_OF, trigger="job", workers=1)
    run = session.scalar(select(ForecastRun))
    assert run.status == "error" and "statsmodels exploded" in run.error
    assert session.scalar(select(func.count()).select_from(Forecast)) == 0


def test_the_nightly_job_runs_once_per_day(session, two_series, monkeypatch):
    calls = []
    monkeypatch.setattr("scm.jobs.run_forecast_batch",
                        lambda s, **kw: calls.append(kw) or forecasts.start_run(s, as_of=kw["as_of"], trigger="job"))
    job = job_by_id("forecast-refresh")
    from datetime import datetime, timezone
    now = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    assert run_job(session, job, now=now).status == "ok"
    assert run_job(session, job, now=now + timedelta(hours=3)) is None  # same day: already claimed
    assert len(calls) == 1 and calls[0]["as_of"] == AS_OF


def test_cli_forecast_for_one_item(app, session, two_series):
    weekly, _m, east, _w = two_series
    result = app.test_cli_runner().invoke(args=["scm", "forecast", "--item", "WEEKLY", "--workers", "1",
                                                "--as-of", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "1 series" in result.output
    assert forecasts.forecast_for(session, weekly.id, east.id).freq == "W"
    bad = app.test_cli_runner().invoke(args=["scm", "forecast", "--item", "NOPE"])
    assert bad.exit_code != 0 and "NOPE" in bad.output
