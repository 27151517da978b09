"""Planning: forecast runs and their accuracy, one item's forecast explained, promotions.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.planning import views

bp = Blueprint("planning", __name__, url_prefix="/planning")
ROUTES = (
    ('/', views.index, ('GET',)),
    ('/forecast/<int:item_id>/<int:warehouse_id>', views.forecast, ('GET',)),
    ('/promotions', views.promotions, ('GET',)),
    ('/promotions', views.promotion_create, ('POST',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
