"""Jinja filters: every number a page shows goes through scm.formatting (one module for pages,
e-mails, PDFs and exports). `_macros.html` wraps them as fmt_money / fmt_price / fmt_qty / fmt_delta."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g

from scm import formatting
from scm.extensions import db
from scm.services.stock import units as units_of_measure


def _locale() -> str:
    return current_app.config.get("SCM_LOCALE") or formatting.DEFAULT_LOCALE


def _unit_decimals(unit: str | None) -> int | None:
    """Decimals the unit of measure allows (the units table, read once per request); None (the
    ledger's 3) when no unit is given or the unit is not registered."""
    if not unit:
        return None
    if "unit_decimals" not in g:
        g.unit_decimals = {u.code: u.decimals for u in units_of_measure.list_units(db.session)}
    return g.unit_decimals.get(unit)


def register_template_filters(app: Flask) -> None:
    filters: dict[str, Any] = {
        "money": lambda value, currency=None, code=True: formatting.money(value, currency, code=code,
                                                                            locale=_locale()),
        "unit_price": lambda value, currency=None, code=True: formatting.unit_price(value, currency, code=code,
                                                                                   locale=_locale()),
        "qty": lambda value, unit=None: formatting.quantity(value, _unit_decimals(unit), locale=_locale()),
        "signed_qty": lambda value, unit=None: formatting.signed_quantity(value, _unit_decimals(unit),
                                                                          locale=_locale()),
        "days": lambda value: formatting.days(value, locale=_locale()),
        "pct": lambda value, places=1: formatting.percent(value, places, locale=_locale()),
        "num": lambda value, places=0: formatting.number(value, places, locale=_locale()),
    }
    app.jinja_env.filters.update(filters)
    # Item costs and stock values are in the base currency (the one approval limits are set in).
    app.jinja_env.globals["base_currency"] = app.config.get("SCM_BASE_CURRENCY") or "USD"
