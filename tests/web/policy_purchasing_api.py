"""Access-matrix rows of the purchasing API: staff purchase-order routes and the supplier portal API.

Merged into tests/web/test_access_matrix.py's POLICY (same Rule format). Staff read orders, admin and
buyer create and move them, admin and warehouse receive; the portal routes take supplier tokens only,
and the sample order belongs to the calling supplier (another supplier's order is covered, route by
route, in tests/api/test_purchasing_api.py).
"""
from __future__ import annotations

from tests.web.test_access_matrix import (
    CATALOG_WRITERS,
    STAFF,
    STOCK_WRITERS,
    SUPPLIER,
    Rule,
    Samples,
    _u,
)
from tests.web.policy_purchasing import receipt_line_id


def po_id(s: Samples) -> int:
    """A sent order: of the calling supplier when a supplier calls, else of a matrix supplier."""
    def make() -> int:
        from scm.models import Item, Supplier, Warehouse
        from tests import factories as f
        if s.me is not None and s.me.supplier_id is not None:
            supplier = s.session.get(Supplier, s.me.supplier_id)
        else:
            supplier = f.supplier(s.session, "MATRIX-POAPI")
        item = s.session.get(Item, s._once("api_po_item", lambda: f.item(s.session, "MATRIX-POAPI-1").id))
        f.catalog(s.session, supplier, item)
        return f.purchase_order(s.session, supplier, s.session.get(Warehouse, s.warehouse_id), [(item, 10)],
                                status="sent").id
    return s._once("api_purchase_order", make)


PO, MISSING = "/api/v1/purchase-orders", "/api/v1/purchase-orders/999999"
PORTAL = "/api/v1/portal/orders"
POLICY: dict[str, Rule] = {
    "api.list_purchase_orders": Rule(_u(PO), STAFF),
    "api.get_purchase_order": Rule(lambda s: f"{PO}/{po_id(s)}", STAFF, missing=_u(MISSING)),
    "api.create_purchase_order": Rule(_u(PO), CATALOG_WRITERS, ("POST",)),
    "api.purchase_order_action": Rule(lambda s: f"{PO}/{po_id(s)}/mark-in-transit", CATALOG_WRITERS, ("POST",),
                                      missing=_u(f"{MISSING}/close")),
    "api.receive_purchase_order": Rule(lambda s: f"{PO}/{po_id(s)}/receipts", STOCK_WRITERS, ("POST",),
                                       missing=_u(f"{MISSING}/receipts")),
    "api.portal_orders": Rule(_u(PORTAL), SUPPLIER),
    "api.portal_orders_workbook": Rule(_u(f"{PORTAL}.xlsx"), SUPPLIER),
    "api.portal_order": Rule(lambda s: f"{PORTAL}/{po_id(s)}", SUPPLIER, missing=_u(f"{PORTAL}/999999")),
    "api.portal_confirm": Rule(lambda s: f"{PORTAL}/{po_id(s)}/confirm", SUPPLIER, ("POST",),
                               missing=_u(f"{PORTAL}/999999/confirm")),
    "api.portal_notices": Rule(lambda s: f"{PORTAL}/{po_id(s)}/notices", SUPPLIER,
                               missing=_u(f"{PORTAL}/999999/notices")),
    "api.portal_create_notice": Rule(lambda s: f"{PORTAL}/{po_id(s)}/notices", SUPPLIER, ("POST",),
                                     missing=_u(f"{PORTAL}/999999/notices")),
    "api.return_receipt_line": Rule(lambda s: f"/api/v1/receipt-lines/{receipt_line_id(s)}/return",
                                    STOCK_WRITERS | CATALOG_WRITERS, ("POST",),
                                    missing=_u("/api/v1/receipt-lines/999999/return")),
    "api.portal_reject": Rule(lambda s: f"{PORTAL}/{po_id(s)}/reject", SUPPLIER, ("POST",),
                              missing=_u(f"{PORTAL}/999999/reject")),
}
