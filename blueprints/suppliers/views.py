"""Suppliers: list, profile, contacts, addresses, documents and certifications.

The catalog and sourcing pages are in catalog_views.py, scorecards in scorecard_views.py (same blueprint).
Every page is for staff; supplier users get 403 here (their own portal shows their own data).
"""
from __future__ import annotations

from io import BytesIO
from typing import Any, Callable

from flask import abort, flash, redirect, render_template, request, send_file, url_for

from blueprints.common import (
    CATALOG_WRITERS,
    STAFF,
    commit,
    paginate,
    roles_required,
    show_domain_error,
    sort_args,
    web_actor,
)
from blueprints.suppliers import forms
from blueprints.suppliers._shared import form_data, render_detail, save, supplier_or_404, today
from scm.extensions import db
from scm.models import SupplierDocument
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.suppliers import certifications, scorecards
from scm.services.suppliers import profiles as suppliers


@roles_required(*STAFF)
def index():  # type: ignore[no-untyped-def]
    sort, descending = sort_args("code")
    page = paginate(suppliers.supplier_query(q=request.args.get("q", ""), status=request.args.get("status", ""),
                                             sort=sort, descending=descending), scalars=True)
    ids = [s.id for s in page.rows]
    return render_template("suppliers/index.html", page=page, sort=sort, descending=descending,
                           counts=suppliers.catalog_counts(db.session, ids),
                           standings=scorecards.current_standings(db.session, ids),
                           expiring=certifications.expiring_certifications(db.session, today(), include_expired_days=30))


@roles_required(*CATALOG_WRITERS)
def new():  # type: ignore[no-untyped-def]
    form = forms.SupplierForm()
    return save(form, lambda: suppliers.create_supplier(db.session, form_data(form), actor=web_actor(), as_of=today()),
                lambda s: url_for(".detail", supplier_id=s.id),
                lambda: render_template("suppliers/form.html", form=form, supplier=None))


@roles_required(*CATALOG_WRITERS)
def edit(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier = supplier_or_404(supplier_id)
    form = forms.SupplierForm(obj=supplier)
    return save(form, lambda: suppliers.update_supplier(db.session, supplier, form_data(form), actor=web_actor(),
                                                        as_of=today()),
                lambda s: url_for(".detail", supplier_id=s.id),
                lambda: render_template("suppliers/form.html", form=form, supplier=supplier))


@roles_required(*STAFF)
def detail(supplier_id: int):  # type: ignore[no-untyped-def]
    return render_detail(supplier_id)


def _add(supplier_id: int, form: Any, name: str, work: Callable[[], Any], anchor: str):  # type: ignore
    supplier_or_404(supplier_id)
    if form.validate_on_submit():
        try:
            commit(work)
            flash("Saved.", "success")
            return redirect(url_for(".detail", supplier_id=supplier_id, _anchor=anchor))
        except DomainError as error:
            show_domain_error(error, form)
    return render_detail(supplier_id, 422, **{name: form})


@roles_required(*CATALOG_WRITERS)
def add_contact(supplier_id: int):  # type: ignore[no-untyped-def]
    form = forms.ContactForm(prefix="contact")
    return _add(supplier_id, form, "contact_form", lambda: suppliers.add_contact(
        db.session, supplier_id, form_data(form), actor=web_actor()), "contacts")


@roles_required(*CATALOG_WRITERS)
def add_address(supplier_id: int):  # type: ignore[no-untyped-def]
    form = forms.AddressForm(prefix="address")
    return _add(supplier_id, form, "address_form", lambda: suppliers.add_address(
        db.session, supplier_id, form_data(form), actor=web_actor()), "addresses")


@roles_required(*CATALOG_WRITERS)
def upload_document(supplier_id: int):  # type: ignore[no-untyped-def]
    form = forms.DocumentForm(prefix="document")
    return _add(supplier_id, form, "document_form", lambda: certifications.store_document(
        db.session, supplier_id, data=form.file.data.read(), filename=form.file.data.filename or "",
        title=form.title.data or "", kind=form.kind.data, actor=web_actor()), "documents")


def _remove(supplier_id: int, work: Callable[[], Any], anchor: str):  # type: ignore[no-untyped-def]
    supplier_or_404(supplier_id)
    if forms.ActionForm().validate_on_submit():
        try:
            commit(work)
            flash("Removed.", "success")
        except NotFound:
            abort(404)
        except DomainError as error:
            show_domain_error(error)
    return redirect(url_for(".detail", supplier_id=supplier_id, _anchor=anchor))


@roles_required(*CATALOG_WRITERS)
def remove_contact(supplier_id: int, contact_id: int):  # type: ignore[no-untyped-def]
    return _remove(supplier_id, lambda: suppliers.remove_contact(db.session, supplier_id, contact_id,
                                                                 actor=web_actor()), "contacts")


@roles_required(*CATALOG_WRITERS)
def remove_address(supplier_id: int, address_id: int):  # type: ignore[no-untyped-def]
    return _remove(supplier_id, lambda: suppliers.remove_address(db.session, supplier_id, address_id,
                                                                 actor=web_actor()), "addresses")


@roles_required(*CATALOG_WRITERS)
def remove_certification(supplier_id: int, certification_id: int):  # type: ignore[no-untyped-def]
    return _remove(supplier_id, lambda: certifications.remove_certification(
        db.session, supplier_id, certification_id, actor=web_actor()), "certifications")


@roles_required(*CATALOG_WRITERS)
def certification_new(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier = supplier_or_404(supplier_id)
    form = forms.CertificationForm()
    upload = form.file.data if form.file.data and getattr(form.file.data, "filename", "") else None
    return save(form, lambda: certifications.add_certification(
        db.session, supplier.id, form_data(form, "file"), actor=web_actor(),
        file=upload.read() if upload else None, filename=upload.filename if upload else ""),
        lambda _c: url_for(".detail", supplier_id=supplier.id, _anchor="certifications"),
        lambda: render_template("suppliers/certification_form.html", form=form, supplier=supplier))


@roles_required(*STAFF)
def download_document(supplier_id: int, document_id: int):  # type: ignore[no-untyped-def]
    """Always as an attachment, with the type found by sniffing at upload and nosniff: never rendered inline."""
    document = db.session.get(SupplierDocument, document_id)
    if document is None or document.supplier_id != supplier_id:
        abort(404)
    response = send_file(BytesIO(document.content), mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
