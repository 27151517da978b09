"""Spreadsheets: blank templates, exports, and imports with a preview before anything changes.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.spreadsheets import views

bp = Blueprint("spreadsheets", __name__, url_prefix="/spreadsheets")
ROUTES = (
    ('/', views.index, ('GET',)),
    ('/<entity>/template.xlsx', views.template, ('GET',)),
    ('/<entity>/export.xlsx', views.export, ('GET',)),
    ('/<entity>/import', views.upload, ('GET', 'POST')),
    ('/imports/<int:batch_id>/apply', views.apply, ('POST',)),
    ('/imports/<int:batch_id>/errors.xlsx', views.errors, ('GET',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
