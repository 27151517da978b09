"""Replenishment pages: stock-out warnings, suggested orders (arithmetic, edit, approve), policies.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.replenishment import views

bp = Blueprint("replenishment", __name__, url_prefix="/replenishment")
ROUTES = (
    ('/warnings', views.warnings, ('GET',)),
    ('/warnings/<int:warning_id>/acknowledge', views.acknowledge, ('POST',)),
    ('/run', views.run_plan, ('POST',)),
    ('/suggestions', views.suggestions, ('GET',)),
    ('/suggestions', views.update_suggestions, ('POST',)),
    ('/policies', views.policies, ('GET',)),
    ('/policies/<int:item_id>/<int:warehouse_id>', views.edit_policy, ('GET', 'POST')),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
