"""Lines of a draft order from a spreadsheet: a blank template, then an all-or-nothing upload.

The rules (SKU known, supplier not blocked, MOQ and multiples, catalog prices) are the draft form's,
applied by scm.services.purchasing.sheets.import_lines; a rejected file lists every row and column.
"""
from __future__ import annotations

from io import BytesIO

from flask import flash, redirect, send_file, url_for

from blueprints.common import CATALOG_WRITERS, XLSX, commit, roles_required, show_domain_error, web_actor
from blueprints.forms import UploadForm
from blueprints.purchasing._shared import detail_page, order_or_404
from scm.extensions import db
from scm.services.kernel.errors import DomainError, ImportRejected
from scm.services.purchasing import sheets as purchasing_sheets
from scm.sheets import build_template


@roles_required(*CATALOG_WRITERS)
def lines_template(po_id: int):  # type: ignore[no-untyped-def]
    order = order_or_404(po_id)
    return send_file(BytesIO(build_template(purchasing_sheets.DRAFT_LINES)), mimetype=XLSX, as_attachment=True,
                     download_name=f"{order.number}-lines.xlsx")


@roles_required(*CATALOG_WRITERS)
def import_lines(po_id: int):  # type: ignore[no-untyped-def]
    order = order_or_404(po_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash("Choose a spreadsheet (.xlsx or .csv) to upload.", "error")
        return redirect(url_for(".detail", po_id=po_id))
    upload = form.file.data
    try:
        added = commit(lambda: purchasing_sheets.import_lines(db.session, po_id, upload.read(),
                                                              upload.filename or "upload", web_actor()))
        flash(f"{len(added)} line(s) added to {order.number} from {upload.filename}.", "success")
        return redirect(url_for(".detail", po_id=po_id))
    except ImportRejected as rejected:
        return detail_page(order_or_404(po_id), import_form=form, import_error=rejected), 422
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for(".detail", po_id=po_id))
