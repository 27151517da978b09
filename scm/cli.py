"""`flask scm ...` commands: create-user, seed-demo, ledger-check, forecast, simulate, scheduler, run-job."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from scm.demo import core as demo
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel import accounts
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import DomainError
from scm.services.kernel.transaction import run_in_transaction
from scm.services.stock import ledger as stock_ledger

scm_cli = AppGroup("scm", help="Supply chain management commands.")


@scm_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="Administrator")
@click.option("--role", default="admin", type=click.Choice(["admin", "buyer", "warehouse", "viewer"]))
@click.password_option("--password", help="At least 10 characters (prompted when omitted).")
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account (the first admin, typically)."""
    try:
        user = run_in_transaction(db.session, lambda: accounts.create_user(
            db.session, {"email": email, "name": name, "role": role}, password=password,
            actor=Actor.system("cli", via="cli")))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"created {user.role} {user.email}")


@scm_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has items.")
@click.option("--items", default=200, show_default=True)
@click.option("--forecast/--no-forecast", default=True, show_default=True,
              help="Run the first forecast so the planning pages have something to show.")
@click.option("--simulate/--no-simulate", default=True, show_default=True,
              help="Run a policy simulation of the first 10 items for the planning page.")
def seed_demo(if_empty: bool, items: int, forecast: bool, simulate: bool) -> None:
    """Load demo warehouses, items, two years of demand and users for every role."""
    if if_empty and not demo.is_empty(db.session):
        click.echo("database already has data; demo not loaded")
        return
    counts = run_in_transaction(db.session, lambda: demo.seed(db.session, today=utcnow().date(), items=items))
    click.echo(f"demo loaded: {counts}; log in as {', '.join(e for e, _ in demo.demo_users())} "
               f"with password {demo.DEMO_PASSWORD}")
    if forecast:
        from scm.services.planning.forecast_batch import run_forecast_batch
        run = run_forecast_batch(db.session, as_of=utcnow().date(), trigger="cli")
        click.echo(f"first forecast: {run.series_total} series")
        from scm.services.kernel.actors import Actor
        from scm.services.planning import replenishment
        from scm.services.planning import warnings as stock_warnings
        now = utcnow()
        plan = run_in_transaction(db.session, lambda: replenishment.plan(
            db.session, as_of=now.date(), actor=Actor.system("seed-demo", via="cli"), now=now, trigger="cli"))
        click.echo(f"first replenishment plan: {plan.suggestions} suggestion(s), warnings "
                   f"{stock_warnings.counts(db.session)}")
    if simulate:
        from scm.services.planning import simulation
        sim = run_in_transaction(db.session, lambda: simulation.run(
            db.session, as_of=utcnow().date(), actor=Actor.system("demo", via="cli"), weeks=26,
            item_ids=simulation.sample_item_ids(db.session, 10), trigger="demo", workers=None))
        click.echo(f"first policy simulation: {sim.series_total} series, saving {100 * (sim.saving or 0):+.0f}%")
    from scm.jobs import job_by_id, run_job
    check = run_job(db.session, job_by_id("ledger-check"), now=utcnow(), force=True)  # the jobs page has a run
    click.echo(f"ledger-check: {check.status if check else 'skipped'}")
    figures = run_job(db.session, job_by_id("dashboard-figures"), now=utcnow(), force=True)  # "as of" on the dashboard
    click.echo(f"dashboard-figures: {figures.result if figures else 'skipped'}")
    mail = run_job(db.session, job_by_id("outgoing-mail"), now=utcnow(), force=True)  # the demo orders' e-mails
    click.echo(f"outgoing-mail: {mail.result if mail else 'skipped'}")


@scm_cli.command("ledger-check")
def ledger_check() -> None:
    """Recompute every balance from the ledger; exit 1 on any drift."""
    drifts = stock_ledger.ledger_check(db.session)
    for d in drifts:
        click.echo(f"DRIFT item={d.item_id} warehouse={d.warehouse_id} {d.field}: ledger={d.ledger} "
                   f"balance={d.balance}")
    click.echo(f"ledger-check: {len(drifts)} drift(s)")
    sys.exit(1 if drifts else 0)


