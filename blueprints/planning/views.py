"""Planning: forecast runs and their accuracy, one item's forecast explained, promotions."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import CATALOG_WRITERS, STAFF, commit, paginate, roles_required, show_domain_error, web_actor
from blueprints.planning.charts import ChartData, forecast_chart, policy_chart
from blueprints.planning.forms import FindForm, PromotionForm
from blueprints.planning.projection_chart import projection_chart
from scm.extensions import db
from scm.models import Item, Promotion, Warehouse, utcnow
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.planning import demand, demand_totals, simulation
from scm.services.planning import forecast_runs as forecasts
from scm.services.planning import projection as replenishment_projection
from scm.services.stock import masterdata


def _warehouse_choices() -> list[tuple[int, str]]:
    return [(w.id, w.code) for w in masterdata.list_warehouses(db.session, active_only=True)]


@roles_required(*STAFF)
def index():  # type: ignore[no-untyped-def]
    find = FindForm(request.args)
    find.warehouse.choices = _warehouse_choices()
    if request.args.get("sku"):
        item = db.session.query(Item).filter_by(sku=request.args["sku"].strip()).one_or_none()
        if item is not None:
            return redirect(url_for(".forecast", item_id=item.id, warehouse_id=find.warehouse.data))
        flash(f"No item with SKU '{request.args['sku']}'.", "error")
    latest = forecasts.latest_run(db.session)
    runs = forecasts.recent_runs(db.session)
    sim = simulation.latest_run(db.session)
    return render_template("planning/index.html", runs=runs, latest=latest, find=find, sim=sim,
                           sim_chart=_simulation_chart(sim),
                           running=any(r.status == "running" for r in runs),
                           worst=forecasts.ranked(db.session, latest.id, by="mase") if latest else [],
                           biased=forecasts.ranked(db.session, latest.id, by="bias") if latest else [])


def _simulation_chart(sim):  # type: ignore[no-untyped-def]
    """Average inventory of both policies, at the nominal factor and at the calibrated (equal) fill rate."""
    if sim is None or not sim.series_total:
        return None
    rows = [(f"{label} ({stage})", s["avg_on_hand"], s["fill_rate"], cls)
            for stage in ("nominal", "calibrated")
            for policy, label, cls in (("forecast", "Forecast policy", "chart-policy"), ("minmax", "Min/max", "chart-minmax"))
            for s in [sim.summary[stage][policy]]]
    return policy_chart(rows, title="Average inventory and fill rate of both policies")


@roles_required(*STAFF)
def forecast(item_id: int, warehouse_id: int):  # type: ignore[no-untyped-def]
    item = db.session.get(Item, item_id) or abort(404)
    warehouse = db.session.get(Warehouse, warehouse_id) or abort(404)
    now = utcnow()
    recent = [(days, demand_totals.Window(now, days).first_day,
               demand_totals.key_demand(db.session, item.id, warehouse.id, now=now, days=days))
              for days in demand_totals.PLANNING_WINDOWS]
    try:
        row = forecasts.forecast_for(db.session, item.id, warehouse.id)
    except NotFound as missing:
        return render_template("planning/forecast.html", item=item, warehouse=warehouse, row=None,
                               message=missing.message, recent=recent), 404
    today = now.date()
    history = forecasts.history_series(db.session, item.id, warehouse.id, row.freq, as_of=row.history_end)
    promos = [(p.starts_on, p.ends_on) for p, _sku, _wh in db.session.execute(
        demand.promotions_query().where(Promotion.item_id == item.id, Promotion.warehouse_id == warehouse.id))]
    missing = history.missing or (False,) * len(history.values)
    chart = forecast_chart(ChartData(history.period_starts or (), history.values, missing,
                                     tuple(row.period_starts), tuple(row.mean), tuple(row.lo80), tuple(row.hi80),
                                     tuple(row.lo95), tuple(row.hi95), tuple(promos)),
                           title=f"Demand and forecast of {item.sku} in {warehouse.code}")
    projection, projection_note = _projection(item, warehouse, today)
    return render_template("planning/forecast.html", item=item, warehouse=warehouse, row=row, chart=chart,
                           past=forecasts.forecast_vs_actual(db.session, item.id, warehouse.id, as_of=today),
                           message=None, recent=recent, projection=projection, projection_note=projection_note,
                           projection_svg=projection_chart(projection, title=f"Projected stock of {item.sku} in "
                                                           f"{warehouse.code}") if projection else None)


def _projection(item: Item, warehouse: Warehouse, today: date):  # type: ignore[no-untyped-def]
    """The plan's projection of the pair from today, or why there is none (an inactive item or warehouse)."""
    try:
        return replenishment_projection.projection_for(db.session, item.id, warehouse.id, as_of=today), None
    except NotFound as missing:
        return None, missing.message


def _promotions_page(form: PromotionForm, status: int = 200):  # type: ignore[no-untyped-def]
    since = date.fromordinal(utcnow().date().toordinal() - 90)
    return render_template("planning/promotions.html", form=form,
                           page=paginate(demand.promotions_query(upcoming_from=since))), status


@roles_required(*STAFF)
def promotions():  # type: ignore[no-untyped-def]
    form = PromotionForm()
    form.warehouse_id.choices = _warehouse_choices()
    return _promotions_page(form)


@roles_required(*CATALOG_WRITERS)
def promotion_create():  # type: ignore[no-untyped-def]
    form = PromotionForm()
    form.warehouse_id.choices = _warehouse_choices()
    if form.validate_on_submit():
        try:
            commit(lambda: demand.create_promotion(db.session, {
                "item_id": masterdata.item_id_for_sku(db.session, form.sku.data),
                "warehouse_id": form.warehouse_id.data, "starts_on": form.starts_on.data,
                "ends_on": form.ends_on.data, "uplift": form.uplift.data, "note": form.note.data},
                actor=web_actor()))
            flash("Promotion planned; the next forecast run will use it.", "success")
            return redirect(url_for(".promotions"))
        except DomainError as error:
            show_domain_error(error, form)
    return _promotions_page(form, 422)
