"""Forms of the replenishment pages (CSRF through Flask-WTF)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class PolicyForm(FlaskForm):
    service_level = StringField("Target service level %", validators=[Optional(), Length(max=8)],
                                description="Empty: by ABC class (A 98 %, B 95 %, C 90 %).")
    review_period_days = IntegerField("Review period (days)", validators=[Optional(), NumberRange(min=1, max=90)],
                                      description="Empty: 7 days.")
    min_cover_days = IntegerField("Minimum days of cover", validators=[Optional(), NumberRange(min=0, max=90)],
                                  description="Below it a warning is always raised. Empty: 3 days.")
    safety_method = SelectField("Safety stock", choices=[
        ("formula", "Formula: z·√(L·σd² + d²·σL²)"), ("backtest", "Forecast backtest error over the lead time")])
    auto_order = BooleanField("Auto-order: the nightly plan drafts and sends orders within my approval limit")