@scm_cli.command("forecast")
@click.option("--item", "skus", multiple=True, help="Only this SKU (repeatable); default: every active item.")
@click.option("--workers", type=int, default=None, help="Processes (default: every core).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Forecast from this day (history up to the day before). Default: today.")
def forecast(skus: tuple[str, ...], workers: int | None, as_of: object) -> None:
    """Forecast demand per item and warehouse, choosing each series' model by backtest."""
    from scm.services.planning.forecast_batch import run_forecast_batch
    from scm.services.stock import masterdata
    try:
        item_ids = [masterdata.item_by_sku(db.session, sku).id for sku in skus] or None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    day = as_of.date() if as_of else utcnow().date()  # type: ignore[attr-defined]
    with click.progressbar(length=1, label="forecasting", show_pos=True, show_eta=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)
        run = run_forecast_batch(db.session, as_of=day, trigger="cli", item_ids=item_ids, workers=workers,
                                 on_progress=progress)
    click.echo(f"forecast run {run.id}: {run.series_total} series, as of {run.as_of}")


@scm_cli.command("simulate")
@click.option("--weeks", type=int, default=26, show_default=True, help="Replay the last N complete weeks.")
@click.option("--service-level", type=float, default=0.95, show_default=True, help="Target fill rate.")
@click.option("--lead-time", type=int, default=1, show_default=True, help="Weeks from order to receipt.")
@click.option("--review", type=int, default=1, show_default=True, help="Weeks between reviews.")
@click.option("--item", "skus", multiple=True, help="Only this SKU (repeatable); default: every active item.")
@click.option("--workers", type=int, default=None, help="Processes (default: every core).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Replay the weeks before this day. Default: today.")
def simulate(weeks: int, service_level: float, lead_time: int, review: int, skus: tuple[str, ...],
             workers: int | None, as_of: object) -> None:
    """Replay recent demand with the forecast policy and a min/max rule; store and print the result."""
    from scm.services.planning import simulation
    from scm.services.stock import masterdata
    actor = Actor.system("cli", via="cli")
    day = as_of.date() if as_of else utcnow().date()  # type: ignore[attr-defined]
    try:
        settings = simulation.settings_for(weeks=weeks, service_level=service_level, lead_time=lead_time,
                                           review=review)
        item_ids = [masterdata.item_by_sku(db.session, sku).id for sku in skus] or None
        inputs = simulation.load_inputs(db.session, as_of=day, item_ids=item_ids)
        db.session.commit()  # end the read transaction: SQLite would hold its write lock while we compute
        outcome = simulation.compute(inputs, settings, workers=workers)
        sim = run_in_transaction(db.session, lambda: simulation.store(db.session, outcome, as_of=day, actor=actor))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo("\n".join(simulation.describe(sim)))


@scm_cli.command("scheduler")
def scheduler() -> None:
    """Run the job scheduler in the foreground (one process per deployment)."""
    from flask import current_app

    from scm.jobs import JOBS, build_scheduler
    click.echo(f"scheduler started with {len(JOBS)} job(s): {', '.join(j.id for j in JOBS)}")
    build_scheduler(current_app._get_current_object()).start()  # type: ignore[attr-defined]


@scm_cli.command("run-job")
@click.argument("name")
def run_job(name: str) -> None:
    """Run one job now, whatever its schedule."""
    from scm.jobs import job_by_id
    from scm.jobs import run_job as run
    try:
        job = job_by_id(name)
    except KeyError as error:
        raise click.ClickException(str(error)) from None
    record = run(db.session, job, now=utcnow(), force=True)
    click.echo(f"{name}: {record.status}: {record.result}")
    sys.exit(0 if record.status == "ok" else 1)


def register_cli(app: Flask) -> None:
    app.cli.add_command(scm_cli)
