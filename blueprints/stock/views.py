"""Warehouse staff pages: stock on hand, an item's ledger, and the posting forms (phone-friendly)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from blueprints.common import STAFF, STOCK_WRITERS, commit, paginate, roles_required, show_domain_error, \
    sort_args, web_actor
from blueprints.stock import forms
from scm.extensions import db
from scm.models import Item, StockCount, Transfer
from scm.services.stock import masterdata, ledger as stock_ledger, queries as stock_queries
from scm.services.kernel.errors import DomainError, ValidationFailed

bp = Blueprint("stock", __name__, url_prefix="/stock")


def _warehouses():  # type: ignore[no-untyped-def]
    return masterdata.list_warehouses(db.session, active_only=True)


@bp.route("/")
@roles_required(*STAFF)
def balances():  # type: ignore[no-untyped-def]
    sort, descending = sort_args("sku")
    filters = {"q": request.args.get("q", ""), "warehouse_id": request.args.get("warehouse", type=int),
               "only_in_stock": request.args.get("in_stock") == "1"}
    stmt = stock_queries.balance_query(**filters, sort=sort, descending=descending)
    page = paginate(stmt, count=stock_queries.balance_count(**filters))
    return render_template("stock/balances.html", page=page, warehouses=_warehouses(),
                           sort=sort, descending=descending, value=stock_queries.stock_values(db.session))


@bp.route("/items/<int:item_id>/ledger")
@roles_required(*STAFF)
def item_ledger(item_id: int):  # type: ignore[no-untyped-def]
    item = db.session.get(Item, item_id) or abort(404)
    warehouse_id = request.args.get("warehouse", type=int)
    stmt = stock_queries.move_query(item_id=item.id, warehouse_id=warehouse_id)
    return render_template("stock/ledger.html", item=item, page=paginate(stmt), warehouses=_warehouses(),
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


@bp.route("/receive", methods=["GET", "POST"])
@roles_required(*STOCK_WRITERS)
def receive():  # type: ignore[no-untyped-def]
    form = forms.ReceiveForm()
    form.set_warehouses(_warehouses(), "warehouse_id")
    return _posting(form, "stock/receive.html", lambda: stock_ledger.receive(
        db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty=form.quantity.data,
        unit_cost=form.unit_cost.data, note=form.note.data or "", actor=web_actor()), _moved)


@bp.route("/issue", methods=["GET", "POST"])
@roles_required(*STOCK_WRITERS)
def issue():  # type: ignore[no-untyped-def]
    form = forms.IssueForm()
    form.set_warehouses(_warehouses(), "warehouse_id")
    return _posting(form, "stock/issue.html", lambda: stock_ledger.issue(
        db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty=form.quantity.data,
        reason=form.reason.data, note=form.note.data or "", actor=web_actor()), _moved)


@bp.route("/adjust", methods=["GET", "POST"])
@roles_required(*STOCK_WRITERS)
def adjust():  # type: ignore[no-untyped-def]
    form = forms.AdjustForm()
    form.set_warehouses(_warehouses(), "warehouse_id")
    return _posting(form, "stock/adjust.html", lambda: stock_ledger.adjust(
        db.session, item_id=_sku(form), warehouse_id=form.warehouse_id.data, qty_delta=form.quantity.data,
        reason=form.reason.data, note=form.note.data or "", actor=web_actor()), _moved)


def _lines(form: Any, field: str, *, once_per_sku: bool = False) -> list[tuple[int, Decimal]]:
    """Filled lines of a multi-line form as (item id, quantity); line numbers name bad SKUs.

    A count must name each SKU once (two figures for one shelf are a mistake); a transfer may repeat.
    """
    lines, errors, first_line = [], {}, {}
    for number, entry in enumerate(form.lines.entries, start=1):
        sku, qty = (entry.form.sku.data or "").strip(), entry.form.quantity.data
        if not sku and qty is None:
            continue
        if once_per_sku and sku in first_line:
            errors.setdefault("lines", []).append(
                f"line {number}: {sku} is counted twice (also on line {first_line[sku]})")
            continue
        first_line.setdefault(sku, number)
        if not sku or qty is None:
            errors.setdefault("lines", []).append(f"line {number}: give both SKU and {field}")
            continue
        try:
            lines.append((masterdata.item_id_for_sku(db.session, sku), qty))
        except ValidationFailed:
            errors.setdefault("lines", []).append(f"line {number}: no item with SKU '{sku}'")
    if errors:
        raise ValidationFailed(errors)
    return lines


@bp.route("/transfer", methods=["GET", "POST"])
@roles_required(*STOCK_WRITERS)
def transfer():  # type: ignore[no-untyped-def]
    form = forms.TransferForm()
    form.set_warehouses(_warehouses(), "from_warehouse_id", "to_warehouse_id")
    if not form.is_submitted() and len(form.to_warehouse_id.choices) > 1:
        form.to_warehouse_id.data = form.to_warehouse_id.choices[1][0]  # From and To must differ
    return _posting(form, "stock/transfer.html", lambda: stock_ledger.post_transfer(
        db.session, from_warehouse_id=form.from_warehouse_id.data, to_warehouse_id=form.to_warehouse_id.data,
        lines=_lines(form, "quantity"), note=form.note.data or "", actor=web_actor()),
        lambda t: f"Transfer T-{t.id} posted: {len(t.lines)} line(s).")


@bp.route("/moves/<int:move_id>/reverse", methods=["POST"])
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


@bp.route("/reservations")
@roles_required(*STAFF)
def reservations():  # type: ignore[no-untyped-def]
    form = forms.ReserveForm()
    form.set_warehouses(_warehouses(), "warehouse_id")
    return _reservations_page(form)


def _reservations_page(form: Any, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("stock/reservations.html", form=form, release_form=forms.ReleaseForm(),
                           rows=stock_queries.active_reservations(db.session)), status


@bp.route("/reservations", methods=["POST"])
@roles_required(*STOCK_WRITERS)
def reserve():  # type: ignore[no-untyped-def]
    form = forms.ReserveForm()
    form.set_warehouses(_warehouses(), "warehouse_id")
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


@bp.route("/reservations/<int:reservation_id>/release", methods=["POST"])
@roles_required(*STOCK_WRITERS)
def release(reservation_id: int):  # type: ignore[no-untyped-def]
    if forms.ReleaseForm().validate_on_submit():
        try:
            commit(lambda: stock_ledger.release(db.session, reservation_id=reservation_id, actor=web_actor()))
            flash("Reservation released.", "success")
        except DomainError as error:
            show_domain_error(error)
    return redirect(url_for(".reservations"))


@bp.route("/transfers/<int:transfer_id>")
@roles_required(*STAFF)
def transfer_detail(transfer_id: int):  # type: ignore[no-untyped-def]
    return render_template("stock/transfer_detail.html",
                           transfer=db.session.get(Transfer, transfer_id) or abort(404))


from blueprints.stock import count_views  # noqa: E402,F401  (the count routes register on bp)
