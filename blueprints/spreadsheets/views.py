"""Spreadsheets: blank templates, exports, and imports with a preview before anything changes."""
from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from blueprints.common import STAFF, XLSX, commit, roles_required, show_domain_error, web_actor
from blueprints.forms import UploadForm
from blueprints.spreadsheets.forms import ConfirmForm
from scm.extensions import db
from scm.models import ImportBatch, utcnow
from scm.services import importers
from scm.services.kernel.errors import DomainError, ImportRejected
from scm.services.stock.counts import LargeCountVariance, VarianceLimits
from scm.sheets import annotate_errors, build_template


def _importer(entity: str, *, for_import: bool) -> importers.Importer:
    if entity not in importers.IMPORTERS:
        abort(404)
    found = importers.IMPORTERS[entity]
    if for_import and current_user.role not in found.import_roles:
        abort(403)
    return found


def _xlsx(data: bytes, name: str) -> Any:
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@roles_required(*STAFF)
def index():  # type: ignore[no-untyped-def]
    return render_template("spreadsheets/index.html", importers=importers.IMPORTERS)


@roles_required(*STAFF)
def template(entity: str):  # type: ignore[no-untyped-def]
    return _xlsx(build_template(_importer(entity, for_import=False).spec), f"{entity}-template.xlsx")


@roles_required(*STAFF)
def export(entity: str):  # type: ignore[no-untyped-def]
    _importer(entity, for_import=False)
    return _xlsx(importers.export(db.session, entity), f"{entity}-{utcnow():%Y%m%d-%H%M}.xlsx")


@roles_required(*STAFF)
def upload(entity: str):  # type: ignore[no-untyped-def]
    found = _importer(entity, for_import=True)
    form = UploadForm()
    if form.validate_on_submit():
        data, name = form.file.data.read(), form.file.data.filename or "upload"
        try:
            batch, result = commit(lambda: importers.preview(db.session, entity, data, name, actor=web_actor()))
            changes = found.diff(db.session, result) if found.diff and not result.errors else None
            reviews = (found.review(db.session, result, VarianceLimits.from_config(current_app.config))
                       if found.review and not result.errors else None)
            return render_template("spreadsheets/preview.html", importer=found, batch=batch, result=result,
                                   confirm=ConfirmForm(), changes=changes, reviews=reviews), \
                (422 if result.errors else 200)
        except ImportRejected as rejected:
            form.file.errors = [rejected.message]
    return render_template("spreadsheets/upload.html", importer=found, form=form), (422 if form.errors else 200)


def _own_batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.created_by != current_user.id:
        abort(404)
    _importer(batch.entity, for_import=True)
    return batch


@roles_required(*STAFF)
def apply(batch_id: int):  # type: ignore[no-untyped-def]
    batch = _own_batch(batch_id)
    if ConfirmForm().validate_on_submit():
        # The confirmation page's tokens (stock counts: the review seen, the large lines confirmed).
        confirm = {k: v for k, v in request.form.items() if k.startswith(("reviewed-", "large-"))}
        options = {"config": current_app.config, "confirm": confirm}
        try:
            applied = commit(lambda: importers.apply(db.session, batch.id, actor=web_actor(), options=options))
            flash(f"Imported {applied.filename}: {applied.summary}.", "success")
            return redirect(url_for(".index"))
        except LargeCountVariance as asked:
            return render_template("spreadsheets/confirm_large.html", batch=batch, reviews=asked.reviews,
                                   reviewed=confirm, confirm=ConfirmForm())
        except DomainError as error:
            show_domain_error(error)
    return redirect(url_for(".upload", entity=batch.entity))


@roles_required(*STAFF)
def errors(batch_id: int):  # type: ignore[no-untyped-def]
    batch = _own_batch(batch_id)
    if not batch.content:
        abort(404)
    result = importers.parse(db.session, batch.entity, batch.content, batch.filename)
    annotated = annotate_errors(batch.content, result.errors, sheet_name=result.sheet_name)
    return _xlsx(annotated, f"{batch.entity}-errors.xlsx")
