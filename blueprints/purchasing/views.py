"""Purchase orders for buyers: list, new draft, detail with the transition buttons, printable view.

Receiving at the warehouse is in receiving_views.py (same blueprint). Views translate; the rules
(transitions, prices, MOQ, approval limits) live in scm.services.purchasing.orders.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import current_app, flash, redirect, render_template, request, url_for

from blueprints.common import CATALOG_WRITERS, STAFF, commit, paginate, roles_required, show_domain_error, web_actor
from blueprints.purchasing import forms
from blueprints.purchasing._shared import detail_page, order_or_404, view_model
from scm.extensions import db
from scm.models import PurchaseOrder, Supplier, utcnow
from scm.models.purchasing import PO_STATUSES
from scm.services.kernel import outbox
from scm.services.kernel.errors import Conflict, DomainError, ValidationFailed
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import mail as purchase_mail
from scm.services.purchasing import orders as purchasing
from scm.services.purchasing import queries as purchase_queries
from scm.services.stock import masterdata

BUYERS = CATALOG_WRITERS


@roles_required(*STAFF)
def orders():  # type: ignore[no-untyped-def]
    filters = {"status": request.args.get("status", ""), "supplier_id": request.args.get("supplier", type=int),
               "warehouse_id": request.args.get("warehouse", type=int), "late": request.args.get("late") == "1"}
    page = paginate(purchase_queries.order_list_query(today=utcnow().date(), **filters))
    return render_template("purchasing/orders.html", page=page, statuses=PO_STATUSES,
                           figures=order_figures.order_figures(db.session, [row.id for row in page.rows]),
                           suppliers=purchase_queries.suppliers_for_filter(db.session),
                           warehouses=masterdata.list_warehouses(db.session, active_only=False))


def _draft_form() -> forms.DraftForm:
    form = forms.DraftForm()
    form.supplier_id.choices = [(s.id, f"{s.code} — {s.name}") for s in purchase_queries.suppliers_for_filter(db.session)]
    form.warehouse_id.choices = [(w.id, f"{w.code} — {w.name}")
                                 for w in masterdata.list_warehouses(db.session, active_only=True)]
    return form


def _draft_lines(form: forms.DraftForm, numbers: list[int]) -> list[tuple]:
    """Filled rows as (item_id, qty, promised[, price]); unknown SKUs become line errors. `numbers`
    receives the form row number of each line (the service names lines by position)."""
    lines, errors = [], []
    numbers.clear()  # a retried transaction parses again
    for number, entry in enumerate(form.lines.entries, start=1):
        row = entry.form
        sku = (row.sku.data or "").strip()
        if not sku and row.quantity.data is None:
            continue
        if not sku or row.quantity.data is None:
            errors.append(f"line {number}: give both SKU and quantity")
            continue
        try:
            item_id = masterdata.item_id_for_sku(db.session, sku)
        except ValidationFailed:
            errors.append(f"line {number}: no item with SKU '{sku}'")
            continue
        price = (row.unit_price.data,) if row.unit_price.data is not None else ()
        lines.append((item_id, row.quantity.data, row.promised_date.data, *price))
        numbers.append(number)
    if errors:
        raise ValidationFailed({"lines": errors})
    return lines


def _line_errors(form: forms.DraftForm, error: DomainError, numbers: list[int]) -> None:
    """Service errors keyed lines[i] (the i-th filled line) shown under the lines; others as usual."""
    if isinstance(error, Conflict):
        form.supplier_id.errors = list(form.supplier_id.errors) + [error.message]
        return
    if isinstance(error, ValidationFailed):
        messages = []
        for key, texts in error.field_errors.items():
            match = re.fullmatch(r"lines\[(\d+)\]", key)
            index = int(match.group(1)) if match else 0
            label = f"line {numbers[index] if index < len(numbers) else index + 1}: " if match else ""
            messages += [label + text for text in texts] if (match or key == "lines") else []
        if messages:
            form.lines.errors = messages
            return
    show_domain_error(error, form)


@roles_required(*BUYERS)
def new():  # type: ignore[no-untyped-def]
    form, numbers = _draft_form(), []
    if form.validate_on_submit():
        try:
            result = commit(lambda: purchasing.create_draft(
                db.session, supplier_id=form.supplier_id.data, warehouse_id=form.warehouse_id.data,
                lines=_draft_lines(form, numbers), actor=web_actor(), as_of=utcnow().date(),
                currency=(form.currency.data or "").strip() or None, notes=form.notes.data or ""))
            for warning in result.warnings:
                flash(warning, "info")
            flash(f"Draft {result.order.number} created.", "success")
            return redirect(url_for(".detail", po_id=result.order.id))
        except DomainError as error:
            _line_errors(form, error, numbers)
    return render_template("purchasing/new.html", form=form), (422 if request.method == "POST" else 200)


@roles_required(*STAFF)
def detail(po_id: int):  # type: ignore[no-untyped-def]
    return detail_page(order_or_404(po_id))


@roles_required(*STAFF)
def print_order(po_id: int):  # type: ignore[no-untyped-def]
    return render_template("purchasing/print.html", **view_model(order_or_404(po_id)))


def _act(po_id: int, work: Callable[[], Any], done: str, after: Callable[[], None] | None = None):  # type: ignore
    """One button: run one service transition in one transaction; domain errors become a flash."""
    order_or_404(po_id)
    if forms.ActionForm().validate_on_submit():
        try:
            commit(work)
            flash(done, "success")
            if after is not None:
                after()
        except DomainError as error:
            show_domain_error(error)
    return redirect(url_for(".detail", po_id=po_id))


def _now():  # type: ignore[no-untyped-def]
    return utcnow()


@roles_required(*BUYERS)
def submit(po_id: int):  # type: ignore[no-untyped-def]
    return _act(po_id, lambda: purchasing.submit(db.session, po_id, actor=web_actor(), now=_now()), "Submitted.")


@roles_required(*BUYERS)
def approve(po_id: int):  # type: ignore[no-untyped-def]
    return _act(po_id, lambda: purchasing.approve(db.session, po_id, actor=web_actor(), now=_now()), "Approved.")


def _mail_supplier(po_id: int) -> None:
    """After the commit: deliver the e-mail `purchasing.send` recorded. A failure is reported, not fatal:
    the message stays in the outbox and the outgoing-mail job retries it."""
    outbox.deliver(db.session, current_app.config, now=_now(), source=("purchase_order", po_id))
    mails = outbox.for_source(db.session, "purchase_order", po_id)
    if not mails:
        flash("The supplier has no contact with an e-mail address: send the order another way.", "error")
    elif mails[-1].sent_at is not None:
        flash(f"E-mailed to {', '.join(mails[-1].to)}.", "info")
    else:
        flash(f"The order is sent, but the e-mail failed for now ({mails[-1].last_error}); it stays in the outbox "
              f"and will be retried every {outbox.RETRY_EVERY_MINUTES} minutes.", "error")


@roles_required(*BUYERS)
def send(po_id: int):  # type: ignore[no-untyped-def]
    """GET: the e-mail the supplier will receive, with Confirm and Cancel. POST: send it."""
    if request.method == "GET":
        return _send_preview(order_or_404(po_id))
    return _act(po_id, lambda: purchasing.send(db.session, po_id, actor=web_actor(), now=_now()),
                "Sent to the supplier.", after=lambda: _mail_supplier(po_id))


def _send_preview(order: PurchaseOrder):  # type: ignore[no-untyped-def]
    if "sent" not in purchasing.TRANSITIONS.get(order.status, frozenset()):
        flash(f"Purchase order {order.number} is {order.status.replace('_', ' ')}; it cannot be sent.", "error")
        return redirect(url_for(".detail", po_id=order.id))
    return render_template("purchasing/send_preview.html", order=order, mail=purchase_mail.compose(db.session, order),
                           supplier=db.session.get(Supplier, order.supplier_id), action_form=forms.ActionForm())


@roles_required(*BUYERS)
def in_transit(po_id: int):  # type: ignore[no-untyped-def]
    return _act(po_id, lambda: purchasing.mark_in_transit(db.session, po_id, actor=web_actor(), now=_now()),
                "Marked in transit.")


@roles_required(*BUYERS)
def close(po_id: int):  # type: ignore[no-untyped-def]
    return _act(po_id, lambda: purchasing.close(db.session, po_id, actor=web_actor(), now=_now()), "Closed.")


@roles_required(*BUYERS)
def cancel(po_id: int):  # type: ignore[no-untyped-def]
    form = forms.ReasonForm()
    return _act(po_id, lambda: purchasing.cancel(db.session, po_id, actor=web_actor(), now=_now(),
                                                 reason=form.reason.data or ""), "Cancelled.")
