"""Scheduled jobs: one explicit list, each job claimed once per period (a unique (job, period) row).

The scheduler runs in its own process (`flask scm scheduler`), never inside the web workers.
"""
from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scm.models import JobRun, utcnow
from scm.services.planning.forecast_batch import run_forecast_batch
from scm.services.stock import ledger as stock_ledger

log = logging.getLogger("scm.jobs")


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[Session, datetime, Mapping[str, Any]], str]  # every job: (session, now, config)
    period: Callable[[datetime], str]
    trigger: dict  # APScheduler cron fields
    # Too long to run inside a web request: the jobs page offers the CLI command instead of "run now".
    long_running: bool = False

    @property
    def description(self) -> str:
        """The first paragraph of the job function's docstring (shown on the jobs page)."""
        doc = (self.run.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(doc.split())

    @property
    def schedule(self) -> str:
        return schedule_in_words(self.trigger)


_WEEKDAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
             "sat": "Saturday", "sun": "Sunday"}


def schedule_in_words(trigger: dict) -> str:
    """APScheduler cron fields as a sentence: {"hour": 1, "minute": 0} -> "daily at 01:00 UTC"."""
    hour, minute = trigger.get("hour", "*"), trigger.get("minute", 0)
    if str(hour) == "*" and str(minute).startswith("*/"):
        return f"every {str(minute)[2:]} minutes"
    if str(hour) == "*" or not str(hour).isdigit() or not str(minute).isdigit():
        at = "minute " + str(minute) + (" of every hour" if str(hour) == "*" else f", hours {hour}")
    else:
        at = f"at {int(hour):02d}:{int(minute):02d} UTC"
    if "day_of_week" in trigger:
        days = [_WEEKDAYS.get(d.strip(), d.strip()) for d in str(trigger["day_of_week"]).split(",")]
        return f"every {', '.join(days)} {at}"
    if "day" in trigger:
        return f"monthly on day {trigger['day']} {at}"
    if str(hour) == "*":
        return f"hourly, {at}"
    return f"daily {at}"


def daily(now: datetime) -> str:
    return now.strftime("%Y-%m-%d")


