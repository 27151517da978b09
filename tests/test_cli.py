"""The commands a new installation uses: create-user, seed-demo, ledger-check, run-job."""
from __future__ import annotations

from sqlalchemy import func, select

from scm.models import DashboardSnapshot, Forecast, Item, StockWarning, User
from tests import factories as f


def test_seed_demo_loads_a_living_system_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["scm", "seed-demo", "--if-empty", "--items", "12"])
    assert first.exit_code == 0, first.output
    assert "first forecast" in first.output
    assert session.scalar(select(func.count()).select_from(Item)) == 12
    assert {u.role for u in session.scalars(select(User))} == {"admin", "buyer", "warehouse", "viewer", "supplier"}
    assert session.scalar(select(func.count()).select_from(Forecast)) > 0
    assert "first replenishment plan" in first.output  # the warnings page has something to show
    assert "dashboard-figures: stock_figures in" in first.output  # the dashboard shows its snapshots
    assert session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 2
    assert session.scalar(select(func.count()).select_from(StockWarning).where(
        StockWarning.severity.in_(("critical", "warning")))) > 0
    again = runner.invoke(args=["scm", "seed-demo", "--if-empty"])
    assert "already has data" in again.output
    check = runner.invoke(args=["scm", "ledger-check"])
    assert check.exit_code == 0 and "0 drift" in check.output


def test_create_user_refuses_a_weak_password(app, session):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["scm", "create-user", "--email", "a@example.com", "--password", "short"])
    assert weak.exit_code != 0 and "10 characters" in weak.output
    ok = runner.invoke(args=["scm", "create-user", "--email", "a@example.com", "--password", "a long passphrase"])
    assert ok.exit_code == 0 and "created admin a@example.com" in ok.output


def test_run_job_ledger_check(app, session):
    f.stock(session, f.item(session), f.warehouse(session), 3)
    session.commit()
    result = app.test_cli_runner().invoke(args=["scm", "run-job", "ledger-check"])
    assert result.exit_code == 0 and "ledger and balances agree" in result.output
    unknown = app.test_cli_runner().invoke(args=["scm", "run-job", "nope"])
    assert unknown.exit_code != 0 and "unknown job" in unknown.output
