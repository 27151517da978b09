from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from scm.models.stock import ISSUE_REASONS

QTY = dict(places=3)


class _WarehouseChoice:
    """Forms whose warehouse selects are filled from the database at request time."""

    def set_warehouses(self, warehouses, *fields: str, placeholder: str = "") -> None:  # type: ignore[no-untyped-def]
        """The warehouse choices; with a placeholder first, nothing is chosen until the person chooses."""
        choices = ([("", placeholder)] if placeholder else []) + [(w.id, f"{w.code} — {w.name}") for w in warehouses]
        for name in fields:
            getattr(self, name).choices = choices


def _warehouse_id(value):  # type: ignore[no-untyped-def]
    """A chosen warehouse id, or None for the placeholder (DataRequired then names the field)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
    """A count names its warehouse explicitly (no default, nothing remembered): counting one warehouse
    into another wipes its stock out. `stage` walks edit → review → large (second confirmation)."""

    warehouse_id = SelectField("Warehouse counted", coerce=_warehouse_id, validate_choice=False,
                               validators=[DataRequired("choose the warehouse you counted")])
    lines = FieldList(FormField(LineForm), min_entries=8, max_entries=200)
    note = StringField("Note", validators=[Length(max=500)])
    stage = HiddenField()        # "" (new), "review" (differences shown), "large" (large ones shown), "edit"
    reviewed = HiddenField()     # token of the review the person saw
    large_token = HiddenField()  # token of the large lines the person confirmed


class ReserveForm(FlaskForm, _WarehouseChoice):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse_id = SelectField("Warehouse", coerce=int)
    quantity = DecimalField("Quantity", validators=[DataRequired(), NumberRange(min=0.001)], **QTY)
    reference = StringField("Reference (order, job…)", validators=[DataRequired(), Length(max=120)])


class ReverseForm(FlaskForm):
    note = StringField("Why", validators=[Length(max=500)])


class ReleaseForm(FlaskForm):
    reservation_id = IntegerField(validators=[Optional()])
