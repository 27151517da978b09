"""Admin: people and roles, the audit log.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.admin import job_views, unit_views, views

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROUTES = (
    ('/jobs', job_views.jobs, ('GET',)),
    ('/jobs/<job_id>', job_views.job_history, ('GET',)),
    ('/jobs/<job_id>/run', job_views.job_run_now, ('POST',)),
    ('/units', unit_views.units, ('GET',)),
    ('/units', unit_views.unit_create, ('POST',)),
    ('/units/<code>/edit', unit_views.unit_edit, ('GET', 'POST')),
    ('/users', views.users, ('GET',)),
    ('/users/new', views.user_new, ('GET', 'POST')),
    ('/users/<int:user_id>', views.user_edit, ('GET', 'POST')),
    ('/audit', views.audit_log, ('GET',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
