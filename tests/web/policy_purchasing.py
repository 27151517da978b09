"""Access-matrix rows of the purchasing area (purchase orders and warehouse receiving, HTML).

Merged into tests/web/test_access_matrix.py's POLICY (same Rule format). Staff read orders, admin
and buyer draft and move them, admin and warehouse receive; supplier users get 403 (their portal
shows their own orders).
"""
from __future__ import annotations

from datetime import datetime, timezone

from tests.web.test_access_matrix import CATALOG_WRITERS, STAFF, STOCK_WRITERS, Rule, Samples, _u


_NOW = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)


def po_id(s: Samples) -> int:
    """A sent order (receivable; every button has something to try) of its own supplier and item."""
    from scm.models import Warehouse
    from tests import factories as f

    def make() -> int:
        supplier = f.supplier(s.session, "MATRIX-PO")
        item = f.item(s.session, "MATRIX-PO-ITEM")
        f.catalog(s.session, supplier, item)
        warehouse = s.session.get(Warehouse, s.warehouse_id)
        return f.purchase_order(s.session, supplier, warehouse, [(item, 10)], status="sent").id
    return s._once("purchase_order", make)


def receipt_line_id(s: Samples) -> int:
    """A receipt line of the sample order with rejected goods still to return."""
    from scm.services.purchasing import receiving
    from scm.services.kernel.actors import Actor

    def make() -> int:
        order_id = po_id(s)
        from scm.models import PurchaseOrder
        line = s.session.get(PurchaseOrder, order_id).lines[0]
        receipt = receiving.receive(s.session, order_id, lines=[(line.id, "4", "2", "2", "dented")],
                                    actor=Actor.system("matrix", via="cli"), now=_NOW)
        return receipt.lines[0].id
    return s._once("receipt_line", make)


PO = "/purchasing/orders/999999"


def _post(action: str) -> Rule:
    return Rule(lambda s: f"/purchasing/orders/{po_id(s)}/{action}", CATALOG_WRITERS, ("POST",),
                missing=_u(f"{PO}/{action}"))


POLICY: dict[str, Rule] = {
    "purchasing.orders": Rule(_u("/purchasing/orders"), STAFF),
    "purchasing.new": Rule(_u("/purchasing/orders/new"), CATALOG_WRITERS, ("GET", "POST")),
    "purchasing.detail": Rule(lambda s: f"/purchasing/orders/{po_id(s)}", STAFF, missing=_u(PO)),
    "purchasing.print_order": Rule(lambda s: f"/purchasing/orders/{po_id(s)}/print", STAFF, missing=_u(f"{PO}/print")),
    "purchasing.submit": _post("submit"),
    # GET: the e-mail preview (a sent sample order redirects to its page); POST: send.
    "purchasing.send": Rule(lambda s: f"/purchasing/orders/{po_id(s)}/send", CATALOG_WRITERS, ("GET", "POST"),
                            missing=_u(f"{PO}/send")),
    "purchasing.approve": _post("approve"),
    "purchasing.in_transit": _post("in-transit"),
    "purchasing.close": _post("close"),
    "purchasing.cancel": _post("cancel"),
    "purchasing.lines_template": Rule(lambda s: f"/purchasing/orders/{po_id(s)}/lines/template.xlsx", CATALOG_WRITERS,
                                      missing=_u(f"{PO}/lines/template.xlsx")),
    "purchasing.import_lines": _post("lines/import"),
    "purchasing.return_rejected": Rule(lambda s: f"/receiving/receipt-lines/{receipt_line_id(s)}/return",
                                       STOCK_WRITERS | CATALOG_WRITERS, ("POST",),
                                       missing=_u("/receiving/receipt-lines/999999/return")),
    "purchasing.receiving_index": Rule(_u("/receiving"), STOCK_WRITERS),
    "purchasing.receive": Rule(lambda s: f"/receiving/orders/{po_id(s)}", STOCK_WRITERS, ("GET", "POST"),
                               missing=_u("/receiving/orders/999999")),
}
