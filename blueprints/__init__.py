"""User-facing areas. One explicit list: a blueprint not named here is not served."""
from __future__ import annotations

from flask import Blueprint, Flask

from blueprints import (
    admin,
    api,
    auth,
    input_guard,
    logistics,
    main,
    masterdata,
    planning,
    portal,
    purchasing,
    replenishment,
    spreadsheets,
    stock,
    suppliers,
)
from blueprints.errors import register_error_handlers
from blueprints.template_filters import register_template_filters

BLUEPRINTS: tuple[Blueprint, ...] = (
    auth.bp, main.bp, masterdata.bp, stock.bp, spreadsheets.bp, suppliers.bp, purchasing.bp, logistics.bp,
    replenishment.bp, planning.bp, admin.bp, portal.bp, api.bp,
)


def register_blueprints(app: Flask) -> None:
    """Guards and filters first (the rules bind to the bounded `int` converter when registered)."""
    input_guard.install(app)
    register_template_filters(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_handlers(app)
