"""What the suppliers pages share (the route modules import from here, never from each other)."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, redirect, render_template, request

from blueprints.common import Page, commit, show_domain_error
from blueprints.suppliers import forms
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.stock import masterdata
from scm.services.suppliers import profiles as suppliers
from scm.services.suppliers import sourcing as sourcing_rules
from scm.services.suppliers import standing as supplier_standing


def today():  # type: ignore[no-untyped-def]
    return utcnow().date()


def form_data(form: Any, *skip: str) -> dict:
    return {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", *skip)}


def save(form: Any, work: Callable[[], Any], done: Callable[[Any], str], render: Callable[[], Any]):  # type: ignore
    """Validate, run the service and commit; on any error re-render with 422 and the errors in place."""
    if form.validate_on_submit():
        try:
            result = commit(work)
            flash("Saved.", "success")
            return redirect(done(result))
        except DomainError as error:
            show_domain_error(error, form)
    return render(), (422 if request.method == "POST" else 200)


def supplier_or_404(supplier_id: int):  # type: ignore[no-untyped-def]
    try:
        return suppliers.get_supplier(db.session, supplier_id)
    except NotFound:
        abort(404)


def render_detail(supplier_id: int, status: int = 200, **forms_given: Any):  # type: ignore[no-untyped-def]
    """The profile page, with the add forms (the one just submitted keeps its input and errors)."""
    try:
        profile = suppliers.profile(db.session, supplier_id, today())
    except NotFound:
        abort(404)
    page_forms = {"contact_form": forms.ContactForm(prefix="contact"), "address_form": forms.AddressForm(prefix="address"),
                  "document_form": forms.DocumentForm(prefix="document"),
                  "override_form": forms.OverrideForm(prefix="override"), **forms_given}
    return render_template("suppliers/detail.html", p=profile, action_form=forms.ActionForm(),
                           warnings=suppliers.purchase_warnings(db.session, supplier_id, None, today()),
                           block=supplier_standing.order_block(db.session, profile.supplier, today()),
                           overrides=supplier_standing.overrides_of(db.session, supplier_id),
                           **page_forms), status


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
    return render_template("suppliers/sourcing.html", page=violations_page(today()), form=form,
                           allocation=allocation, reasons=sourcing_rules.REASONS, reviews=reviews,
                           closers=closers), status


def violations_page(as_of: Any) -> Page:
    found = sourcing_rules.violations(db.session, as_of)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    return Page(rows=found[(page - 1) * 50:page * 50], page=page, per_page=50, total=len(found))


def sourcing_choice(form: Any) -> sourcing_rules.Allocation:
    item_id = masterdata.item_id_for_sku(db.session, form.sku.data)
    return sourcing_rules.choose_suppliers(db.session, item_id, form.quantity.data, form.need_by.data, today())
