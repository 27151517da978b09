"""Warehouse staff pages: stock on hand, an item's ledger, and the posting forms (phone-friendly)."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import (
    STAFF,
    STOCK_WRITERS,
    commit,
    paginate,
    roles_required,
    show_domain_error,
    sort_args,
    web_actor,
)
from blueprints.stock import forms
from blueprints.stock._shared import active_warehouses, filled_lines
from scm.extensions import db
from scm.models import Item, StockCount, Transfer
from scm.services.kernel.errors import DomainError
from scm.services.stock import ledger as stock_ledger
from scm.services.stock import masterdata
from scm.services.stock import queries as stock_queries


@roles_required(*STAFF)
def balances():  # type: ignore[no-untyped-def]
    sort, descending = sort_args("sku")
    filters = {"q": request.args.get("q", ""), "warehouse_id": request.args.get("warehouse", type=int),
               "only_in_stock": request.args.get("in_stock") == "1"}
    stmt = stock_queries.balance_query(**filters, sort=sort, descending=descending)
    page = paginate(stmt, count=stock_queries.balance_count(**filters))
    return render_template("stock/balances.html", page=page, warehouses=active_warehouses(),
                           sort=sort, descending=descending, value=stock_queries.stock_values(db.session))


@roles_required(*STAFF)
def item_ledger(item_id: int):  # type: ignore[no-untyped-def]
    item = db.session.get(Item, item_id) or abort(404)
    warehouse_id = request.args.get("warehouse", type=int)
    stmt = stock_queries.move_query(item_id=item.id, warehouse_id=warehouse_id)
    return render_template("stock/ledger.html", item=item, page=paginate(stmt), warehouses=active_warehouses(),
                           balances=stock_queries.balances_for_item(db.session, item.id),
                           reverse_form=forms.ReverseForm(), count_number=StockCount.number_for)


def _posting(form: Any, template: str, work: Callable[[], Any], success: Callable[[Any], str],
             **context: Any):  # type: ignore[no-untyped-def]
    """Shared flow of the posting forms: validate, post in one transaction, show the result or errors."""
    if form.validate_on_submit():
        try:
            result = commit(work)
            flash(success(result), "success")
            return redirect(request.url)
        except DomainError as error:
            show_domain_error(error, form)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def _sku(form: Any, field: str = "sku") -> int:
    return masterdata.item_id_for_sku(db.session, getattr(form, field).data, field)


def _moved(move: Any) -> str:
    return f"Posted: {move.qty_delta:+f} → {move.balance_after:f} on hand."


@roles_required(*STOCK_WRITERS)
def receive():  # type: ignore[no-untyped-def]
    form = forms.ReceiveForm()
    form.set_warehouses(active_warehouses(), "warehouse_id")
    return _posting(form, "stock/receive.html", lambda: stock_ledger.receive(
        db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty=form.quantity.data,
        unit_cost=form.unit_cost.data, note=form.note.data or "", actor=web_actor()), _moved)


@roles_required(*STOCK_WRITERS)
def issue():  # type: ignore[no-untyped-def]
    form = forms.IssueForm()
    form.set_warehouses(active_warehouses(), "warehouse_id")
    return _posting(form, "stock/issue.html", lambda: stock_ledger.issue(
        db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty=form.quantity.data,
        reason=form.reason.data, note=form.note.data or "", actor=web_actor()), _moved)


@roles_required(*STOCK_WRITERS)
def adjust():  # type: ignore[no-untyped-def]
    form = forms.AdjustForm()
    form.set_warehouses(active_warehouses(), "warehouse_id")
    return _posting(form, "stock/adjust.html", lambda: stock_ledger.adjust(
        db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty_delta=form.quantity.data,
        reason=form.reason.data, note=form.note.data or "", actor=web_actor()), _moved)


@roles_required(*STOCK_WRITERS)
def transfer():  # type: ignore[no-untyped-def]
    form = forms.TransferForm()
    form.set_warehouses(active_warehouses(), "from_warehouse_id", "to_warehouse_id")
    if not form.is_submitted() and len(form.to_warehouse_id.choices) > 1:
        form.to_warehouse_id.data = form.to_warehouse_id.choices[1][0]  # From and To must differ
    return _posting(form, "stock/transfer.html", lambda: stock_ledger.post_transfer(
        db.session, from_warehouse_id=form.from_warehouse_id.data, to_warehouse_id=form.to_warehouse_id.data,
        lines=filled_lines(form, "quantity"), note=form.note.data or "", actor=web_actor()),
        lambda t: f"Transfer T-{t.id} posted: {len(t.lines)} line(s).")


@roles_required(*STOCK_WRITERS)
def reverse(move_id: int):  # type: ignore[no-untyped-def]
    form = forms.ReverseForm()
    if form.validate_on_submit():
        try:
            moves = commit(lambda: stock_ledger.reverse(db.session, move_id=move_id, note=form.note.data or "",
                                                        actor=web_actor()))
            flash(f"Reversed: {len(moves)} mirror move(s) posted.", "success")
        except DomainError as error:
            show_domain_error(error)
    return redirect(request.referrer or url_for(".balances"))


@roles_required(*STAFF)
def reservations():  # type: ignore[no-untyped-def]
    form = forms.ReserveForm()
    form.set_warehouses(active_warehouses(), "warehouse_id")
    return _reservations_page(form)


def _reservations_page(form: Any, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("stock/reservations.html", form=form, release_form=forms.ReleaseForm(),
                           rows=stock_queries.active_reservations(db.session)), status


@roles_required(*STOCK_WRITERS)
def reserve():  # type: ignore[no-untyped-def]
    form = forms.ReserveForm()
    form.set_warehouses(active_warehouses(), "warehouse_id")
    if form.validate_on_submit():
        try:
            reservation = commit(lambda: stock_ledger.reserve(
                db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty=form.quantity.data,
                reference=form.reference.data, actor=web_actor()))
            flash(f"Reserved {reservation.qty:f} (reservation R-{reservation.id}).", "success")
            return redirect(url_for(".reservations"))
        except DomainError as error:
            show_domain_error(error, form)
    return _reservations_page(form, 422)


@roles_required(*STOCK_WRITERS)
def release(reservation_id: int):  # type: ignore[no-untyped-def]
    if forms.ReleaseForm().validate_on_submit():
        try:
            commit(lambda: stock_ledger.release(db.session, reservation_id=reservation_id, actor=web_actor()))
            flash("Reservation released.", "success")
        except DomainError as error:
            show_domain_error(error)
    return redirect(url_for(".reservations"))


@roles_required(*STAFF)
def transfer_detail(transfer_id: int):  # type: ignore[no-untyped-def]
    return render_template("stock/transfer_detail.html",
                           transfer=db.session.get(Transfer, transfer_id) or abort(404))
