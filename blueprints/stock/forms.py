from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from scm.models.stock import ISSUE_REASONS

QTY = dict(places=3)


class _WarehouseChoice:
    """Forms whose warehouse selects are filled from the database at request time."""

    def set_warehouses(self, warehouses, *fields: str) -> None:  # type: ignore[no-untyped-def]
        choices = [(w.id, f"{w.code} — {w.name}") for w in warehouses]
        for name in fields:
            getattr(self, name).choices = choices


class ReceiveForm(FlaskForm, _WarehouseChoice):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse_id = SelectField("Warehouse", coerce=int)
    quantity = DecimalField("Quantity", validators=[DataRequired(), NumberRange(min=0.001)], **QTY)
    unit_cost = DecimalField("Unit cost (optional)", places=4, validators=[Optional(), NumberRange(min=0)])
    note = StringField("Note", validators=[Length(max=500)])


class IssueForm(FlaskForm, _WarehouseChoice):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse_id = SelectField("Warehouse", coerce=int)
    quantity = DecimalField("Quantity", validators=[DataRequired(), NumberRange(min=0.001)], **QTY)
    reason = SelectField("Reason", choices=[(r, r) for r in ISSUE_REASONS])
    note = StringField("Note", validators=[Length(max=500)])


class AdjustForm(FlaskForm, _WarehouseChoice):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse_id = SelectField("Warehouse", coerce=int)
    quantity = DecimalField("Change (negative to remove)", validators=[DataRequired()], **QTY)
    reason = StringField("Reason", validators=[DataRequired(), Length(max=32)])
    note = StringField("Note", validators=[Length(max=500)])


class LineForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    sku = StringField("SKU", validators=[Optional(), Length(max=64)])
    quantity = DecimalField("Quantity", validators=[Optional(), NumberRange(min=0)], **QTY)


class TransferForm(FlaskForm, _WarehouseChoice):
    from_warehouse_id = SelectField("From", coerce=int)
    to_warehouse_id = SelectField("To", coerce=int)
    lines = FieldList(FormField(LineForm), min_entries=5, max_entries=50)
    note = StringField("Note", validators=[Length(max=500)])


class CountForm(FlaskForm, _WarehouseChoice):
    warehouse_id = SelectField("Warehouse", coerce=int)
    lines = FieldList(FormField(LineForm), min_entries=8, max_entries=200)
    note = StringField("Note", validators=[Length(max=500)])


class ReserveForm(FlaskForm, _WarehouseChoice):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse_id = SelectField("Warehouse", coerce=int)
    quantity = DecimalField("Quantity", validators=[DataRequired(), NumberRange(min=0.001)], **QTY)
    reference = StringField("Reference (order, job…)", validators=[DataRequired(), Length(max=120)])


class ReverseForm(FlaskForm):
    note = StringField("Why", validators=[Length(max=500)])


class ReleaseForm(FlaskForm):
    reservation_id = IntegerField(validators=[Optional()])
