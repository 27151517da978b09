"""Scorecards: the ranking, one supplier's scorecard with its trend, and the weights (admins)."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for

from blueprints.common import (
    ADMIN,
    CATALOG_WRITERS,
    STAFF,
    commit,
    roles_required,
    show_domain_error,
    sort_args,
    web_actor,
)
from blueprints.suppliers import charts, forms
from blueprints.suppliers._shared import form_data, supplier_or_404, today
from scm.extensions import db
from scm.services.kernel.errors import DomainError
from scm.services.suppliers import scorecards


def _kind() -> str:
    return "quarter" if request.args.get("period") == "quarter" else "month"


def _start() -> date | None:
    try:
        return date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        return None


@roles_required(*STAFF)
def scorecards_ranking():  # type: ignore[no-untyped-def]
    sort, descending = sort_args("-overall")
    kind = _kind()
    start, rows = scorecards.ranking(db.session, kind, _start(), sort, descending)
    return render_template("suppliers/scorecards.html", rows=rows, start=start, kind=kind, sort=sort,
                           descending=descending, periods=scorecards.available_periods(db.session, kind),
                           metrics=scorecards.METRICS, labels=scorecards.METRIC_SHORT,
                           settings=scorecards.get_settings(db.session), action_form=forms.ActionForm(),
                           standing_label=scorecards.standing_label, evidence=scorecards.evidence_text)


@roles_required(*STAFF)
def scorecard(supplier_id: int):  # type: ignore[no-untyped-def]
    supplier = supplier_or_404(supplier_id)
    settings = scorecards.get_settings(db.session)
    months = scorecards.history(db.session, supplier.id, "month")
    chosen = next((s for s in months if s.period_start == _start()), None) or (months[-1] if months else None)
    labels = [scorecards.period_label(s) for s in months]
    return render_template("suppliers/scorecard.html", supplier=supplier, months=months, chosen=chosen,
                           quarters=scorecards.history(db.session, supplier.id, "quarter"),
                           chart=charts.trend(months, labels, scorecards.settings_values(settings)),
                           rows=scorecards.metric_rows(chosen, dict(settings.weights), settings) if chosen else [],
                           label=scorecards.period_label, settings=settings, standing_label=scorecards.standing_label)


@roles_required(*ADMIN)
def scorecard_settings():  # type: ignore[no-untyped-def]
    values = scorecards.settings_values(scorecards.get_settings(db.session))
    form = forms.SettingsForm(data=values) if request.method == "GET" else forms.SettingsForm()
    if form.validate_on_submit():
        try:
            commit(lambda: scorecards.update_settings(db.session, form_data(form), actor=web_actor(), as_of=today()))
            flash("Weights and thresholds saved; scorecards recomputed.", "success")
            return redirect(url_for(".scorecards_ranking"))
        except DomainError as error:
            show_domain_error(error, form)
    return render_template("suppliers/settings.html", form=form, metrics=scorecards.METRICS), \
        (422 if request.method == "POST" else 200)


@roles_required(*CATALOG_WRITERS)
def refresh_scorecards():  # type: ignore[no-untyped-def]
    if forms.ActionForm().validate_on_submit():
        result = commit(lambda: scorecards.refresh(db.session, today()))
        flash(f"Scorecards recomputed: {result.active} period(s) with activity across {result.suppliers} "
              "supplier(s).", "success")
    return redirect(url_for(".scorecards_ranking"))
