"""Warehouse staff pages: stock on hand, an item's ledger, and the posting forms (phone-friendly).

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.stock import count_views, views

bp = Blueprint("stock", __name__, url_prefix="/stock")
ROUTES = (
    ('/count', count_views.count, ('GET', 'POST')),
    ('/counts/<int:count_id>', count_views.count_detail, ('GET',)),
    ('/', views.balances, ('GET',)),
    ('/items/<int:item_id>/ledger', views.item_ledger, ('GET',)),
    ('/receive', views.receive, ('GET', 'POST')),
    ('/issue', views.issue, ('GET', 'POST')),
    ('/adjust', views.adjust, ('GET', 'POST')),
    ('/transfer', views.transfer, ('GET', 'POST')),
    ('/moves/<int:move_id>/reverse', views.reverse, ('POST',)),
    ('/reservations', views.reservations, ('GET',)),
    ('/reservations', views.reserve, ('POST',)),
    ('/reservations/<int:reservation_id>/release', views.release, ('POST',)),
    ('/transfers/<int:transfer_id>', views.transfer_detail, ('GET',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
