"""JSON API under /api/v1: bearer tokens, JSON errors, OpenAPI document.

The routing table below is the blueprint: every URL, the view that answers it and its methods."""
from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from blueprints.api import (
    core,
    logistics,
    masterdata,
    openapi,
    planning,
    purchasing,
    replenishment,
    stock,
    suppliers,
    units,
)
from scm.extensions import csrf
from scm.services.kernel.errors import DomainError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, never cookies: there is no ambient credential to forge
bp.before_request(core.authenticate)
bp.register_error_handler(DomainError, core.domain_error)
bp.register_error_handler(HTTPException, core.http_error)
ROUTES = (
    ("/logistics/shipments", logistics.list_shipments, ('GET',)),
    ("/logistics/shipments/<int:shipment_id>", logistics.get_shipment, ('GET',)),
    ("/logistics/shipments/<int:shipment_id>/events", logistics.add_shipment_event, ('POST',)),
    ("/logistics/outbound", logistics.create_outbound, ('POST',)),
    ("/logistics/shipments/<int:shipment_id>/dispatch", logistics.dispatch_shipment, ('POST',)),
    ("/logistics/late-inbound", logistics.late_inbound, ('GET',)),
    ("/logistics/carriers", logistics.list_carriers, ('GET',)),
    ("/logistics/carriers", logistics.create_carrier, ('POST',)),
    ("/logistics/carriers/<int:carrier_id>", logistics.update_carrier, ('PUT',)),
    ("/logistics/webhooks/<carrier>", logistics.logistics_webhook, ('POST',)),
    ("/items", masterdata.list_items, ('GET',)),
    ("/items/<int:item_id>", masterdata.get_item, ('GET',)),
    ("/items", masterdata.create_item, ('POST',)),
    ("/items/<int:item_id>", masterdata.update_item, ('PATCH',)),
    ("/warehouses", masterdata.list_warehouses, ('GET',)),
    ("/warehouses/<int:warehouse_id>", masterdata.get_warehouse, ('GET',)),
    ("/warehouses", masterdata.create_warehouse, ('POST',)),
    ("/warehouses/<int:warehouse_id>", masterdata.update_warehouse, ('PATCH',)),
    ("/openapi.json", openapi.openapi, ('GET',)),
    ("/demand", planning.post_demand, ('POST',)),
    ("/forecasts", planning.get_forecast, ('GET',)),
    ("/purchase-orders", purchasing.list_purchase_orders, ('GET',)),
    ("/purchase-orders/<int:po_id>", purchasing.get_purchase_order, ('GET',)),
    ("/purchase-orders", purchasing.create_purchase_order, ('POST',)),
    (f"/purchase-orders/<int:po_id>/<{purchasing.ACTIONS}:action>", purchasing.purchase_order_action, ('POST',)),
    ("/purchase-orders/<int:po_id>/receipts", purchasing.receive_purchase_order, ('POST',)),
    ("/portal/orders", purchasing.portal_orders, ('GET',)),
    ("/portal/orders.xlsx", purchasing.portal_orders_workbook, ('GET',)),
    ("/portal/orders/<int:po_id>", purchasing.portal_order, ('GET',)),
    ("/portal/orders/<int:po_id>/confirm", purchasing.portal_confirm, ('POST',)),
    ("/portal/orders/<int:po_id>/reject", purchasing.portal_reject, ('POST',)),
    ("/portal/orders/<int:po_id>/notices", purchasing.portal_create_notice, ('POST',)),
    ("/portal/orders/<int:po_id>/notices", purchasing.portal_notices, ('GET',)),
    ("/receipt-lines/<int:line_id>/return", purchasing.return_receipt_line, ('POST',)),
    ("/replenishment/warnings", replenishment.list_stock_warnings, ('GET',)),
    ("/replenishment/projection", replenishment.get_projection, ('GET',)),
    ("/replenishment/suggestions", replenishment.list_suggestions, ('GET',)),
    ("/replenishment/suggestions/approve", replenishment.approve_suggestions, ('POST',)),
    ("/replenishment/policies/<int:item_id>/<int:warehouse_id>", replenishment.get_replenishment_policy, ('GET',)),
    ("/replenishment/policies/<int:item_id>/<int:warehouse_id>", replenishment.put_replenishment_policy, ('PUT',)),
    ("/stock/balances", stock.balances, ('GET',)),
    ("/stock/value", stock.stock_value, ('GET',)),
    ("/stock/moves", stock.list_moves, ('GET',)),
    ("/stock/moves", stock.post_move, ('POST',)),
    ("/suppliers", suppliers.list_suppliers, ('GET',)),
    ("/suppliers/<int:supplier_id>", suppliers.get_supplier, ('GET',)),
    ("/suppliers", suppliers.create_supplier, ('POST',)),
    ("/suppliers/<int:supplier_id>", suppliers.update_supplier, ('PATCH',)),
    ("/catalog", suppliers.list_catalog, ('GET',)),
    ("/catalog", suppliers.create_catalog_entry, ('POST',)),
    ("/catalog/<int:entry_id>", suppliers.update_catalog_entry, ('PATCH',)),
    ("/scorecards", suppliers.list_scorecards, ('GET',)),
    ("/scorecards/<int:supplier_id>", suppliers.supplier_scorecards, ('GET',)),
    ("/sourcing/violations", suppliers.sourcing_violations, ('GET',)),
    ("/sourcing/choose", suppliers.sourcing_choose, ('POST',)),
    ("/units", units.list_units, ('GET',)),
    ("/units", units.create_unit, ('POST',)),
    ("/units/<code>", units.update_unit, ('PATCH',)),
)
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
