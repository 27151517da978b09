"""Purchase orders for buyers: list, new draft, detail with the transition buttons, printable view.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.purchasing import line_import_views, receiving_views, views

bp = Blueprint("purchasing", __name__)
ROUTES = (
    ('/purchasing/orders/<int:po_id>/lines/template.xlsx', line_import_views.lines_template, ('GET',)),
    ('/purchasing/orders/<int:po_id>/lines/import', line_import_views.import_lines, ('POST',)),
    ('/receiving', receiving_views.receiving_index, ('GET',)),
    ('/receiving/orders/<int:po_id>', receiving_views.receive, ('GET', 'POST')),
    ('/receiving/receipt-lines/<int:line_id>/return', receiving_views.return_rejected, ('POST',)),
    ('/purchasing/orders', views.orders, ('GET',)),
    ('/purchasing/orders/new', views.new, ('GET', 'POST')),
    ('/purchasing/orders/<int:po_id>', views.detail, ('GET',)),
    ('/purchasing/orders/<int:po_id>/print', views.print_order, ('GET',)),
    ('/purchasing/orders/<int:po_id>/submit', views.submit, ('POST',)),
    ('/purchasing/orders/<int:po_id>/approve', views.approve, ('POST',)),
    ('/purchasing/orders/<int:po_id>/send', views.send, ('GET', 'POST')),
    ('/purchasing/orders/<int:po_id>/in-transit', views.in_transit, ('POST',)),
    ('/purchasing/orders/<int:po_id>/close', views.close, ('POST',)),
    ('/purchasing/orders/<int:po_id>/cancel', views.cancel, ('POST',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
