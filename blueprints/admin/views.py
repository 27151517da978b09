"""Admin: people and roles, the audit log."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from blueprints.admin.forms import AuditFilterForm, UserForm
from blueprints.common import ADMIN, commit, paginate, roles_required, show_domain_error, web_actor
from scm.extensions import db
from scm.models import Supplier, User, utcnow
from scm.services.kernel import accounts, audit
from scm.services.kernel.errors import DomainError, ValidationFailed


@roles_required(*ADMIN)
def users():  # type: ignore[no-untyped-def]
    stmt = select(User).order_by(User.role, User.email)
    return render_template("admin/users.html", page=paginate(stmt, scalars=True))


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user)
    form.supplier_id.choices = [(0, "—")] + [
        (s.id, f"{s.code} — {s.name}") for s in db.session.scalars(select(Supplier).order_by(Supplier.code))]
    if user is not None and request.method == "GET":
        form.supplier_id.data = user.supplier_id or 0
    return form


def _data(form: UserForm) -> dict[str, Any]:
    return {"email": form.email.data, "name": form.name.data, "role": form.role.data,
            "supplier_id": form.supplier_id.data or None, "active": form.active.data,
            "approval_limit": form.approval_limit.data or 0}


@roles_required(*ADMIN)
def user_new():  # type: ignore[no-untyped-def]
    form = _user_form(None)
    if form.validate_on_submit():
        try:
            if not form.password.data:
                raise ValidationFailed({"password": ["a new account needs a first password"]})
            user = commit(lambda: accounts.create_user(db.session, _data(form), password=form.password.data,
                                                       actor=web_actor()))
            flash(f"Account {user.email} created.", "success")
            return redirect(url_for(".users"))
        except DomainError as error:
            show_domain_error(error, form)
    return render_template("admin/user_form.html", form=form, user=None), 422 if form.errors else 200


@roles_required(*ADMIN)
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        def work() -> None:
            accounts.update_user(db.session, user, _data(form), actor=web_actor(), now=utcnow())
            if form.password.data:
                accounts.set_password(db.session, user, form.password.data, actor=web_actor(), now=utcnow())
        try:
            commit(work)
            flash("Saved.", "success")
            return redirect(url_for(".users"))
        except DomainError as error:
            show_domain_error(error, form)
    return render_template("admin/user_form.html", form=form, user=user), 422 if form.errors else 200


@roles_required(*ADMIN)
def audit_log():  # type: ignore[no-untyped-def]
    form = AuditFilterForm(request.args)
    stmt = audit.query(entity_type=form.entity_type.data or "", actor=form.actor.data or "",
                       action=form.action.data or "", entity_id=request.args.get("entity_id", ""))
    return render_template("admin/audit.html", form=form, page=paginate(stmt, scalars=True))
