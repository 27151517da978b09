"""Access-matrix rows of the supplier portal: supplier users only; staff get 403, anonymous go to login.

Merged into tests/web/test_access_matrix.py's POLICY (same Rule format). The sample order and document
belong to the acting user's own company when that user is a supplier (the portal scopes by session).
"""
from __future__ import annotations

from tests.web.test_access_matrix import SUPPLIER, Rule, Samples, _u

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _own_supplier(s: Samples):  # type: ignore[no-untyped-def]
    from scm.models import Supplier
    from tests import factories as f
    if s.me is not None and s.me.supplier_id is not None:
        return s.session.get(Supplier, s.me.supplier_id)
    return s.session.get(Supplier, s._once("portal_supplier", lambda: f.supplier(s.session, "PORTAL-SUP").id))


def po_id(s: Samples) -> int:
    """A sent order of the acting supplier."""
    from scm.models import Warehouse
    from tests import factories as f

    def make() -> int:
        supplier = _own_supplier(s)
        item = f.item(s.session)  # its own item: MATRIX-1 has a primary already
        f.catalog(s.session, supplier, item)
        return f.purchase_order(s.session, supplier, s.session.get(Warehouse, s.warehouse_id), [(item, 5)],
                                status="sent").id
    return s._once("portal_po", make)


def document_id(s: Samples) -> int:
    from scm.services.suppliers import certifications
    from tests import factories as f
    return s._once("portal_document", lambda: certifications.store_document(
        s.session, _own_supplier(s).id, data=PDF, filename="iso.pdf", kind="certificate", actor=f.actor()).id)


PO = "/portal/orders/999999"
POLICY: dict[str, Rule] = {
    "portal.orders": Rule(_u("/portal/orders"), SUPPLIER),
    "portal.orders_workbook": Rule(_u("/portal/orders.xlsx"), SUPPLIER),
    "portal.order_detail": Rule(lambda s: f"/portal/orders/{po_id(s)}", SUPPLIER, missing=_u(PO)),
    "portal.confirm": Rule(lambda s: f"/portal/orders/{po_id(s)}/confirm", SUPPLIER, ("GET", "POST"),
                           missing=_u(f"{PO}/confirm")),
    "portal.reject": Rule(lambda s: f"/portal/orders/{po_id(s)}/reject", SUPPLIER, ("POST",),
                          missing=_u(f"{PO}/reject")),
    "portal.notice_new": Rule(lambda s: f"/portal/orders/{po_id(s)}/notices/new", SUPPLIER, ("GET", "POST"),
                              missing=_u(f"{PO}/notices/new")),
    "portal.certificates": Rule(_u("/portal/certificates"), SUPPLIER, ("GET", "POST")),
    "portal.download_document": Rule(lambda s: f"/portal/documents/{document_id(s)}", SUPPLIER,
                                     missing=_u("/portal/documents/999999")),
    "portal.scorecard": Rule(_u("/portal/scorecard"), SUPPLIER),
    "portal.forecast": Rule(_u("/portal/forecast"), SUPPLIER),
}
