"""The supplier portal. A supplier user sees only their own company; the id comes from the session."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from blueprints.common import roles_required

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/")
@roles_required("supplier")
def home():  # type: ignore[no-untyped-def]
    return render_template("portal/home.html", supplier=current_user.supplier)
