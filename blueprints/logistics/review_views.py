"""Review of unknown tracking numbers: one update's page, attach it to a shipment (by id or tracking
number; recorded through the normal idempotent event path) or dismiss it with a reason. Staff read;
admin, buyer and warehouse act (the same people who record events)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from blueprints.common import STAFF, commit, roles_required, show_domain_error, web_actor
from blueprints.logistics import forms
from blueprints.logistics._shared import EVENT_WRITERS
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.logistics import review as logistics_review
from scm.services.logistics import shipments as logistics


def _row(unmatched_id: int):  # type: ignore[no-untyped-def]
    try:
        return logistics_review.get_unmatched(db.session, unmatched_id)
    except NotFound:
        abort(404)


def _page(row, attach_form: forms.AttachForm, dismiss_form: forms.DismissForm,  # type: ignore[no-untyped-def]
          status: int = 200):
    return render_template("logistics/unmatched_review.html", row=row, attach_form=attach_form,
                           dismiss_form=dismiss_form, candidates=logistics_review.candidates(db.session, row),
                           labels=logistics.STATUS_LABELS), status


@roles_required(*STAFF)
def review_unmatched(unmatched_id: int):  # type: ignore[no-untyped-def]
    return _page(_row(unmatched_id), forms.AttachForm(), forms.DismissForm())


@roles_required(*EVENT_WRITERS)
def attach_unmatched(unmatched_id: int):  # type: ignore[no-untyped-def]
    row = _row(unmatched_id)
    form = forms.AttachForm()
    if form.validate_on_submit():
        try:
            shipment, created = commit(lambda: logistics_review.attach(
                db.session, row.id, form.shipment.data, actor=web_actor(), now=utcnow(),
                set_tracking=bool(form.set_tracking.data)))
            flash("Update recorded on the shipment." if created else
                  "The shipment already had this event; the update is marked resolved.", "success")
            return redirect(url_for("logistics.detail", shipment_id=shipment.id))
        except DomainError as error:
            show_domain_error(error, form)
    return _page(_row(unmatched_id), form, forms.DismissForm(formdata=None), 422)


@roles_required(*EVENT_WRITERS)
def dismiss_unmatched(unmatched_id: int):  # type: ignore[no-untyped-def]
    row = _row(unmatched_id)
    form = forms.DismissForm()
    if form.validate_on_submit():
        try:
            commit(lambda: logistics_review.dismiss(db.session, row.id, form.reason.data, actor=web_actor(),
                                                    now=utcnow()))
            flash("Update dismissed.", "success")
            return redirect(url_for("logistics.unmatched"))
        except DomainError as error:
            show_domain_error(error, form)
    return _page(_row(unmatched_id), forms.AttachForm(formdata=None), form, 422)
