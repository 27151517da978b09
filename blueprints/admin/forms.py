from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from scm.models.users import ROLES


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=[(r, r) for r in ROLES])
    supplier_id = SelectField("Supplier (for supplier users)", coerce=int)
    approval_limit = DecimalField("PO approval limit", places=2, validators=[Optional(), NumberRange(min=0)])
    active = BooleanField("Active", default=True)
    password = PasswordField("Password (new users, or to reset)", validators=[Optional(), Length(min=10)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    entity_type = StringField("Entity")
    actor = StringField("Who")
    action = StringField("Action")


class UnitForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=16)])
    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    decimals = SelectField("Decimals allowed", choices=[("0", "0 — whole numbers only"), ("1", "1"), ("2", "2"),
                                                        ("3", "3")], validate_choice=False)


class UnitEditForm(UnitForm):
    code = None  # type: ignore[assignment]  # fixed once created: items refer to it
