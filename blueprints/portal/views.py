"""The supplier portal. A supplier user sees only their own company; the id comes from the session
(`current_user.supplier_id`), never from the URL or a form. Another supplier's order is 404."""
from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any, Callable

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from blueprints.common import XLSX, commit, roles_required, show_domain_error, web_actor
from blueprints.portal import forms
from scm.extensions import db
from scm.models import PurchaseOrder, utcnow
from scm.services import portal
from scm.services.kernel.errors import DomainError, NotFound, ValidationFailed
from scm.services.logistics import shipments as logistics
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import sheets as purchasing_sheets
from scm.services.suppliers import scorecards


def _sid() -> int:
    """The supplier of the logged-in user (a supplier user without a company sees nothing)."""
    if current_user.supplier_id is None:
        abort(403)
    return int(current_user.supplier_id)


def _order(po_id: int) -> PurchaseOrder:
    try:
        return portal.get_order(db.session, _sid(), po_id)
    except NotFound:
        abort(404)


def _order_page(template: str, order: PurchaseOrder, **context: Any) -> str:
    """A page about one order, with our SKU, name and the supplier's own part number per line."""
    return render_template(template, order=order, items=portal.line_items(db.session, _sid(), order),
                           figures=order_figures.order_figures(db.session, [order.id])[order.id], **context)


def _line_inputs(order: PurchaseOrder, prefix: str) -> dict[int, str]:
    """Non-blank `<prefix>-<line id>` inputs, for this order's lines only (anything else is ignored)."""
    values = {line.id: (request.form.get(f"{prefix}-{line.id}") or "").strip() for line in order.lines}
    return {line_id: value for line_id, value in values.items() if value}


def _dates(order: PurchaseOrder) -> dict[int, date]:
    days, errors = {}, {}
    for line_id, raw in _line_inputs(order, "date").items():
        try:
            days[line_id] = date.fromisoformat(raw)
        except ValueError:
            errors[f"lines[{line_id}]"] = [f"'{raw}' is not a date (YYYY-MM-DD)"]
    if errors:
        raise ValidationFailed(errors)
    return days


def _act(form: Any, work: Callable[[], Any], message: str, done: str, render: Callable[[dict], Any]):  # type: ignore
    """Validate, run the service and commit; on an error re-render with 422 and the line errors."""
    line_errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            commit(work)
            flash(message, "success")
            return redirect(done)
        except NotFound:
            abort(404)
        except DomainError as error:
            if isinstance(error, ValidationFailed):
                line_errors = {k: v for k, v in error.field_errors.items() if k.startswith("lines")}
            show_domain_error(error, form)
    return render(line_errors), (422 if request.method == "POST" else 200)


@roles_required("supplier")
def home():  # type: ignore[no-untyped-def]
    open_orders = portal.list_orders(db.session, _sid(), "open") if current_user.supplier_id else []
    return render_template("portal/home.html", supplier=current_user.supplier, open_orders=open_orders)


@roles_required("supplier")
def orders():  # type: ignore[no-untyped-def]
    status = request.args.get("status", "") or None
    orders = portal.list_orders(db.session, _sid(), status)
    return render_template("portal/orders.html", orders=orders, status=status or "",
                           figures=order_figures.order_figures(db.session, [o.id for o in orders]))


@roles_required("supplier")
def orders_workbook():  # type: ignore[no-untyped-def]
    """The supplier's open orders, one row per line, as a workbook (the same one the portal API gives)."""
    data = purchasing_sheets.open_orders_workbook(db.session, _sid())
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"open-orders-{utcnow():%Y%m%d}.xlsx", max_age=0)


@roles_required("supplier")
def order_detail(po_id: int):  # type: ignore[no-untyped-def]
    return _detail_page(_order(po_id), forms.RejectForm())


def _detail_page(order: PurchaseOrder, reject_form: Any) -> str:
    return _order_page("portal/order.html", order, reject_form=reject_form,
                       notices=portal.list_notices(db.session, _sid(), order.id),
                       noticed=portal.noticed_qty(db.session, order.id),
                       shipments=logistics.supplier_shipments(db.session, _sid(), order.id),
                       shipment_form=forms.ShipmentUpdateForm(), labels=logistics.STATUS_LABELS)


