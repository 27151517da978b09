from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ItemForm(FlaskForm):
    sku = StringField("SKU", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    uom = SelectField("Unit of measure", choices=[])  # filled from the units table by the view
    category = StringField("Category", validators=[Length(max=80)])
    unit_cost = DecimalField("Unit cost", places=4, validators=[Optional(), NumberRange(min=0)])
    abc_class = SelectField("ABC class", choices=[("A", "A"), ("B", "B"), ("C", "C")])
    is_core = BooleanField("Core item (needs a primary and a backup supplier)")
    active = BooleanField("Active", default=True)


    def set_units(self, units) -> None:  # type: ignore[no-untyped-def]
        rule = {0: "whole numbers", 1: "1 decimal"}
        self.uom.choices = [(u.code, f"{u.code} — {u.name} ({rule.get(u.decimals, f'{u.decimals} decimals')})")
                            for u in units]
        if self.uom.data is None:
            self.uom.data = "ea"  # a new item's usual unit


class WarehouseForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=16)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    address = TextAreaField("Address", validators=[Length(max=400)])
    latitude = FloatField("Latitude", validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)])
    active = BooleanField("Active", default=True)
