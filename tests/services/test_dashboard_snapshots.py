"""Snapshots of the slow dashboard panels: equal to the live figures, written once per period by the
`dashboard-figures` job, shown with their time on the page; a fresh database computes live."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select

from scm import jobs
from scm.models import DashboardSnapshot, JobRun
from scm.services.dashboard import panels as dashboard, snapshots as dashboard_snapshots
from tests import factories as f
from tests.services.test_dashboard import NOW, shop  # noqa: F401  (the hand-computed dataset)

D = Decimal


def test_snapshots_equal_the_live_figures_of_the_hand_computed_dataset(session, shop):  # noqa: F811
    timings = dashboard_snapshots.refresh(session, NOW)
    assert set(timings) == {"stock_figures", "slow_dead"}
    stored = dashboard_snapshots.latest(session)
    ctx = dashboard.DashboardContext(now=NOW, role="admin")
    assert stored["stock_figures"].data == dashboard.stock_figures(session, ctx)
    assert stored["slow_dead"].data == dashboard.slow_and_dead(session, ctx)
    figures, slow_dead = stored["stock_figures"].data, stored["slow_dead"].data
    assert (figures.value.total, figures.turnover.cogs, figures.turnover.turnover) == (D("200.00"), D("166.00"), D("0.77"))
    assert figures.value.by_warehouse == [("A", D("200.00")), ("B", D("0.00"))]   # tuples survive
    assert (slow_dead.dead_value, slow_dead.worst_dead[0]["on_hand"]) == (D("50.00"), D(5))
    assert stored["stock_figures"].computed_at == NOW


def test_the_page_panels_come_from_the_snapshot_until_the_next_refresh(session, shop):  # noqa: F811
    dashboard_snapshots.refresh(session, NOW)
    f.stock(session, shop["dead"], shop["b"], 10)                  # + 100.00 of stock after the snapshot
    ctx = dashboard.DashboardContext(now=NOW, role="admin")
    stored = dict(dashboard.panels_for(session, ctx, snapshots=dashboard_snapshots.latest(session)))
    live = dict(dashboard.panels_for(session, ctx))
    assert stored["stock_figures"].value.total == D("200.00") and live["stock_figures"].value.total == D("300.00")
    dashboard_snapshots.refresh(session, NOW + timedelta(minutes=15))
    assert dashboard_snapshots.latest(session)["stock_figures"].data.value.total == D("300.00")
    assert session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 2   # replaced, not added


def test_the_job_runs_once_per_quarter_hour(session):
    job = jobs.job_by_id("dashboard-figures")
    at = datetime(2026, 3, 20, 12, 7, tzinfo=timezone.utc)
    first = jobs.run_job(session, job, now=at)
    assert first is not None and first.status == "ok" and first.period == "2026-03-20T12:00", first.result
    assert jobs.run_job(session, job, now=at + timedelta(minutes=7)) is None          # 12:14, same period
    again = jobs.run_job(session, job, now=at + timedelta(minutes=8))                 # 12:15, next one
    assert again is not None and again.period == "2026-03-20T12:15"
    assert session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == job.id)) == 2
    assert dashboard_snapshots.latest(session)["slow_dead"].computed_at == at + timedelta(minutes=8)
    assert job.schedule == "every 15 minutes" and job.trigger == {"minute": "*/15"}


def test_the_page_shows_when_the_figures_were_computed(client, session, login_as):
    item, warehouse = f.item(session, "BOLT", unit_cost=D("2")), f.warehouse(session, "A")
    f.stock(session, item, warehouse, 10)
    dashboard_snapshots.refresh(session, datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc))
    f.stock(session, item, warehouse, 5)                              # after the snapshot: not shown yet
    login_as("warehouse")
    body = client.get("/dashboard").get_data(as_text=True)
    assert body.count('data-as-of="2026-03-20T12:00:00+00:00"') == 2   # stock figures and slow/dead stock
    assert "As of 2026-03-20 12:00 UTC" in body and "is the scheduler running?" in body  # old: warned
    assert "20.00" in body and "30.00" not in body


def test_a_fresh_database_renders_live_figures(client, session, login_as):
    item, warehouse = f.item(session, "BOLT", unit_cost=D("2")), f.warehouse(session, "A")
    f.stock(session, item, warehouse, 10)
    login_as("admin")
    response = client.get("/dashboard")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.count('data-as-of="live"') == 2 and "20.00" in body