@roles_required("supplier")
def confirm(po_id: int):  # type: ignore[no-untyped-def]
    order, form = _order(po_id), forms.ConfirmForm()

    def work() -> Any:
        days, qtys = _dates(order), _line_inputs(order, "qty")
        lines = {line.id: (qtys.get(line.id, line.qty_ordered), days.get(line.id))
                 for line in order.lines if line.id in qtys or line.id in days}
        return portal.confirm(db.session, _sid(), order.id, actor=web_actor(), now=utcnow(), lines=lines or None,
                              note=form.note.data or "")
    return _act(form, work, f"{order.number} confirmed.", url_for(".order_detail", po_id=order.id),
                lambda errors: _order_page("portal/confirm.html", order, form=form, errors=errors))


@roles_required("supplier")
def reject(po_id: int):  # type: ignore[no-untyped-def]
    order, form = _order(po_id), forms.RejectForm()
    return _act(form, lambda: portal.reject(db.session, _sid(), order.id, actor=web_actor(), now=utcnow(),
                                            reason=form.reason.data or ""),
                f"{order.number} rejected.", url_for(".order_detail", po_id=order.id),
                lambda _errors: _detail_page(order, form))


@roles_required("supplier")
def notice_new(po_id: int):  # type: ignore[no-untyped-def]
    order, form = _order(po_id), forms.NoticeForm()
    header = {name: getattr(form, name).data for name in ("carrier", "tracking_number", "ship_date", "expected_arrival")}
    return _act(form, lambda: portal.create_notice(db.session, _sid(), order.id, actor=web_actor(), now=utcnow(),
                                                   data=header, lines=_line_inputs(order, "qty")),
                "Shipping notice sent.", url_for(".order_detail", po_id=order.id),
                lambda errors: _order_page("portal/notice_form.html", order, form=form, errors=errors,
                                           room=portal.notice_room(db.session, order),
                                           carriers=logistics.list_carriers(db.session)))


@roles_required("supplier")
def shipment_event(shipment_id: int):  # type: ignore[no-untyped-def]
    """Update one of the supplier's own inbound shipments (new ETA, in transit, exception)."""
    form = forms.ShipmentUpdateForm()
    try:
        shipment = logistics.get_shipment(db.session, shipment_id)
        if shipment.supplier_id != _sid():
            raise NotFound(f"shipment {shipment_id} does not exist")
    except NotFound:
        abort(404)
    if form.validate_on_submit():
        try:
            commit(lambda: logistics.record_supplier_event(
                db.session, _sid(), shipment_id, actor=web_actor(), now=utcnow(), status=form.status.data,
                eta=form.eta.data, reason=form.reason.data or ""))
            flash("Shipment updated.", "success")
        except DomainError as error:
            show_domain_error(error)
    else:
        flash("Check the shipment update: " + "; ".join(m for msgs in form.errors.values() for m in msgs), "error")
    return redirect(url_for(".order_detail", po_id=shipment.po_id))


@roles_required("supplier")
def certificates():  # type: ignore[no-untyped-def]
    form = forms.CertificateForm()
    upload = form.file.data if form.file.data and getattr(form.file.data, "filename", "") else None
    data = {name: getattr(form, name).data for name in ("cert_type", "number", "issued_on", "expires_on")}
    return _act(form, lambda: portal.add_certificate(
        db.session, _sid(), data, actor=web_actor(), file=upload.read() if upload else None,
        filename=upload.filename if upload else ""), "Certificate added.", url_for(".certificates"),
        lambda _errors: render_template("portal/certificates.html", form=form,
                                        certificates=portal.list_certificates(db.session, _sid())))


@roles_required("supplier")
def download_document(document_id: int):  # type: ignore[no-untyped-def]
    """One of the supplier's own documents, always as an attachment (never rendered inline)."""
    try:
        document = portal.get_document(db.session, _sid(), document_id)
    except NotFound:
        abort(404)
    response = send_file(BytesIO(document.content), mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@roles_required("supplier")
def scorecard():  # type: ignore[no-untyped-def]
    return render_template("portal/scorecard.html", snapshots=portal.my_scorecard(db.session, _sid()),
                           standing_label=scorecards.standing_label)


@roles_required("supplier")
def forecast():  # type: ignore[no-untyped-def]
    return render_template("portal/forecast.html", forecasts=portal.my_forecast(db.session, _sid()))
