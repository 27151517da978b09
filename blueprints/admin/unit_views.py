"""Admin: units of measure (code, name, how many decimals a quantity in the unit may have)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.admin.forms import UnitEditForm, UnitForm
from blueprints.common import ADMIN, commit, roles_required, show_domain_error, web_actor
from scm.extensions import db
from scm.models import UnitOfMeasure
from scm.services.kernel.errors import DomainError
from scm.services.stock import units as units_of_measure


def _list(form: UnitForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("admin/units.html", form=form,
                           units=units_of_measure.list_units(db.session)), status


@roles_required(*ADMIN)
def units():  # type: ignore[no-untyped-def]
    return _list(UnitForm())


@roles_required(*ADMIN)
def unit_create():  # type: ignore[no-untyped-def]
    form = UnitForm()
    if form.validate_on_submit():
        data = {"code": form.code.data, "name": form.name.data, "decimals": form.decimals.data}
        try:
            unit = commit(lambda: units_of_measure.create_unit(db.session, data, actor=web_actor()))
            flash(f"Unit {unit.code} added: {units_of_measure.decimals_rule(unit.decimals)}.", "success")
            return redirect(url_for(".units"))
        except DomainError as error:
            show_domain_error(error, form)
    return _list(form, 422)


@roles_required(*ADMIN)
def unit_edit(code: str):  # type: ignore[no-untyped-def]
    unit = db.session.get(UnitOfMeasure, code) or abort(404)
    form = UnitEditForm(obj=unit) if request.method == "GET" else UnitEditForm()
    if request.method == "GET":
        form.decimals.data = str(unit.decimals)
    if form.validate_on_submit():
        data = {"name": form.name.data, "decimals": form.decimals.data}
        try:
            commit(lambda: units_of_measure.update_unit(db.session, unit, data, actor=web_actor()))
            flash(f"Unit {unit.code} saved: {units_of_measure.decimals_rule(unit.decimals)}.", "success")
            return redirect(url_for(".units"))
        except DomainError as error:
            show_domain_error(error, form)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/unit_form.html", form=form, unit=unit), status
