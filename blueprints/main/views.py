"""The home page: a dashboard by role (suppliers go to the portal), and /healthz."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from blueprints.common import STAFF, roles_required
from blueprints.main.charts import bar_chart
from scm.extensions import db
from scm.models import utcnow
from scm.services.dashboard import panels as panels_service
from scm.services.dashboard import snapshots as dashboard_snapshots


def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("portal.home" if current_user.role == "supplier" else "main.dashboard"))


@roles_required(*STAFF, "supplier")
def dashboard():  # type: ignore[no-untyped-def]
    if current_user.role == "supplier":
        return redirect(url_for("portal.home"))
    ctx = panels_service.DashboardContext(now=utcnow(), role=current_user.role, user_id=current_user.id)
    snapshots = dashboard_snapshots.latest(db.session)
    panels = panels_service.panels_for(db.session, ctx, snapshots=snapshots)
    return render_template("main/dashboard.html", panels=panels, now=ctx.now, bar_chart=bar_chart,
                           snapshots=snapshots)


def healthz():  # type: ignore[no-untyped-def]
    return {"status": "ok"}
