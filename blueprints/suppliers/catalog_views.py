"""The supplier catalog (entries with price breaks), the sourcing page and item certificate requirements."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from blueprints.common import CATALOG_WRITERS, STAFF, Page, commit, roles_required, show_domain_error, web_actor
from blueprints.suppliers import forms
from blueprints.suppliers.views import bp, form_data, save, today
from scm.extensions import db
from scm.models import Item, Supplier
from scm.models.supplier_catalog import SOURCING_ROLES
from scm.services.stock import masterdata
from scm.services.suppliers import certifications, catalog as supplier_catalog, standing as supplier_standing
from scm.services.suppliers import sourcing as sourcing_rules
from scm.services.kernel.errors import DomainError, NotFound


def _supplier_choices(form: Any) -> None:
    form.supplier_id.choices = [(s.id, f"{s.code} — {s.name}") for s in
                                db.session.scalars(select(Supplier).order_by(Supplier.code))]


def _back(entry: Any) -> str:
    """Back to the sourcing page when the form was opened from it, else to the supplier."""
    if request.args.get("back") == "sourcing":
        return url_for(".sourcing")
    return url_for(".detail", supplier_id=entry.supplier_id, _anchor="catalog")


@bp.route("/catalog/new", methods=["GET", "POST"])
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


@bp.route("/catalog/<int:entry_id>/edit", methods=["GET", "POST"])
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


def _violations_page(as_of: Any) -> Page:
    found = sourcing_rules.violations(db.session, as_of)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    return Page(rows=found[(page - 1) * 50:page * 50], page=page, per_page=50, total=len(found))


@bp.route("/sourcing")
@roles_required(*STAFF)
def sourcing():  # type: ignore[no-untyped-def]
    return render_sourcing()


def render_sourcing(status: int = 200, review_forms: dict[int, Any] | None = None):  # type: ignore[no-untyped-def]
    """The sourcing page: violations, open replace-candidate reviews (each with its close form), the chooser."""
    form, allocation = forms.ChooseForm(request.args), None
    if request.args.get("sku") and form.validate():
        try:
            allocation = sourcing_choice(form)
        except DomainError as error:
            show_domain_error(error, form)
    if form.errors and status == 200:
        status = 422
    reviews = supplier_standing.open_reviews(db.session, today())
    given = review_forms or {}
    closers = {v.review.id: given.get(v.review.id) or forms.ReviewCloseForm(prefix=f"review-{v.review.id}",
                                                                             formdata=None) for v in reviews}
    return render_template("suppliers/sourcing.html", page=_violations_page(today()), form=form,
                           allocation=allocation, reasons=sourcing_rules.REASONS, reviews=reviews,
                           closers=closers), status


def sourcing_choice(form: Any) -> sourcing_rules.Allocation:
    item_id = masterdata.item_id_for_sku(db.session, form.sku.data)
    return sourcing_rules.choose_suppliers(db.session, item_id, form.quantity.data, form.need_by.data, today())


@bp.route("/sourcing/requirements")
@roles_required(*STAFF)
def requirements():  # type: ignore[no-untyped-def]
    return _requirements_page(forms.RequirementForm())


def _requirements_page(form: Any, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("suppliers/requirements.html", form=form, action_form=forms.ActionForm(),
                           rows=certifications.list_requirements(db.session),
                           known=certifications.CERTIFICATION_TYPES), status


@bp.route("/sourcing/requirements", methods=["POST"])
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


@bp.route("/sourcing/requirements/<int:requirement_id>/delete", methods=["POST"])
@roles_required(*CATALOG_WRITERS)
def remove_requirement(requirement_id: int):  # type: ignore[no-untyped-def]
    if forms.ActionForm().validate_on_submit():
        try:
            commit(lambda: certifications.remove_requirement(db.session, requirement_id, actor=web_actor()))
            flash("Requirement removed.", "success")
        except NotFound:
            abort(404)
    return redirect(url_for(".requirements"))
