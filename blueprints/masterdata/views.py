"""Item master and warehouses: list, search, create, edit."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import (
    ADMIN,
    CATALOG_WRITERS,
    STAFF,
    commit,
    paginate,
    roles_required,
    show_domain_error,
    sort_args,
    web_actor,
)
from blueprints.masterdata.forms import ItemForm, WarehouseForm
from scm.extensions import db
from scm.models import Item, Warehouse, utcnow
from scm.services.kernel.errors import DomainError
from scm.services.stock import masterdata
from scm.services.stock import queries as stock_queries
from scm.services.stock import units as units_of_measure
from scm.services.suppliers import sourcing


@roles_required(*STAFF)
def items():  # type: ignore[no-untyped-def]
    sort, descending = sort_args("sku")
    active = {"yes": True, "no": False}.get(request.args.get("active", ""))
    stmt = masterdata.item_query(q=request.args.get("q", ""), category=request.args.get("category", ""),
                                 active=active, sort=sort, descending=descending)
    return render_template("masterdata/items.html", page=paginate(stmt, scalars=True), sort=sort,
                           descending=descending)


@roles_required(*STAFF)
def item_detail(item_id: int):  # type: ignore[no-untyped-def]
    item = db.session.get(Item, item_id) or abort(404)
    today = utcnow().date()
    return render_template("masterdata/item_detail.html", item=item, today=today,
                           balances=stock_queries.balances_for_item(db.session, item.id),
                           suppliers=sourcing.item_suppliers(db.session, item.id, today))


def _save(form: Any, template: str, work: Any, done: Any, **context: Any):  # type: ignore[no-untyped-def]
    """Validate the form, run the service, commit; on a domain error re-show the form with 422."""
    if form.validate_on_submit():
        try:
            obj = commit(work)
            flash("Saved.", "info")
            return redirect(done(obj))
        except DomainError as error:
            show_domain_error(error, form)
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def _form_data(form: Any) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@roles_required(*CATALOG_WRITERS)
def item_new():  # type: ignore[no-untyped-def]
    form = ItemForm()
    form.set_units(units_of_measure.list_units(db.session))
    return _save(form, "masterdata/item_form.html",
                 lambda: masterdata.create_item(db.session, _form_data(form), actor=web_actor()),
                 lambda item: url_for(".item_detail", item_id=item.id), item=None)


@roles_required(*CATALOG_WRITERS)
def item_edit(item_id: int):  # type: ignore[no-untyped-def]
    item = db.session.get(Item, item_id) or abort(404)
    form = ItemForm(obj=item)
    form.set_units(units_of_measure.list_units(db.session))
    if item.uom not in dict(form.uom.choices):  # an unregistered legacy unit stays selectable until changed
        form.uom.choices.append((item.uom, f"{item.uom} (not registered)"))
    return _save(form, "masterdata/item_form.html",
                 lambda: masterdata.update_item(db.session, item, _form_data(form), actor=web_actor()),
                 lambda saved: url_for(".item_detail", item_id=saved.id), item=item)


@roles_required(*STAFF)
def warehouses():  # type: ignore[no-untyped-def]
    return render_template("masterdata/warehouses.html",
                           warehouses=masterdata.list_warehouses(db.session))


@roles_required(*ADMIN)
def warehouse_new():  # type: ignore[no-untyped-def]
    form = WarehouseForm()
    return _save(form, "masterdata/warehouse_form.html",
                 lambda: masterdata.create_warehouse(db.session, _form_data(form), actor=web_actor()),
                 lambda _w: url_for(".warehouses"), warehouse=None)


@roles_required(*ADMIN)
def warehouse_edit(warehouse_id: int):  # type: ignore[no-untyped-def]
    warehouse = db.session.get(Warehouse, warehouse_id) or abort(404)
    form = WarehouseForm(obj=warehouse)
    return _save(form, "masterdata/warehouse_form.html",
                 lambda: masterdata.update_warehouse(db.session, warehouse, _form_data(form), actor=web_actor()),
                 lambda _w: url_for(".warehouses"), warehouse=warehouse)
