"""Replenishment pages: stock-out warnings, suggested orders (arithmetic, edit, approve), policies.

Views translate; the rules live in scm.services.planning.replenishment*, stock_warnings and replenishment_policy.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.common import CATALOG_WRITERS, STAFF, commit, paginate, roles_required, show_domain_error, web_actor
from blueprints.replenishment import forms
from scm.extensions import db
from scm.models import Item, Warehouse, utcnow
from scm.services.kernel.errors import DomainError, NotFound
from scm.services.planning import approval as replenishment_approval
from scm.services.planning import figures as replenishment_figures
from scm.services.planning import policies as replenishment_policy
from scm.services.planning import replenishment
from scm.services.planning import warnings as stock_warnings
from scm.services.stock import masterdata


@roles_required(*STAFF)
def warnings():  # type: ignore[no-untyped-def]
    severity = request.args.get("severity") or None
    severity = severity if severity in stock_warnings.RANK else None
    warehouse_id = request.args.get("warehouse", type=int)
    page = paginate(stock_warnings.warnings_query(severity=severity, warehouse_id=warehouse_id))
    rows = stock_warnings.as_views(db.session, page.rows)
    return render_template("replenishment/warnings.html", rows=rows, page=page, counts=stock_warnings.counts(db.session),
                           warehouses=masterdata.list_warehouses(db.session, active_only=True),
                           run=replenishment_approval.latest_run(db.session), action=forms.ActionForm())


@roles_required(*CATALOG_WRITERS)
def acknowledge(warning_id: int):  # type: ignore[no-untyped-def]
    if forms.ActionForm().validate_on_submit():
        try:
            commit(lambda: stock_warnings.acknowledge(db.session, warning_id, actor=web_actor(), now=utcnow()))
            flash("Acknowledged: it stays listed until the projection recovers.", "success")
        except NotFound:
            abort(404)
        except DomainError as error:
            show_domain_error(error)
    return redirect(request.referrer or url_for(".warnings"))


@roles_required(*CATALOG_WRITERS)
def run_plan():  # type: ignore[no-untyped-def]
    if forms.ActionForm().validate_on_submit():
        now = utcnow()
        plan = commit(lambda: replenishment.plan(db.session, as_of=now.date(), actor=web_actor(), now=now))
        flash(f"Planned {plan.pairs} item-warehouse pair(s) in {plan.seconds:.1f} s: "
              f"{plan.suggestions} suggestion(s).", "success")
    return redirect(request.referrer or url_for(".suggestions"))


@roles_required(*STAFF)
def suggestions():  # type: ignore[no-untyped-def]
    warehouse_id = request.args.get("warehouse", type=int)
    page = paginate(replenishment_approval.suggestions_query(warehouse_id=warehouse_id))
    rows = list(page.rows)
    figures = {row[0].id: replenishment_figures.from_json(row[0].details) for row in rows}
    return render_template("replenishment/suggestions.html", rows=rows, page=page, choices=replenishment_approval.supplier_choices(
                               db.session, {row[0].item_id for row in rows if row[0].kind == "buy"}),
                           figures=figures,
                           warehouses=masterdata.list_warehouses(db.session, active_only=True),
                           run=replenishment_approval.latest_run(db.session), action=forms.ActionForm())


def _save_and_approve(selected: list[int], approve: bool) -> replenishment_approval.ApprovalResult | int:
    """Store the page's edits, then approve the selected lines (one transaction; the service decides)."""
    edits = {int(key[4:]): (value, request.form.get(f"supplier-{key[4:]}", type=int))
             for key, value in request.form.items() if key.startswith("qty-") and key[4:].isdigit()}
    changed = replenishment_approval.save_edits(db.session, edits, actor=web_actor())
    if approve:
        return replenishment_approval.approve(db.session, selected, actor=web_actor(), now=utcnow())
    return changed


@roles_required(*CATALOG_WRITERS)
def update_suggestions():  # type: ignore[no-untyped-def]
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("do")
    selected = [int(v) for v in request.form.getlist("shown" if action == "approve_all" else "select") if v.isdigit()]
    approve = action in ("approve", "approve_all")
    back = url_for(".suggestions", **{k: v for k in ("warehouse", "page") if (v := request.args.get(k))})
    try:
        result = commit(lambda: _save_and_approve(selected, approve))
    except (DomainError, ArithmeticError, ValueError) as error:
        if isinstance(error, DomainError):
            show_domain_error(error)
        else:
            flash("Quantities must be numbers.", "error")
        return redirect(back)
    if isinstance(result, int):
        flash(f"Saved {result} change(s).", "success")
    else:
        for warning in result.warnings:
            flash(warning, "info")
        numbers = ", ".join(o.number for o in result.orders)
        flash(f"Created {len(result.orders)} draft order(s){': ' + numbers if numbers else ''}"
              f"{f' and shipped {len(result.transfers)} transfer(s)' if result.transfers else ''}.", "success")
    return redirect(back)


@roles_required(*STAFF)
def policies():  # type: ignore[no-untyped-def]
    q = (request.args.get("q") or "").strip()
    warehouse_id = request.args.get("warehouse", type=int)
    rows = replenishment_policy.policy_rows(db.session, q=q, warehouse_id=warehouse_id, limit=150)
    return render_template("replenishment/policies.html", rows=rows, q=q,
                           warehouses=masterdata.list_warehouses(db.session, active_only=True))


@roles_required(*CATALOG_WRITERS)
def edit_policy(item_id: int, warehouse_id: int):  # type: ignore[no-untyped-def]
    item, warehouse = db.session.get(Item, item_id), db.session.get(Warehouse, warehouse_id)
    if item is None or warehouse is None:
        abort(404)
    current = replenishment_policy.get_policy(db.session, item_id, warehouse_id)
    form = forms.PolicyForm(data={} if request.method == "POST" else {
        "service_level": f"{current.service_level.normalize():f}" if current.stored else "",
        "review_period_days": current.review_period_days if current.stored else None,
        "min_cover_days": current.min_cover_days if current.stored else None,
        "safety_method": current.safety_method, "auto_order": current.auto_order})
    if form.validate_on_submit():
        try:
            commit(lambda: replenishment_policy.set_policy(db.session, item_id, warehouse_id, {
                k: form.data[k] for k in ("service_level", "review_period_days", "min_cover_days", "safety_method",
                                          "auto_order")}, actor=web_actor()))
            flash(f"Policy of {item.sku} in {warehouse.code} saved.", "success")
            return redirect(url_for(".policies", q=item.sku))
        except DomainError as error:
            show_domain_error(error, form)
    return render_template("replenishment/policy_edit.html", form=form, item=item, warehouse=warehouse,
                           current=current), (422 if request.method == "POST" else 200)
