"""Access-matrix rows of the dashboard and the scheduled-jobs pages (HTML).

Merged into tests/web/test_access_matrix.py's POLICY (same Rule format). Staff see the jobs page and
a job's history; only an admin may "run now". Suppliers asking for /dashboard are sent to their
portal (a redirect, not a 403), so the dashboard row allows them too.
"""
from __future__ import annotations

from tests.web.test_access_matrix import ADMIN, STAFF, SUPPLIER, Rule, _u

JOB = "ledger-check"   # quick, and harmless to run from the matrix

POLICY: dict[str, Rule] = {
    "main.dashboard": Rule(_u("/dashboard"), STAFF | SUPPLIER),
    "admin.jobs": Rule(_u("/admin/jobs"), STAFF),
    "admin.job_history": Rule(_u(f"/admin/jobs/{JOB}"), STAFF, missing=_u("/admin/jobs/no-such-job")),
    "admin.job_run_now": Rule(_u(f"/admin/jobs/{JOB}/run"), ADMIN, ("POST",),
                              missing=_u("/admin/jobs/no-such-job/run")),
}
