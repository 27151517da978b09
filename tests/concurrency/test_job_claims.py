"""Two schedulers firing the same job for the same period: exactly one run (file SQLite here,
PostgreSQL with SCM_TEST_DATABASE_URL).

Each worker thread calls the very function APScheduler would call on a trigger (taken from
build_scheduler's job store), with its own app context and database session, all released together
by a barrier. The negative control runs the same race with `force` (a unique period per call): then
every worker runs the job, which shows the test would see a double run.
"""
from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from scm import jobs
from scm.extensions import db as _db
from scm.models import JobRun

NOW = datetime(2026, 3, 20, 2, 30, tzinfo=timezone.utc)
WORKERS = 8


@pytest.fixture
def probe(monkeypatch, session):  # type: ignore[no-untyped-def]
    """A job that counts how often its body runs and stays busy long enough for the others to collide."""
    calls: list[str] = []
    lock = threading.Lock()

    def body(s, now, config):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(threading.current_thread().name)
        time.sleep(0.2)
        return "probed"

    monkeypatch.setattr(jobs, "JOBS", [*jobs.JOBS, jobs.Job("race-probe", body, jobs.daily, {"hour": 3, "minute": 0})])
    monkeypatch.setattr(jobs, "utcnow", lambda: NOW)   # every scheduler fires in the same period
    session.commit()
    session.close()   # SQLite transactions begin IMMEDIATE: hold none while the workers race
    return calls


def _race(fire) -> list[BaseException]:  # type: ignore[no-untyped-def]
    barrier, errors = threading.Barrier(WORKERS), []

    def worker() -> None:
        barrier.wait()
        try:
            fire()
        except BaseException as error:  # collected and asserted on
            errors.append(error)

    threads = [threading.Thread(target=worker, name=f"scheduler-{i}") for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_schedulers_firing_the_same_period_run_the_job_once(app, session, probe):
    fire = jobs.build_scheduler(app).get_job("race-probe").func   # what the scheduler calls on the trigger
    assert _race(fire) == []
    assert len(probe) == 1
    runs = session.execute(select(JobRun.period, JobRun.status, JobRun.result).where(JobRun.job == "race-probe")).all()
    assert runs == [("2026-03-20", "ok", "probed")]


def test_the_next_period_runs_again(app, session, probe, monkeypatch):
    fire = jobs.build_scheduler(app).get_job("race-probe").func
    assert _race(fire) == []
    monkeypatch.setattr(jobs, "utcnow", lambda: NOW.replace(day=21))
    assert _race(fire) == []
    assert len(probe) == 2
    assert session.scalar(select(func.count()).select_from(JobRun)) == 2


def test_negative_control_without_a_shared_period_every_worker_runs(app, session, probe):
    job, tick = jobs.job_by_id("race-probe"), itertools.count()

    def fire_forced() -> None:
        with app.app_context():
            try:
                jobs.run_job(_db.session, job, now=NOW + timedelta(seconds=next(tick)), force=True)
            finally:
                _db.session.remove()

    assert _race(fire_forced) == []
    assert len(probe) == WORKERS   # without the (job, period) claim the job would run once per scheduler
