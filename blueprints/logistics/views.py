"""Logistics pages: the shipments board, a shipment's detail with its timeline, the "where is it"
summary per warehouse, unknown tracking numbers to review, and dispatching a shipped transfer.

Staff read; admin, buyer and warehouse add events; admin and warehouse dispatch transfers and
outbound shipments. Views translate; the rules live in scm.services.logistics.shipments*.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import STAFF, STOCK_WRITERS, commit, roles_required, show_domain_error, web_actor
from blueprints.logistics import forms
from blueprints.logistics._shared import EVENT_WRITERS
from scm.extensions import db
from scm.models import Item, Supplier, Warehouse, utcnow
from scm.models.logistics import SHIPMENT_KINDS, STATUS_RANK
from scm.services.kernel.errors import DomainError, NotFound, ValidationFailed
from scm.services.logistics import queries as logistics_queries
from scm.services.logistics import shipments as logistics
from scm.services.logistics.delays import days_late, delay_reasons
from scm.services.purchasing import figures as order_figures
from scm.services.stock import masterdata


def _names(model: Any, ids: set[int | None], attr: str = "code") -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: getattr(row, attr) for row in db.session.query(model).filter(model.id.in_(ids))}


@roles_required(*STAFF)
def board():  # type: ignore[no-untyped-def]
    now = utcnow()
    filters = logistics_queries.Filters.from_args(request.args)
    rows = logistics_queries.board(db.session, filters, now=now)
    warehouses = _names(Warehouse, {s.to_warehouse_id for s in rows} | {s.from_warehouse_id for s in rows})
    suppliers = _names(Supplier, {s.supplier_id for s in rows}, "name")
    return render_template("logistics/board.html", rows=rows, filters=filters, kinds=SHIPMENT_KINDS,
                           statuses=list(STATUS_RANK), carriers=logistics.list_carriers(db.session, active_only=False),
                           warehouses=warehouses, suppliers=suppliers, now=now, delay_reasons=delay_reasons,
                           labels=logistics.STATUS_LABELS, unmatched=len(logistics.list_unmatched(db.session)))


@roles_required(*STAFF)
def where():  # type: ignore[no-untyped-def]
    now = utcnow()
    return render_template("logistics/where.html", summary=logistics_queries.where_is_it(db.session, now=now),
                           now=now, days_late=days_late, labels=logistics.STATUS_LABELS)


@roles_required(*STAFF)
def unmatched():  # type: ignore[no-untyped-def]
    return render_template("logistics/unmatched.html", rows=logistics.list_unmatched(db.session, limit=500))


def _shipment(shipment_id: int):  # type: ignore[no-untyped-def]
    try:
        return logistics.get_shipment(db.session, shipment_id)
    except NotFound:
        abort(404)


def _render_detail(shipment: Any, form: forms.EventForm, status: int = 200):  # type: ignore[no-untyped-def]
    now = utcnow()
    items = _names(Item, {line.item_id for line in shipment.lines}, "sku")
    warehouses = _names(Warehouse, {shipment.to_warehouse_id, shipment.from_warehouse_id})
    return render_template("logistics/detail.html", shipment=shipment, form=form, action_form=forms.ActionForm(),
                           events=logistics.timeline(db.session, shipment.id), items=items, warehouses=warehouses,
                           po_lines=dict((line.id, line) for line, _qty in logistics.po_lines_of(db.session, shipment)),
                           reasons=delay_reasons(shipment, now), days=days_late(shipment, now),
                           labels=logistics.STATUS_LABELS, supplier=db.session.get(Supplier, shipment.supplier_id)
                           if shipment.supplier_id else None), status


@roles_required(*STAFF)
def detail(shipment_id: int):  # type: ignore[no-untyped-def]
    return _render_detail(_shipment(shipment_id), forms.EventForm())


def _occurred(raw: str | None) -> datetime:
    if not raw or not raw.strip():
        return utcnow()
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ValidationFailed({"occurred_at": ["a date and time: YYYY-MM-DD HH:MM"]}) from None


@roles_required(*EVENT_WRITERS)
def add_event(shipment_id: int):  # type: ignore[no-untyped-def]
    shipment = _shipment(shipment_id)
    form = forms.EventForm()
    if form.validate_on_submit():
        try:
            occurred = _occurred(form.occurred_at.data)
            commit(lambda: logistics.record_event(
                db.session, shipment.id, status=form.status.data, occurred_at=occurred, now=utcnow(), source="staff",
                actor=web_actor(), location=form.location.data or "", reason=form.reason.data or "",
                eta=form.eta.data))
            flash(f"{logistics.STATUS_LABELS[form.status.data]} recorded.", "success")
            return redirect(url_for("logistics.detail", shipment_id=shipment.id))
        except DomainError as error:
            show_domain_error(error, form)
    return _render_detail(_shipment(shipment_id), form, 422)


@roles_required(*STOCK_WRITERS)
def dispatch(shipment_id: int):  # type: ignore[no-untyped-def]
    shipment = _shipment(shipment_id)
    if forms.ActionForm().validate_on_submit():
        try:
            commit(lambda: logistics.dispatch_outbound(db.session, shipment.id, actor=web_actor(), now=utcnow()))
            flash("Dispatched: the reserved stock was issued as a sale.", "success")
        except DomainError as error:
            show_domain_error(error)
    return redirect(url_for("logistics.detail", shipment_id=shipment_id))


def _transfer_form() -> forms.TransferForm:
    form = forms.TransferForm()
    choices = [(w.id, f"{w.code} — {w.name}") for w in masterdata.list_warehouses(db.session, active_only=True)]
    form.from_warehouse_id.choices = form.to_warehouse_id.choices = choices
    form.carrier_id.choices = [(0, "— none —")] + [(c.id, c.name) for c in logistics.list_carriers(db.session)]
    return form


@roles_required(*STOCK_WRITERS)
def new_transfer():  # type: ignore[no-untyped-def]
    form = _transfer_form()
    if form.validate_on_submit():
        try:
            item_id = masterdata.item_id_for_sku(db.session, form.sku.data)
            data = {"carrier_id": form.carrier_id.data or None, "service": form.service.data,
                    "tracking_number": form.tracking_number.data, "promised_date": form.promised_date.data}
            shipment = commit(lambda: logistics.ship_transfer(
                db.session, from_warehouse_id=form.from_warehouse_id.data, to_warehouse_id=form.to_warehouse_id.data,
                lines=[(item_id, form.quantity.data)], data=data, actor=web_actor(), now=utcnow()))
            flash("Transfer dispatched: the stock is in transit.", "success")
            return redirect(url_for("logistics.detail", shipment_id=shipment.id))
        except DomainError as error:
            show_domain_error(error, form)
    return render_template("logistics/transfer_new.html", form=form), 422 if request.method == "POST" else 200


@roles_required("admin", "buyer")
def new_inbound(po_id: int):  # type: ignore[no-untyped-def]
    """A buyer records an inbound shipment the supplier told them about (no portal notice)."""
    from scm.services.purchasing import orders as purchasing
    try:
        order = purchasing.get_order(db.session, po_id)
    except NotFound:
        abort(404)
    form = forms.InboundForm()
    form.carrier_id.choices = [(0, "— other —")] + [(c.id, c.name) for c in logistics.list_carriers(db.session)]
    errors: dict = {}
    if form.validate_on_submit():
        lines = {line.id: (request.form.get(f"qty-{line.id}") or "").strip() for line in order.lines}
        data = {"carrier_id": form.carrier_id.data or None, "carrier": form.carrier.data, "service": form.service.data,
                "tracking_number": form.tracking_number.data, "ship_date": form.ship_date.data,
                "promised_date": form.promised_date.data}
        try:
            shipment = commit(lambda: logistics.create_inbound(
                db.session, order.id, data, {k: v for k, v in lines.items() if v}, actor=web_actor(), now=utcnow()))
            flash("Inbound shipment recorded.", "success")
            return redirect(url_for("logistics.detail", shipment_id=shipment.id))
        except DomainError as error:
            errors = error.field_errors if isinstance(error, ValidationFailed) else {}
            show_domain_error(error, form)
    items = _names(Item, {line.item_id for line in order.lines}, "sku")
    return render_template("logistics/inbound_new.html", form=form, order=order, items=items, errors=errors,
                           figures=order_figures.figures_of(order)), \
        422 if request.method == "POST" else 200
