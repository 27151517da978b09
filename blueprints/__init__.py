"""User-facing areas. One explicit list: a blueprint not named here is not served."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from blueprints import input_guard
    input_guard.install(app)  # before any route is added: the bounded int converter must be in place
    from blueprints.template_filters import register_template_filters
    register_template_filters(app)
    from blueprints.admin.views import bp as admin_bp
    from blueprints.api import bp as api_bp
    from blueprints.auth.views import bp as auth_bp
    from blueprints.errors import register_error_handlers
    from blueprints.logistics.views import bp as logistics_bp
    from blueprints.main.views import bp as main_bp
    from blueprints.masterdata.views import bp as masterdata_bp
    from blueprints.planning.views import bp as planning_bp
    from blueprints.portal.views import bp as portal_bp
    from blueprints.purchasing.views import bp as purchasing_bp
    from blueprints.replenishment.views import bp as replenishment_bp
    from blueprints.spreadsheets.views import bp as spreadsheets_bp
    from blueprints.stock.views import bp as stock_bp
    from blueprints.suppliers.views import bp as suppliers_bp

    for blueprint in (auth_bp, main_bp, masterdata_bp, stock_bp, spreadsheets_bp, suppliers_bp, purchasing_bp, logistics_bp, replenishment_bp, planning_bp, admin_bp, portal_bp, api_bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
