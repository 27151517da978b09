"""Suppliers: list, profile, contacts, addresses, documents and certifications.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint

from blueprints.suppliers import catalog_views, scorecard_views, standing_views, views

bp = Blueprint("suppliers", __name__)
ROUTES = (
    ('/catalog/new', catalog_views.catalog_new, ('GET', 'POST')),
    ('/catalog/<int:entry_id>/edit', catalog_views.catalog_edit, ('GET', 'POST')),
    ('/sourcing', catalog_views.sourcing, ('GET',)),
    ('/sourcing/requirements', catalog_views.requirements, ('GET',)),
    ('/sourcing/requirements', catalog_views.add_requirement, ('POST',)),
    ('/sourcing/requirements/<int:requirement_id>/delete', catalog_views.remove_requirement, ('POST',)),
    ('/scorecards', scorecard_views.scorecards_ranking, ('GET',)),
    ('/scorecards/<int:supplier_id>', scorecard_views.scorecard, ('GET',)),
    ('/scorecards/settings', scorecard_views.scorecard_settings, ('GET', 'POST')),
    ('/scorecards/refresh', scorecard_views.refresh_scorecards, ('POST',)),
    ('/suppliers/<int:supplier_id>/order-overrides', standing_views.grant_override, ('POST',)),
    ('/suppliers/<int:supplier_id>/order-overrides/<int:override_id>/revoke', standing_views.revoke_override, ('POST',)),
    ('/sourcing/reviews/<int:review_id>/close', standing_views.close_review, ('POST',)),
    ('/suppliers', views.index, ('GET',)),
    ('/suppliers/new', views.new, ('GET', 'POST')),
    ('/suppliers/<int:supplier_id>/edit', views.edit, ('GET', 'POST')),
    ('/suppliers/<int:supplier_id>', views.detail, ('GET',)),
    ('/suppliers/<int:supplier_id>/contacts', views.add_contact, ('POST',)),
    ('/suppliers/<int:supplier_id>/addresses', views.add_address, ('POST',)),
    ('/suppliers/<int:supplier_id>/documents', views.upload_document, ('POST',)),
    ('/suppliers/<int:supplier_id>/contacts/<int:contact_id>/delete', views.remove_contact, ('POST',)),
    ('/suppliers/<int:supplier_id>/addresses/<int:address_id>/delete', views.remove_address, ('POST',)),
    ('/suppliers/<int:supplier_id>/certifications/<int:certification_id>/delete', views.remove_certification, ('POST',)),
    ('/suppliers/<int:supplier_id>/certifications/new', views.certification_new, ('GET', 'POST')),
    ('/suppliers/<int:supplier_id>/documents/<int:document_id>', views.download_document, ('GET',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
