from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class PromotionForm(FlaskForm):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse_id = SelectField("Warehouse", coerce=int)
    starts_on = DateField("First day", validators=[DataRequired()])
    ends_on = DateField("Last day", validators=[DataRequired()])
    uplift = FloatField("Expected uplift (0.3 = +30%)", validators=[DataRequired(), NumberRange(-0.99, 10)])
    note = StringField("Note", validators=[Length(max=200)])


class FindForm(FlaskForm):
    class Meta:
        csrf = False

    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    warehouse = SelectField("Warehouse", coerce=int)
