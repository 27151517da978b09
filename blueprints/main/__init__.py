"""The home page: a dashboard by role (suppliers go to the portal), and /healthz.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.main import views

bp = Blueprint("main", __name__)
ROUTES = (
    ('/', views.index, ('GET',)),
    ('/dashboard', views.dashboard, ('GET',)),
    ('/healthz', views.healthz, ('GET',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
