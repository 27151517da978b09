"""The jobs page: every job of JOBS with its schedule and last run, history with errors, run now."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from scm import jobs
from scm.models import JobRun
from tests import factories as f

T0 = datetime(2026, 3, 20, 2, 30, tzinfo=timezone.utc)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def record(session, job: str, period: str, status: str, result: str, seconds: float = 4.5) -> JobRun:  # type: ignore
    run = JobRun(job=job, period=period, started_at=T0, finished_at=T0 + timedelta(seconds=seconds),
                 status=status, result=result)
    session.add(run)
    session.flush()
    return run


def test_schedule_in_words():
    assert jobs.schedule_in_words({"hour": 2, "minute": 30}) == "daily at 02:30 UTC"
    assert jobs.schedule_in_words({"day_of_week": "mon", "hour": 6, "minute": 0}) == "every Monday at 06:00 UTC"
    assert jobs.schedule_in_words({"minute": 15}) == "hourly, minute 15 of every hour"
    assert jobs.schedule_in_words({"day": 1, "hour": 4, "minute": 5}) == "monthly on day 1 at 04:05 UTC"


def test_the_page_lists_every_job_with_schedule_and_last_run(client, session, login_as):
    record(session, "ledger-check", "2026-03-19", "ok", "ledger and balances agree")
    record(session, "ledger-check", "2026-03-20", "error", "RuntimeError: ledger drift on 1 balance(s)", 12)
    login_as("viewer")
    body = text(client.get("/admin/jobs"))
    for job in jobs.JOBS:
        assert job.id in body and job.schedule in body
    assert "daily at 02:30 UTC" in body
    assert "RuntimeError: ledger drift on 1 balance(s)" in body and "12.0 s" in body and "never run" in body
    assert "Run now" not in body   # viewers read, only admins run


def test_history_is_paginated_newest_first_and_shows_errors(client, session, login_as):
    for day in range(1, 31):
        record(session, "scorecards", f"2026-03-{day:02d}", "ok", f"run of day {day}")
    record(session, "scorecards", "2026-03-31", "error", "ValueError: boom")
    login_as("buyer")
    first = text(client.get("/admin/jobs/scorecards"))
    assert first.index("ValueError: boom") < first.index("run of day 30")
    assert "run of day 6" not in first and "1–25 of 31" in first
    second = text(client.get("/admin/jobs/scorecards?page=2"))
    assert "run of day 6" in second and "run of day 1" in second
    assert client.get("/admin/jobs/no-such-job").status_code == 404


def test_run_now_is_for_admins_and_records_the_run(client, session, login_as):
    login_as("buyer")
    assert client.post("/admin/jobs/ledger-check/run").status_code == 403
    login_as("admin")
    assert "Run now" in text(client.get("/admin/jobs"))
    response = client.post("/admin/jobs/ledger-check/run", follow_redirects=True)
    assert response.status_code == 200 and "ledger and balances agree" in text(response)
    [run] = session.scalars(select(JobRun).where(JobRun.job == "ledger-check")).all()
    assert run.status == "ok" and run.period.startswith("manual-") and run.finished_at is not None


def test_run_now_records_a_failure_and_shows_it(client, session, login_as, monkeypatch):
    def boom(session, now, config):  # type: ignore[no-untyped-def]
        raise RuntimeError("the supplier feed is down")
    job = jobs.job_by_id("certificate-expiry")
    monkeypatch.setattr(jobs, "JOBS", [jobs.Job(j.id, boom, j.period, j.trigger) if j is job else j for j in jobs.JOBS])
    login_as("admin")
    response = client.post("/admin/jobs/certificate-expiry/run", follow_redirects=True)
    assert "RuntimeError: the supplier feed is down" in text(response)
    assert session.scalar(select(JobRun.status).where(JobRun.job == "certificate-expiry")) == "error"


def test_long_jobs_are_not_run_in_a_request(client, session, login_as):
    login_as("admin")
    body = text(client.get("/admin/jobs"))
    assert "flask scm run-job forecast-refresh" in body
    response = client.post("/admin/jobs/forecast-refresh/run", follow_redirects=True)
    assert "flask scm run-job forecast-refresh" in text(response)
    assert session.scalar(select(JobRun.id).where(JobRun.job == "forecast-refresh")) is None


@pytest.fixture
def csrf_client(make_app):  # type: ignore[no-untyped-def]
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_run_now_needs_the_pages_csrf_token(csrf_client, session):
    f.login(csrf_client, session, f.user(session, "admin"))
    assert csrf_client.post("/admin/jobs/ledger-check/run").status_code == 400
    assert session.scalar(select(JobRun.id)) is None
    page = text(csrf_client.get("/admin/jobs"))
    token = re.search(r'action="/admin/jobs/ledger-check/run".*?name="csrf_token" value="([^"]+)"', page, re.S)
    assert token, "the run-now button has no CSRF token"
    response = csrf_client.post("/admin/jobs/ledger-check/run", data={"csrf_token": token.group(1)})
    assert response.status_code == 303
    assert session.scalar(select(JobRun.status)) == "ok"


def test_quarter_hourly_periods_and_schedule():
    at = datetime(2026, 3, 20, 12, 44, 59, tzinfo=timezone.utc)
    assert jobs.quarter_hourly(at) == "2026-03-20T12:30"
    assert jobs.quarter_hourly(at.replace(minute=45, second=0)) == "2026-03-20T12:45"
    assert jobs.schedule_in_words({"minute": "*/15"}) == "every 15 minutes"
