"""Standings that act: an admin's override of a scorecard block (supplier page) and closing a replace
candidate's review (sourcing page)."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for

from blueprints.common import ADMIN, CATALOG_WRITERS, commit, roles_required, show_domain_error, web_actor
from blueprints.suppliers import forms
from blueprints.suppliers._shared import form_data, render_detail, render_sourcing, supplier_or_404, today
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.suppliers import standing as supplier_standing


@roles_required(*ADMIN)
def grant_override(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier_or_404(supplier_id)
    form = forms.OverrideForm(prefix="override")
    if form.validate_on_submit():
        try:
            commit(lambda: supplier_standing.grant_override(db.session, supplier_id, form_data(form),
                                                           actor=web_actor(), as_of=today()))
            flash("Override saved: new orders may go to this supplier.", "success")
            return redirect(url_for(".detail", supplier_id=supplier_id, _anchor="order-block"))
        except DomainError as error:
            show_domain_error(error, form)
    return render_detail(supplier_id, 422, override_form=form)


@roles_required(*ADMIN)
def revoke_override(supplier_id: int, override_id: int):  # type: ignore[no-untyped-def]
    supplier_or_404(supplier_id)
    if forms.ActionForm().validate_on_submit():
        try:
            commit(lambda: supplier_standing.revoke_override(db.session, supplier_id, override_id,
                                                            actor=web_actor(), now=utcnow()))
        except NotFound:
            flash("That override is not in force.", "error")
            return redirect(url_for(".detail", supplier_id=supplier_id)), 404  # type: ignore[return-value]
        flash("Override revoked.", "success")
    return redirect(url_for(".detail", supplier_id=supplier_id, _anchor="order-block"))


@roles_required(*CATALOG_WRITERS)
def close_review(review_id: int):  # type: ignore[no-untyped-def]
    try:
        supplier_standing.open_review(db.session, review_id)
    except NotFound:
        abort(404)
    form = forms.ReviewCloseForm(prefix=f"review-{review_id}")
    if form.validate_on_submit():
        try:
            commit(lambda: supplier_standing.close_review(db.session, review_id, form_data(form),
                                                         actor=web_actor(), now=utcnow()))
            flash("Review closed.", "success")
            return redirect(url_for(".sourcing", _anchor="reviews"))
        except DomainError as error:
            show_domain_error(error, form)
    return render_sourcing(status=422, review_forms={review_id: form})
