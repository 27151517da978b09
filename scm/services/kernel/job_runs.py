"""Read side of scheduled job runs: the latest run of each job and a job's history."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from scm.models import JobRun


def latest_runs(session: Session, job_ids: Iterable[str]) -> dict[str, JobRun]:
    """job id -> its most recent run (claimed last), for many jobs in one query."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    newest = select(func.max(JobRun.id)).where(JobRun.job.in_(ids)).group_by(JobRun.job)
    return {run.job: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(newest)))}


def last_failures(session: Session, job_ids: Iterable[str]) -> dict[str, JobRun]:
    """job id -> its most recent failed run, so an error stays visible after a later success."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    newest = (select(func.max(JobRun.id)).where(JobRun.job.in_(ids), JobRun.status == "error")
              .group_by(JobRun.job))
    return {run.job: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(newest)))}


def history_query(job_id: str) -> Select:
    """Runs of one job, newest first (for pagination)."""
    return select(JobRun).where(JobRun.job == job_id).order_by(JobRun.id.desc())


def history_count(job_id: str) -> Select:
    return select(func.count()).select_from(JobRun).where(JobRun.job == job_id)
