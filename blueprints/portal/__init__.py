"""The supplier portal. A supplier user sees only their own company; the id comes from the session
(`current_user.supplier_id`), never from the URL or a form. Another supplier's order is 404.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.portal import views

bp = Blueprint("portal", __name__, url_prefix="/portal")
ROUTES = (
    ('/', views.home, ('GET',)),
    ('/orders', views.orders, ('GET',)),
    ('/orders.xlsx', views.orders_workbook, ('GET',)),
    ('/orders/<int:po_id>', views.order_detail, ('GET',)),
    ('/orders/<int:po_id>/confirm', views.confirm, ('GET', 'POST')),
    ('/orders/<int:po_id>/reject', views.reject, ('POST',)),
    ('/orders/<int:po_id>/notices/new', views.notice_new, ('GET', 'POST')),
    ('/shipments/<int:shipment_id>/events', views.shipment_event, ('POST',)),
    ('/certificates', views.certificates, ('GET', 'POST')),
    ('/documents/<int:document_id>', views.download_document, ('GET',)),
    ('/scorecard', views.scorecard, ('GET',)),
    ('/forecast', views.forecast, ('GET',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
