"""What the purchasing pages share (the route modules import from here, never from each other)."""
from __future__ import annotations

from typing import Any

from flask import abort, render_template

from blueprints.forms import UploadForm
from blueprints.purchasing import forms
from scm.extensions import db
from scm.models import PurchaseOrder, Supplier, Warehouse, utcnow
from scm.services.kernel import outbox
from scm.services.kernel.errors import NotFound
from scm.services.logistics import delays as logistics_delays
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import orders as purchasing
from scm.services.purchasing import queries as purchase_queries
from scm.services.purchasing import receiving


def order_or_404(po_id: int) -> PurchaseOrder:
    try:
        return purchasing.get_order(db.session, po_id)
    except NotFound:
        abort(404)


def view_model(order: PurchaseOrder) -> dict[str, Any]:
    return {"order": order, "items": purchase_queries.items_of(db.session, order),
            "figures": order_figures.order_figures(db.session, [order.id])[order.id],
            "supplier": db.session.get(Supplier, order.supplier_id),
            "warehouse": db.session.get(Warehouse, order.warehouse_id),
            "events": purchasing.history(db.session, order.id),
            "receipts": receiving.receipts_of(db.session, order.id),
            "shipments": purchase_queries.shipments_of(db.session, order.id),
            "mails": outbox.for_source(db.session, "purchase_order", order.id),
            "late_shipments": logistics_delays.late_inbound(db.session, utcnow(), po_id=order.id)}


def allowed_actions(order: PurchaseOrder, received: bool) -> list[str]:
    """The buttons the order's status allows (the service refuses anything else anyway)."""
    can = purchasing.TRANSITIONS.get(order.status, frozenset())
    actions = {"submit": order.status == "draft", "approve": order.status == "pending_approval",
               "send": "sent" in can, "in_transit": "in_transit" in can,
               "close": "closed" in can, "cancel": "cancelled" in can and not received}
    return [name for name, allowed in actions.items() if allowed]


def detail_page(order: PurchaseOrder, *, import_form: Any = None, import_error: Any = None) -> str:
    """The order page; the lines-import view renders it again with the rejected file's report."""
    model = view_model(order)
    received = any(line.qty_received > 0 for line in order.lines)
    return render_template("purchasing/detail.html", **model, action_form=forms.ActionForm(),
                           cancel_form=forms.ReasonForm(), return_form=forms.ReturnForm(),
                           import_form=import_form or UploadForm(), import_error=import_error,
                           actions=allowed_actions(order, received))
