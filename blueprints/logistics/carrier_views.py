"""Carrier pages (admin and buyer): the list, add a carrier, edit one. The transit-days table is posted
as parallel lists `service` / `days`; the rules (placeholder, services, hours) live in
scm.services.logistics.carriers."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import CATALOG_WRITERS, commit, roles_required, show_domain_error, web_actor
from blueprints.logistics import forms
from scm.extensions import db
from scm.models import Carrier
from scm.services.kernel.errors import DomainError, NotFound, ValidationFailed
from scm.services.logistics import carriers as logistics_carriers
from scm.services.logistics import shipments as logistics

BLANK_ROWS = 3


def _posted_rows() -> list[tuple[str, str]]:
    services, days = request.form.getlist("service"), request.form.getlist("days")
    return [(s, d) for s, d in zip(services, days + [""] * (len(services) - len(days)))]


def _table_rows(carrier: Carrier | None) -> list[tuple[str, str]]:
    rows = _posted_rows() if request.method == "POST" else \
        [(k, str(v)) for k, v in sorted((carrier.transit_days or {}).items())] if carrier else [("standard", "3")]
    return [r for r in rows if r[0].strip() or r[1].strip()] + [("", "")] * BLANK_ROWS


def _form_data(form: forms.CarrierForm) -> dict[str, Any]:
    return {"code": form.code.data, "name": form.name.data, "tracking_url_template": form.tracking_url_template.data,
            "event_interval_hours": form.event_interval_hours.data, "active": bool(form.active.data),
            "transit_days": _posted_rows()}


def _save(form: forms.CarrierForm, carrier: Carrier | None) -> tuple[Any, dict]:
    """(a redirect, {}) when saved, else (None, the field errors to show)."""
    if not form.validate_on_submit():
        return None, {}
    try:
        data = _form_data(form)
        if carrier is None:
            saved = commit(lambda: logistics_carriers.create_carrier(db.session, data, actor=web_actor()))
        else:
            saved = commit(lambda: logistics_carriers.update_carrier(db.session, carrier.id, data, actor=web_actor()))
        flash(f"Carrier {saved.code} saved.", "success")
        return redirect(url_for("logistics.carriers")), {}
    except DomainError as error:
        show_domain_error(error, form)
        return None, error.field_errors if isinstance(error, ValidationFailed) else {}


def _page(form: forms.CarrierForm, carrier: Carrier | None, errors: dict):  # type: ignore[no-untyped-def]
    return render_template("logistics/carrier_form.html", form=form, carrier=carrier, rows=_table_rows(carrier),
                           errors=errors), 422 if request.method == "POST" else 200


@roles_required(*CATALOG_WRITERS)
def carriers():  # type: ignore[no-untyped-def]
    return render_template("logistics/carriers.html", carriers=logistics.list_carriers(db.session, active_only=False))


@roles_required(*CATALOG_WRITERS)
def new_carrier():  # type: ignore[no-untyped-def]
    form = forms.CarrierForm()
    done, errors = _save(form, None)
    return done or _page(form, None, errors)


@roles_required(*CATALOG_WRITERS)
def edit_carrier(carrier_id: int):  # type: ignore[no-untyped-def]
    try:
        carrier = logistics_carriers.get_carrier(db.session, carrier_id)
    except NotFound:
        abort(404)
    form = forms.CarrierForm(obj=carrier)
    done, errors = _save(form, carrier)
    return done or _page(form, carrier, errors)
