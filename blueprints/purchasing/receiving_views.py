"""Warehouse receiving against purchase orders: the list of orders expected, and the receiving form
(one row per open line: received, accepted, rejected, reason), posted as one receiving.receive call."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import STOCK_WRITERS, commit, paginate, roles_required, show_domain_error, web_actor
from blueprints.purchasing import forms
from blueprints.purchasing._shared import view_model
from scm.extensions import db
from scm.models import PurchaseOrder, utcnow
from scm.models.purchasing import AWAITING_GOODS_STATUSES
from scm.services.kernel.errors import DomainError, NotFound, ValidationFailed
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import orders as purchasing
from scm.services.purchasing import queries as purchase_queries
from scm.services.purchasing import receiving
from scm.services.stock import masterdata


@roles_required(*STOCK_WRITERS)
def receiving_index():  # type: ignore[no-untyped-def]
    page = paginate(purchase_queries.order_list_query(today=utcnow().date(), statuses=AWAITING_GOODS_STATUSES,
                                           warehouse_id=request.args.get("warehouse", type=int)))
    return render_template("purchasing/receiving.html", page=page,
                           figures=order_figures.order_figures(db.session, [row.id for row in page.rows]),
                           warehouses=masterdata.list_warehouses(db.session, active_only=True))


def _open_lines(order: PurchaseOrder) -> list:
    """Lines that may still receive something within the tolerance."""
    return [line for line in order.lines
            if line.qty_received < receiving.receive_limit(line, receiving.DEFAULT_TOLERANCE)]


def _posted_lines(order: PurchaseOrder) -> list[tuple]:
    """(line_id, received, accepted, rejected, reason) from the form; an empty accepted box means
    "everything not rejected" (the usual case on a phone)."""
    rows = []
    for line in _open_lines(order):
        received, accepted, rejected, reason = (request.form.get(f"{name}-{line.id}", "").strip()
                                                for name in ("received", "accepted", "rejected", "reason"))
        if not (received or accepted or rejected):
            continue
        if received and not accepted:
            try:
                accepted = str(Decimal(received) - Decimal(rejected or "0"))
            except InvalidOperation:
                accepted = "0"
        rows.append((line.id, received, accepted, rejected, reason))
    return rows


def _line_messages(error: DomainError) -> dict[int, list[str]]:
    if not isinstance(error, ValidationFailed):
        return {}
    found: dict[int, list[str]] = {}
    for key, texts in error.field_errors.items():
        match = re.fullmatch(r"lines\[(\d+)\]", key)
        if match:
            found.setdefault(int(match.group(1)), []).extend(texts)
    return found


@roles_required(*STOCK_WRITERS)
def receive(po_id: int):  # type: ignore[no-untyped-def]
    try:
        order = purchasing.get_order(db.session, po_id)
    except NotFound:
        abort(404)
    form, line_errors = forms.ReceiveForm(), {}
    if form.validate_on_submit():
        try:
            receipt = commit(lambda: receiving.receive(db.session, po_id, lines=_posted_lines(order),
                                                       actor=web_actor(), now=utcnow(), note=form.note.data or ""))
            flash(f"Receipt {receipt.id} posted for {order.number}.", "success")
            return redirect(url_for(".detail", po_id=po_id))
        except DomainError as error:
            line_errors = _line_messages(error)
            if not line_errors:
                show_domain_error(error, form)
    model = view_model(order)
    return render_template("purchasing/receive.html", **model, form=form, open_lines=_open_lines(order),
                           line_errors=line_errors, receivable=order.status in AWAITING_GOODS_STATUSES,
                           values=request.form), (422 if request.method == "POST" else 200)


@roles_required("admin", "warehouse", "buyer")
def return_rejected(line_id: int):  # type: ignore[no-untyped-def]
    """Send rejected goods back to the supplier (from the order page's receipts table)."""
    po_id = receiving.order_of_receipt_line(db.session, line_id)
    if po_id is None:
        abort(404)
    form = forms.ReturnForm()
    if form.validate_on_submit():
        try:
            commit(lambda: receiving.return_rejected(db.session, line_id, qty=form.qty.data, actor=web_actor(),
                                                     now=utcnow(), note=form.note.data or ""))
            flash("Return recorded; the supplier's order history shows it.", "success")
        except DomainError as error:
            show_domain_error(error)
    else:
        flash("Enter the quantity to return.", "error")
    return redirect(url_for(".detail", po_id=po_id, _anchor="receipts-title"))
