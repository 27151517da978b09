"""Item master and warehouses: list, search, create, edit.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.masterdata import views

bp = Blueprint("masterdata", __name__)
ROUTES = (
    ('/items', views.items, ('GET',)),
    ('/items/<int:item_id>', views.item_detail, ('GET',)),
    ('/items/new', views.item_new, ('GET', 'POST')),
    ('/items/<int:item_id>/edit', views.item_edit, ('GET', 'POST')),
    ('/warehouses', views.warehouses, ('GET',)),
    ('/warehouses/new', views.warehouse_new, ('GET', 'POST')),
    ('/warehouses/<int:warehouse_id>/edit', views.warehouse_edit, ('GET', 'POST')),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
