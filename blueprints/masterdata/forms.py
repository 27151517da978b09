from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from scm.models.catalog import UNITS


class ItemForm(FlaskForm):
    sku = StringField("SKU", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    uom = SelectField("Unit of measure", choices=[(u, u) for u in UNITS])
    category = StringField("Category", validators=[Length(max=80)])
    unit_cost = DecimalField("Unit cost", places=4, validators=[Optional(), NumberRange(min=0)])
    abc_class = SelectField("ABC class", choices=[("A", "A"), ("B", "B"), ("C", "C")])
    is_core = BooleanField("Core item (needs a primary and a backup supplier)")
    active = BooleanField("Active", default=True)


class WarehouseForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=16)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    address = TextAreaField("Address", validators=[Length(max=400)])
    latitude = FloatField("Latitude", validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)])
    active = BooleanField("Active", default=True)
