"""Portal forms. Each exposes only what a supplier may say: no price, status, received quantity or
supplier id is ever read from a portal request. Per-line inputs (qty-<line id>, date-<line id>) are
read by the view for the lines of the supplier's own order only."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ConfirmForm(FlaskForm):
    note = TextAreaField("Note to the buyer", validators=[Optional(), Length(max=500)])


class RejectForm(FlaskForm):
    reason = TextAreaField("Why can you not take this order?", validators=[DataRequired(), Length(max=500)])


class NoticeForm(FlaskForm):
    carrier = StringField("Carrier", validators=[DataRequired(), Length(max=80)])
    tracking_number = StringField("Tracking number", validators=[DataRequired(), Length(max=80)])
    ship_date = DateField("Ship date", validators=[DataRequired()])
    expected_arrival = DateField("Expected arrival", validators=[DataRequired()])


class CertificateForm(FlaskForm):
    cert_type = StringField("Certificate type", validators=[DataRequired(), Length(max=64)],
                            description="ISO 9001, FSSC 22000, IATF 16949…")
    number = StringField("Certificate number", validators=[Length(max=80)])
    issued_on = DateField("Issued on", validators=[DataRequired()])
    expires_on = DateField("Expires on", validators=[DataRequired()], description="The last day it is valid.")
    file = FileField("Certificate file", description="PDF, PNG or JPEG, up to 10 MB.")


class ShipmentUpdateForm(FlaskForm):
    """A supplier's update of its own inbound shipment; it cannot say "delivered" (our receipt does)."""
    status = SelectField("Status", choices=[("in_transit", "In transit"), ("picked_up", "Picked up"),
                                            ("at_hub", "At hub"), ("out_for_delivery", "Out for delivery"),
                                            ("exception", "Problem (exception)")])
    eta = DateField("New expected arrival", validators=[Optional()])
    reason = StringField("Reason / note", validators=[Length(max=300)], description="Required for a problem.")
