from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.suppliers.forms import PlainDecimalField
from scm.models.logistics import EVENT_STATUSES
from scm.services.logistics import STATUS_LABELS


class EventForm(FlaskForm):
    status = SelectField("Status", choices=[(s, STATUS_LABELS[s]) for s in EVENT_STATUSES], default="in_transit")
    occurred_at = StringField("When (UTC, YYYY-MM-DD HH:MM)", validators=[Optional(), Length(max=20)],
                              description="Left empty: now.")
    location = StringField("Location", validators=[Length(max=120)])
    reason = StringField("Reason", validators=[Length(max=300)], description="Required for an exception.")
    eta = DateField("New ETA", validators=[Optional()])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class TransferForm(FlaskForm):
    from_warehouse_id = SelectField("From warehouse", coerce=int)
    to_warehouse_id = SelectField("To warehouse", coerce=int)
    sku = StringField("SKU", validators=[DataRequired(), Length(max=64)])
    quantity = PlainDecimalField("Quantity", places=None, validators=[DataRequired()])
    carrier_id = SelectField("Carrier", coerce=int)
    service = StringField("Service", validators=[Length(max=40)], default="standard")
    tracking_number = StringField("Tracking number", validators=[Length(max=80)])
    promised_date = DateField("Promised date", validators=[Optional()])


class InboundForm(FlaskForm):
    """A buyer enters an inbound shipment for a PO; per-line quantities are read as qty-<line id>."""
    carrier_id = SelectField("Carrier", coerce=int)
    carrier = StringField("Other carrier", validators=[Length(max=80)], description="When it is not in the list.")
    service = StringField("Service", validators=[Length(max=40)], default="standard")
    tracking_number = StringField("Tracking number", validators=[Length(max=80)])
    ship_date = DateField("Ship date", validators=[Optional()])
    promised_date = DateField("Promised arrival", validators=[Optional()])
