"""Logistics pages: the shipments board, a shipment's detail with its timeline, the "where is it"
summary per warehouse, unknown tracking numbers to review, and dispatching a shipped transfer.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.logistics import carrier_views, outbound_views, review_views, views

bp = Blueprint("logistics", __name__, url_prefix="/logistics")
ROUTES = (
    ('/carriers', carrier_views.carriers, ('GET',)),
    ('/carriers/new', carrier_views.new_carrier, ('GET', 'POST')),
    ('/carriers/<int:carrier_id>/edit', carrier_views.edit_carrier, ('GET', 'POST')),
    ('/outbound/new', outbound_views.new_outbound, ('GET', 'POST')),
    ('/unmatched/<int:unmatched_id>', review_views.review_unmatched, ('GET',)),
    ('/unmatched/<int:unmatched_id>/attach', review_views.attach_unmatched, ('POST',)),
    ('/unmatched/<int:unmatched_id>/dismiss', review_views.dismiss_unmatched, ('POST',)),
    ('/', views.board, ('GET',)),
    ('/where', views.where, ('GET',)),
    ('/unmatched', views.unmatched, ('GET',)),
    ('/shipments/<int:shipment_id>', views.detail, ('GET',)),
    ('/shipments/<int:shipment_id>/events', views.add_event, ('POST',)),
    ('/shipments/<int:shipment_id>/dispatch', views.dispatch, ('POST',)),
    ('/transfers/new', views.new_transfer, ('GET', 'POST')),
    ('/inbound/new/<int:po_id>', views.new_inbound, ('GET', 'POST')),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
