"""The home page: a dashboard by role (suppliers go to the portal), and /healthz."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from blueprints.common import STAFF, roles_required
from blueprints.main.charts import bar_chart
from scm.extensions import db
from scm.models import utcnow
from scm.services import dashboard as panels_service

bp = Blueprint("main", __name__)


def _figures() -> panels_service.FigureCache:
    """The app's cache of slow dashboard figures (one per app and process; see the service)."""
    return current_app.extensions.setdefault("scm_dashboard_figures", panels_service.FigureCache())


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("portal.home" if current_user.role == "supplier" else "main.dashboard"))


@bp.route("/dashboard")
@roles_required(*STAFF, "supplier")
def dashboard():  # type: ignore[no-untyped-def]
    if current_user.role == "supplier":
        return redirect(url_for("portal.home"))
    ctx = panels_service.DashboardContext(now=utcnow(), role=current_user.role, user_id=current_user.id)
    panels = panels_service.panels_for(db.session, ctx, cache=_figures())
    return render_template("main/dashboard.html", panels=panels, now=ctx.now, bar_chart=bar_chart,
                           cached_minutes=panels_service.CACHED_SECONDS // 60)


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return {"status": "ok"}
