"""Cycle counts: the form, the review of the differences, the second confirmation of large ones, the document.

Nothing posts from the first submit: the person sees every line (on hand, counted, difference,
value, share) and confirms; large variances are listed again and confirmed once more. The ledger
checks the large lines again under its lock, so a line that became large meanwhile is asked again.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from blueprints.common import STAFF, STOCK_WRITERS, commit, roles_required, show_domain_error, web_actor
from blueprints.stock import forms
from blueprints.stock._shared import active_warehouses, filled_lines
from scm.extensions import db
from scm.models import StockCount
from scm.services.kernel.errors import DomainError
from scm.services.stock import counts as count_review
from scm.services.stock import ledger as stock_ledger
from scm.services.stock.counts import CountReview, LargeCountVariance, VarianceLimits

PLACEHOLDER = "Choose the warehouse you counted"


def _form_page(form: forms.CountForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("stock/count.html", form=form), status


def _review_page(form: forms.CountForm, review: CountReview, stage: str):  # type: ignore[no-untyped-def]
    """The differences (stage "review") or the large ones again (stage "large"), with the form to confirm."""
    form.stage.data = stage
    if stage == "review":
        form.reviewed.data = review.token
    else:
        form.large_token.data = review.large_token
    return render_template("stock/count_review.html", form=form, review=review, stage=stage)


def _post(form: forms.CountForm, counts: list, limits: VarianceLimits) -> StockCount:
    return commit(lambda: stock_ledger.post_count(
        db.session, warehouse_id=form.warehouse_id.data, counts=counts, note=form.note.data or "",
        actor=web_actor(), limits=limits, confirmed_large=form.large_token.data or None,
        reviewed=form.reviewed.data or None))


@roles_required(*STOCK_WRITERS)
def count():  # type: ignore[no-untyped-def]
    form = forms.CountForm()
    form.set_warehouses(active_warehouses(), "warehouse_id", placeholder=PLACEHOLDER)
    if not form.validate_on_submit():
        return _form_page(form, 422 if form.is_submitted() else 200)
    if form.stage.data == "edit":
        return _form_page(form)
    limits = VarianceLimits.from_config(current_app.config)
    try:
        counts = filled_lines(form, "counted quantity", once_per_sku=True)
        if not form.stage.data:
            return _review_page(form, count_review.review_count(
                db.session, warehouse_id=form.warehouse_id.data, counts=counts, limits=limits), "review")
        posted = _post(form, counts, limits)
    except LargeCountVariance as asked:
        return _review_page(form, asked.reviews[0], "large")
    except DomainError as error:
        show_domain_error(error, form)
        return _form_page(form, 422)
    flash(count_review.posted_message(posted.number, posted.warehouse.code, posted.differences_posted),
          "success")
    if posted.changed_since_review:
        flash("Note: on hand changed since your review; the differences were taken against on hand when the "
              "count posted (the System column below).", "info")
    return redirect(url_for(".count_detail", count_id=posted.id))


@roles_required(*STAFF)
def count_detail(count_id: int):  # type: ignore[no-untyped-def]
    return render_template("stock/count_detail.html", count=db.session.get(StockCount, count_id) or abort(404))