def hourly(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


def quarter_hourly(now: datetime) -> str:
    """2026-03-20T12:07 -> "2026-03-20T12:00": one period per quarter of an hour."""
    return now.strftime("%Y-%m-%dT%H:") + f"{now.minute // 15 * 15:02d}"


def ledger_check(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Recompute balances from the ledger; any drift is an error worth waking someone for."""
    drifts = stock_ledger.ledger_check(session)
    if drifts:
        raise RuntimeError(f"ledger drift on {len(drifts)} balance(s): " + "; ".join(
            f"item {d.item_id} wh {d.warehouse_id} {d.field}: ledger {d.ledger} vs balance {d.balance}"
            for d in drifts[:5]))
    return "ledger and balances agree"


def forecast_refresh(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Nightly forecasts with every core; forkserver because the scheduler process runs threads."""
    run = run_forecast_batch(session, as_of=now.date(), trigger="job",
                             mp_context=multiprocessing.get_context("forkserver"))
    return f"forecast run {run.id}: {run.series_total} series"


def certificate_expiry(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Remind (once, in the audit log and on the suppliers page) of certificates expiring within 30 days."""
    from scm.services.kernel.actors import Actor
    from scm.services.suppliers import certifications
    reminded = certifications.send_expiry_reminders(session, as_of=now.date(), actor=Actor.system("certificate-expiry"))
    return f"{len(reminded)} certificate(s) expiring within {certifications.REMINDER_DAYS} days reminded"


def scorecards_refresh(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Recompute supplier scorecards from the facts (the current month and quarter are partial)."""
    from scm.services.suppliers import scorecards
    result = scorecards.refresh(session, now.date())
    return f"{result.snapshots} scorecard snapshot(s) for {result.suppliers} supplier(s), {result.active} with activity"


def delay_detection(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Flag late shipments (ETA past promise, carrier silent, exception); the plan follows their ETAs."""
    from scm.services.logistics import delays as logistics_delays
    findings = logistics_delays.detect_delays(session, now=now)
    newly = sum(1 for finding in findings if finding.newly_late)
    return f"{len(findings)} late shipment(s), {newly} newly late"


def replenishment_plan(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Nightly plan: suggestions and warnings, then auto-order within buyers' limits, then e-mail buyers."""
    from scm.services.kernel import outbox
    from scm.services.kernel.actors import Actor
    from scm.services.planning import approval as replenishment_approval
    from scm.services.planning import replenishment
    from scm.services.planning import warnings as stock_warnings
    run = replenishment.plan(session, as_of=now.date(), actor=Actor.system("replenishment-plan"), now=now,
                             trigger="job")
    ordered = replenishment_approval.auto_order(session, run.id, now=now)
    session.commit()  # the orders and their supplier e-mails are recorded; deliver them now (else: outgoing-mail)
    outbox.deliver(session, config, now=now)
    mailed = stock_warnings.notify_buyers(session, config, now=now)
    return (f"{run.pairs} item-warehouse pair(s) in {run.seconds:.1f}s, {run.suggestions} suggestion(s); "
            f"auto-order {ordered}; {mailed} warning(s) e-mailed")


def stock_warnings_refresh(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Hourly: re-project stock (no new suggestions), resolve what recovered, e-mail new warnings once."""
    from scm.services.kernel.actors import Actor
    from scm.services.planning import replenishment
    from scm.services.planning import warnings as stock_warnings
    run = replenishment.plan(session, as_of=now.date(), actor=Actor.system("stock-warnings"), now=now,
                             trigger="job", suggest=False)
    mailed = stock_warnings.notify_buyers(session, config, now=now)
    return f"{run.pairs} pair(s) projected; {stock_warnings.counts(session)}; {mailed} warning(s) e-mailed"


def every_five_minutes(now: datetime) -> str:
    """2026-03-20T12:07 -> "2026-03-20T12:05"."""
    return now.strftime("%Y-%m-%dT%H:") + f"{now.minute // 5 * 5:02d}"


def outgoing_mail(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Every 5 minutes: deliver e-mail still in the outbox (the mail server was down when an order was
    sent, or the nightly auto-order sent it), so no message to a supplier is lost."""
    from scm.services.kernel import outbox
    result = outbox.deliver(session, config, now=now)
    return f"{result.sent} sent, {result.failed} failed, {outbox.waiting_count(session, now=now)} waiting"


def dashboard_figures(session: Session, now: datetime, config: Mapping[str, Any]) -> str:
    """Every 15 minutes: recompute the dashboard's slow panels (stock value and turnover, slow/dead
    stock) into snapshots, so the home page never aggregates the ledger while someone waits."""
    from scm.services.dashboard import snapshots as dashboard_snapshots
    timings = dashboard_snapshots.refresh(session, now)
    return "; ".join(f"{key} in {seconds:.2f}s" for key, seconds in timings.items())


JOBS: list[Job] = [
    Job("forecast-refresh", forecast_refresh, daily, {"hour": 1, "minute": 0}, long_running=True),
    Job("ledger-check", ledger_check, daily, {"hour": 2, "minute": 30}),
    Job("certificate-expiry", certificate_expiry, daily, {"hour": 6, "minute": 0}),
    Job("scorecards", scorecards_refresh, daily, {"hour": 3, "minute": 15}),
    Job("delay-detection", delay_detection, hourly, {"minute": 7}),
    Job("replenishment-plan", replenishment_plan, daily, {"hour": 4, "minute": 0}),
    Job("stock-warnings", stock_warnings_refresh, hourly, {"minute": 20}),
    Job("dashboard-figures", dashboard_figures, quarter_hourly, {"minute": "*/15"}),
    Job("outgoing-mail", outgoing_mail, every_five_minutes, {"minute": "*/5"}),
]


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(f"unknown job {job_id!r}; known: {', '.join(j.id for j in JOBS)}")


def run_job(session: Session, job: Job, *, now: datetime, force: bool = False,
            config: Mapping[str, Any] | None = None) -> JobRun | None:
    """Claim (job, period) and run it once; returns None when another process already claimed it.

    `force` (used by `flask scm run-job`) claims a unique manual period instead of the schedule's.
    `config` is the app's settings (mail, limits); the current app's when not given.
    """
    if config is None:
        from flask import current_app
        config = current_app.config
    period = f"manual-{now.strftime('%Y%m%dT%H%M%S.%f')}" if force else job.period(now)
    claim = JobRun(job=job.id, period=period, started_at=now)
    session.add(claim)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    started = time.monotonic()
    try:
        result, status = job.run(session, now, config), "ok"
        session.commit()
    except Exception as error:  # a failing job is recorded, never silently lost
        session.rollback()
        result, status = f"{type(error).__name__}: {error}", "error"
    session.execute(update(JobRun).where(JobRun.id == claim.id).values(
        status=status, result=result[:4000], finished_at=utcnow()))
    session.commit()
    log.info("job %s period %s: %s in %.1fs: %s", job.id, period, status, time.monotonic() - started, result)
    return session.get(JobRun, claim.id)


def build_scheduler(app: Flask):  # type: ignore[no-untyped-def]
    """An APScheduler BlockingScheduler with every job of JOBS on its cron trigger."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from scm.extensions import db

    scheduler = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        def fire(job: Job = job) -> None:
            fire_job(app, db, job, now=utcnow())
        scheduler.add_job(fire, "cron", id=job.id, coalesce=True, max_instances=1, **job.trigger)
    return scheduler


def fire_job(app: Flask, db, job: Job, *, now: datetime) -> JobRun | None:  # type: ignore[no-untyped-def]
    """What the scheduler does at a trigger: run the job for its period in a fresh app context.

    Several scheduler processes may fire the same trigger; the (job, period) claim lets one run.
    """
    with app.app_context():
        try:
            return run_job(db.session, job, now=now, config=app.config)
        finally:
            db.session.remove()
