from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from blueprints.forms import PlainDecimalField


class DraftLineForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    sku = StringField("SKU", validators=[Optional(), Length(max=64)])
    quantity = PlainDecimalField("Quantity", places=None, validators=[Optional(), NumberRange(min=0)])
    promised_date = DateField("Promised date", validators=[Optional()])
    unit_price = PlainDecimalField("Unit price", places=None, validators=[Optional(), NumberRange(min=0)])


class DraftForm(FlaskForm):
    supplier_id = SelectField("Supplier", coerce=int)
    warehouse_id = SelectField("Deliver to warehouse", coerce=int)
    currency = StringField("Currency", validators=[Optional(), Length(max=3)],
                           description="Left empty: the supplier's currency.")
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    lines = FieldList(FormField(DraftLineForm), min_entries=5, max_entries=100)


class ReasonForm(FlaskForm):
    reason = StringField("Reason", validators=[Length(max=500)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ReturnForm(FlaskForm):
    qty = PlainDecimalField("Quantity to return", places=None, validators=[NumberRange(min=0)])
    note = StringField("Note (RMA, carrier)", validators=[Length(max=500)])


class ReceiveForm(FlaskForm):
    """The CSRF token and a note; the per-line quantities are read by line id (received-<id>, ...)."""

    note = StringField("Delivery note", validators=[Length(max=500)])
