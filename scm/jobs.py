"""Scheduled jobs: one explicit list, each job claimed once per period (a unique (job, period) row).

The scheduler runs in its own process (`flask scm scheduler`), never inside the web workers.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scm.models import JobRun, utcnow
from scm.services import stock_ledger

log = logging.getLogger("scm.jobs")


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[Session, datetime], str]
    period: Callable[[datetime], str]
    trigger: dict  # APScheduler cron fields


def daily(now: datetime) -> str:
    return now.strftime("%Y-%m-%d")


def ledger_check(session: Session, now: datetime) -> str:
    """Recompute balances from the ledger; any drift is an error worth waking someone for."""
    drifts = stock_ledger.ledger_check(session)
    if drifts:
        raise RuntimeError(f"ledger drift on {len(drifts)} balance(s): " + "; ".join(
            f"item {d.item_id} wh {d.warehouse_id} {d.field}: ledger {d.ledger} vs balance {d.balance}"
            for d in drifts[:5]))
    return "ledger and balances agree"


JOBS: list[Job] = [
    Job("ledger-check", ledger_check, daily, {"hour": 2, "minute": 30}),
]


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(f"unknown job {job_id!r}; known: {', '.join(j.id for j in JOBS)}")


def run_job(session: Session, job: Job, *, now: datetime, force: bool = False) -> JobRun | None:
    """Claim (job, period) and run it once; returns None when another process already claimed it.

    `force` (used by `flask scm run-job`) claims a unique manual period instead of the schedule's.
    """
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
        result, status = job.run(session, now), "ok"
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
            with app.app_context():
                run_job(db.session, job, now=utcnow())
        scheduler.add_job(fire, "cron", id=job.id, coalesce=True, max_instances=1, **job.trigger)
    return scheduler
