"""The supplier catalog (entries with price breaks), the sourcing page and item certificate requirements."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from blueprints.common import CATALOG_WRITERS, STAFF, commit, roles_required, show_domain_error, web_actor
from blueprints.suppliers import forms
from blueprints.suppliers._shared import form_data, render_sourcing, save
from scm.extensions import db
from scm.models import Item, Supplier
from scm.models.supplier_catalog import SOURCING_ROLES
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.stock import masterdata
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import certifications


def _supplier_choices(form: Any) -> None:
    form.supplier_id.choices = [(s.id, f"{s.code} — {s.name}") for s in
                                db.session.scalars(select(Supplier).order_by(Supplier.code))]


def _back(entry: Any) -> str:
    """Back to the sourcing page when the form was opened from it, else to the supplier."""
    if request.args.get("back") == "sourcing":
        return url_for(".sourcing")
    return url_for(".detail", supplier_id=entry.supplier_id, _anchor="catalog")


@roles_required(*CATALOG_WRITERS)
def catalog_new():  # type: ignore[no-untyped-def]
    form = forms.CatalogEntryForm()
    _supplier_choices(form)
    if request.method == "GET":
        form.supplier_id.data = request.args.get("supplier_id", type=int)
        form.sku.data = request.args.get("sku", "")
        form.role.data = request.args.get("role") if request.args.get("role") in SOURCING_ROLES else "primary"
    return save(form, lambda: supplier_catalog.create_entry(db.session, form_data(form), actor=web_actor()), _back,
                lambda: render_template("suppliers/catalog_form.html", form=form, entry=None))


@roles_required(*CATALOG_WRITERS)
def catalog_edit(entry_id: int):  # type: ignore[no-untyped-def]
    try:
        entry = supplier_catalog.get_entry(db.session, entry_id)
    except NotFound:
        abort(404)
    item, supplier = db.session.get(Item, entry.item_id), db.session.get(Supplier, entry.supplier_id)
    breaks = [{k: getattr(b, k) for k in ("min_qty", "unit_price", "currency", "valid_from", "valid_to")}
              for b in supplier_catalog.breaks_of(db.session, entry.id)]
    form = forms.CatalogEntryForm(obj=entry, sku=item.sku, price_breaks=breaks + [{}] * max(2, 4 - len(breaks))) \
        if request.method == "GET" else forms.CatalogEntryForm()
    form.supplier_id.choices = [(supplier.id, f"{supplier.code} — {supplier.name}")]
    form.supplier_id.data, form.sku.data = supplier.id, item.sku  # an entry never moves to another supplier or item
    return save(form, lambda: supplier_catalog.update_entry(db.session, entry, form_data(form, "supplier_id", "sku"),
                                                            actor=web_actor()), _back,
                lambda: render_template("suppliers/catalog_form.html", form=form, entry=entry, item=item,
                                        supplier=supplier))


@roles_required(*STAFF)
def sourcing():  # type: ignore[no-untyped-def]
    return render_sourcing()


@roles_required(*STAFF)
def requirements():  # type: ignore[no-untyped-def]
    return _requirements_page(forms.RequirementForm())


def _requirements_page(form: Any, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("suppliers/requirements.html", form=form, action_form=forms.ActionForm(),
                           rows=certifications.list_requirements(db.session),
                           known=certifications.CERTIFICATION_TYPES), status


@roles_required(*CATALOG_WRITERS)
def add_requirement():  # type: ignore[no-untyped-def]
    form = forms.RequirementForm()
    if form.validate_on_submit():
        try:
            commit(lambda: certifications.add_requirement(
                db.session, masterdata.item_id_for_sku(db.session, form.sku.data), form.cert_type.data,
                actor=web_actor()))
            flash(f"{form.sku.data} now requires {form.cert_type.data}.", "success")
            return redirect(url_for(".requirements"))
        except DomainError as error:
            show_domain_error(error, form)
    return _requirements_page(form, 422)


@roles_required(*CATALOG_WRITERS)
def remove_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    if forms.ActionForm().validate_on_submit():
        try:
            commit(lambda: certifications.remove_requirement(db.session, requirement_id, actor=web_actor()))
            flash("Requirement removed.", "success")
        except NotFound:
            abort(404)
    return redirect(url_for(".requirements"))
