"""Outbound shipments from the web (admin and warehouse): warehouse, customer, order reference, lines by
SKU with quantities (posted as parallel lists `sku` / `qty`), carrier and service. Creating reserves the
stock (all or nothing); the detail page's Dispatch button issues it as a sale."""
from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for

from blueprints.common import STOCK_WRITERS, commit, roles_required, show_domain_error, web_actor
from blueprints.logistics import forms
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel.errors import DomainError, ValidationFailed
from scm.services.logistics import shipments as logistics
from scm.services.purchasing import orders as purchasing
from scm.services.stock import masterdata

LINE_ROWS = 5


def _posted_lines() -> list[tuple[str, str]]:
    skus, qtys = request.form.getlist("sku"), request.form.getlist("qty")
    return [(s.strip(), q.strip()) for s, q in zip(skus, qtys + [""] * (len(skus) - len(qtys)))]


def parse_lines(rows: list[tuple[str, str]]) -> list[tuple[int, Decimal]]:
    """(item id, quantity) of the filled rows; every bad row is a field error `lines[<row>]`."""
    errors: dict[str, list[str]] = {}
    lines: list[tuple[int, Decimal]] = []
    for index, (sku, raw) in enumerate(rows):
        if not sku and not raw:
            continue
        key = f"lines[{index}]"
        try:
            item_id = masterdata.item_id_for_sku(db.session, sku, field=key)
        except ValidationFailed as error:
            errors.update(error.field_errors)
            continue
        qty = purchasing.parse_quantity(raw, key, errors)
        if key not in errors:
            lines.append((item_id, qty))
    if not lines and not errors:
        errors["lines"] = ["give a SKU and a quantity on at least one line"]
    if errors:
        raise ValidationFailed(errors)
    return lines


def _outbound_form() -> forms.OutboundForm:
    form = forms.OutboundForm()
    form.warehouse_id.choices = [(w.id, f"{w.code} — {w.name}")
                                 for w in masterdata.list_warehouses(db.session, active_only=True)]
    form.carrier_id.choices = [(0, "— none —")] + [(c.id, c.name) for c in logistics.list_carriers(db.session)]
    return form


@roles_required(*STOCK_WRITERS)
def new_outbound():  # type: ignore[no-untyped-def]
    form = _outbound_form()
    errors: dict = {}
    if form.validate_on_submit():
        data = {"carrier_id": form.carrier_id.data or None, "service": form.service.data,
                "tracking_number": form.tracking_number.data, "promised_date": form.promised_date.data}
        try:
            lines = parse_lines(_posted_lines())
            shipment = commit(lambda: logistics.create_outbound(
                db.session, warehouse_id=form.warehouse_id.data, order_ref=form.order_ref.data,
                customer=form.customer.data or "", lines=lines, data=data, actor=web_actor(), now=utcnow()))
            flash("Outbound shipment created: the stock is reserved until you dispatch it.", "success")
            return redirect(url_for("logistics.detail", shipment_id=shipment.id))
        except DomainError as error:
            errors = error.field_errors if isinstance(error, ValidationFailed) else {}
            show_domain_error(error, form)
    rows = _posted_lines() if request.method == "POST" else []  # kept whole: error keys are row positions
    rows += [("", "")] * max(LINE_ROWS - len(rows), 1)
    return render_template("logistics/outbound_new.html", form=form, rows=rows, errors=errors), \
        422 if request.method == "POST" else 200
