"""The jobs page: every scheduled job with its schedule and last run, a job's history, "run now".

"Run now" (admin only) runs the job inside the request through `run_job(force=True)`: the short
jobs take seconds. Jobs marked `long_running` (the forecast refresh) are refused here and point to
`flask scm run-job NAME`, so a web worker is never tied up for minutes; see README "Scheduled jobs".
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from blueprints.common import ADMIN, STAFF, paginate, roles_required
from scm import jobs as scheduled
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel import job_runs


def _job_or_404(job_id: str) -> scheduled.Job:
    try:
        return scheduled.job_by_id(job_id)
    except KeyError:
        abort(404)


@roles_required(*STAFF)
def jobs():  # type: ignore[no-untyped-def]
    ids = [job.id for job in scheduled.JOBS]
    return render_template("admin/jobs.html", jobs=scheduled.JOBS, latest=job_runs.latest_runs(db.session, ids),
                           failures=job_runs.last_failures(db.session, ids))


@roles_required(*STAFF)
def job_history(job_id: str):  # type: ignore[no-untyped-def]
    job = _job_or_404(job_id)
    page = paginate(job_runs.history_query(job.id), scalars=True, per_page=25, count=job_runs.history_count(job.id))
    return render_template("admin/job_history.html", job=job, page=page)


@roles_required(*ADMIN)
def job_run_now(job_id: str):  # type: ignore[no-untyped-def]
    job = _job_or_404(job_id)
    if job.long_running:
        flash(f"{job.id} runs for minutes; start it on the server with: flask scm run-job {job.id}", "error")
        return redirect(url_for(".jobs"), 303)
    # run_job claims a unique manual period, runs the job and records the outcome (it commits itself).
    record = scheduled.run_job(db.session, job, now=utcnow(), force=True)
    if record is not None and record.status == "ok":
        flash(f"{job.id}: {record.result}", "success")
    else:
        flash(f"{job.id} failed: {record.result if record else 'not claimed'}", "error")
    return redirect(url_for(".job_history", job_id=job.id), 303)
