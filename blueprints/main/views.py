"""The home page: a dashboard for staff (suppliers go to the portal)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from blueprints.common import STAFF, roles_required
from scm.extensions import db
from scm.services import stock_queries

bp = Blueprint("main", __name__)


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("portal.home" if current_user.role == "supplier" else "main.dashboard"))


@bp.route("/dashboard")
@roles_required(*STAFF)
def dashboard():  # type: ignore[no-untyped-def]
    recent = list(db.session.execute(stock_queries.move_query().limit(10)))
    return render_template("main/dashboard.html", totals=stock_queries.totals(db.session),
                           stock_value=stock_queries.stock_value(db.session), recent=recent)


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return {"status": "ok"}
