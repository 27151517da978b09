from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from blueprints.forms import PlainDecimalField
from scm.models.logistics import EVENT_STATUSES
from scm.services.logistics.shipments import STATUS_LABELS


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


class CarrierForm(FlaskForm):
    """A carrier; the transit-days table is read as lists `service` and `days` (one pair per row)."""
    code = StringField("Code", validators=[DataRequired(), Length(max=20)],
                       description="Letters, digits, '-' or '_'; the webhook URL uses it.")
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    tracking_url_template = StringField("Tracking URL template", validators=[Length(max=300)],
                                        description="https://… with {tracking} where the tracking number goes.")
    event_interval_hours = IntegerField("Expected hours between events", default=48,
                                        validators=[DataRequired(), NumberRange(min=1, max=720)],
                                        description="An open shipment without an event for longer counts as delayed.")
    active = BooleanField("Active (offered for new shipments)", default=True)


class AttachForm(FlaskForm):
    shipment = StringField("Shipment id or tracking number", validators=[DataRequired(), Length(max=80)])
    set_tracking = BooleanField("Also give the shipment this tracking number (a typo in the notice)")


class DismissForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(min=3, max=300)],
                         description="E.g. not our shipment, test message.")


class OutboundForm(FlaskForm):
    """An outbound shipment; its lines are read as lists `sku` and `qty` (one pair per row)."""
    warehouse_id = SelectField("From warehouse", coerce=int)
    order_ref = StringField("Order reference", validators=[DataRequired(), Length(max=80)])
    customer = StringField("Customer", validators=[Length(max=120)])
    carrier_id = SelectField("Carrier", coerce=int)
    service = StringField("Service", validators=[Length(max=40)], default="standard")
    tracking_number = StringField("Tracking number", validators=[Length(max=80)])
    promised_date = DateField("Promised delivery", validators=[Optional()])
