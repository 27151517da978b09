from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from blueprints.forms import PlainDecimalField
from scm.models.supplier_catalog import SOURCING_ROLES
from scm.models.suppliers import ADDRESS_KINDS, DOCUMENT_KINDS, SUPPLIER_STATUSES

QTY = dict(places=None)


class SupplierForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=32)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    status = SelectField("Status", choices=[(s, s.capitalize()) for s in SUPPLIER_STATUSES])
    status_reason = StringField("Reason for the status", validators=[Length(max=500)],
                                description="Required for probation and blocked: buyers see it on every new order.")
    status_since = DateField("Status since", validators=[Optional()],
                             description="Left empty, a changed status is dated today.")
    payment_terms = StringField("Payment terms", validators=[Length(max=80)], description="For example Net 30.")
    currency = StringField("Currency", validators=[DataRequired(), Length(max=3)], default="USD",
                           description="ISO 4217 code: USD, EUR, GBP…")
    notes = TextAreaField("Notes", validators=[Length(max=5000)])


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = StringField("E-mail", validators=[Length(max=254)])
    phone = StringField("Phone", validators=[Length(max=40)])
    role = StringField("Role", validators=[Length(max=80)], description="Sales, quality, accounts…")


class AddressForm(FlaskForm):
    kind = SelectField("Kind", choices=[(k, k.capitalize()) for k in ADDRESS_KINDS])
    line1 = StringField("Street and number", validators=[DataRequired(), Length(max=200)])
    line2 = StringField("Address line 2", validators=[Length(max=200)])
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    region = StringField("Region or state", validators=[Length(max=100)])
    postal_code = StringField("Postal code", validators=[Length(max=20)])
    country = StringField("Country", validators=[DataRequired(), Length(max=2)], description="Two letters: US, DE…")


class DocumentForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    kind = SelectField("Kind", choices=[(k, k.capitalize()) for k in DOCUMENT_KINDS if k != "certificate"])
    file = FileField("File", validators=[FileRequired("choose a file")], description="PDF, PNG or JPEG, up to 10 MB.")


class CertificationForm(FlaskForm):
    cert_type = StringField("Certificate type", validators=[DataRequired(), Length(max=64)],
                            description="ISO 9001, FSSC 22000, IATF 16949…")
    number = StringField("Certificate number", validators=[Length(max=80)])
    issued_on = DateField("Issued on", validators=[DataRequired()])
    expires_on = DateField("Expires on", validators=[DataRequired()], description="The last day it is valid.")
    file = FileField("Certificate file", description="PDF, PNG or JPEG, up to 10 MB (optional).")


class PriceBreakForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    min_qty = PlainDecimalField("From quantity", validators=[Optional(), NumberRange(min=0)], **QTY)
    unit_price = PlainDecimalField("Unit price", places=None, validators=[Optional(), NumberRange(min=0)])
    currency = StringField("Currency", validators=[Optional(), Length(max=3)])
    valid_from = DateField("Valid from", validators=[Optional()])
    valid_to = DateField("Valid to", validators=[Optional()])


class CatalogEntryForm(FlaskForm):
    supplier_id = SelectField("Supplier", coerce=int)
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    supplier_sku = StringField("Supplier's SKU", validators=[Length(max=64)])
    role = SelectField("Sourcing role", choices=[(r, r.capitalize()) for r in SOURCING_ROLES])
    lead_time_days = IntegerField("Stated lead time (days)", validators=[DataRequired(message="required"),
                                                                         NumberRange(min=0, max=730)], default=14)
    capacity_per_week = PlainDecimalField("Capacity per week", validators=[DataRequired(message="required")], **QTY)
    moq = PlainDecimalField("Minimum order quantity", validators=[Optional(), NumberRange(min=0)], default=0, **QTY)
    order_multiple = PlainDecimalField("Order multiple", validators=[Optional(), NumberRange(min=0)], default=1,
                                       description="0 means any quantity.", **QTY)
    split_share = PlainDecimalField("Split share (%)", places=None,
                                    validators=[Optional(), NumberRange(min=0.01, max=100)],
                                    description="Optional: this supplier's share of every order.")
    active = BooleanField("Active", default=True)
    price_breaks = FieldList(FormField(PriceBreakForm), min_entries=4, max_entries=20)


class RequirementForm(FlaskForm):
    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    cert_type = StringField("Required certificate", validators=[DataRequired(), Length(max=64)])


class ChooseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET question, changes nothing

    sku = StringField("Item SKU", validators=[DataRequired(), Length(max=64)])
    quantity = PlainDecimalField("Quantity", validators=[DataRequired(message="required"), NumberRange(min=0.001)],
                                 **QTY)
    need_by = DateField("Needed by", validators=[DataRequired(message="required")])


class SettingsForm(FlaskForm):
    weight_on_time = IntegerField("On-time delivery", validators=[NumberRange(0, 100)])
    weight_quality = IntegerField("Quality pass rate", validators=[NumberRange(0, 100)])
    weight_lead_time = IntegerField("Lead-time reliability", validators=[NumberRange(0, 100)])
    weight_fill_rate = IntegerField("Fill rate", validators=[NumberRange(0, 100)])
    weight_price = IntegerField("Price competitiveness", validators=[NumberRange(0, 100)])
    weight_responsiveness = IntegerField("Responsiveness", validators=[NumberRange(0, 100)])
    preferred_min = IntegerField("Preferred from", validators=[NumberRange(0, 100)])
    approved_min = IntegerField("Approved from", validators=[NumberRange(0, 100)])
    watch_min = IntegerField("Watch from", validators=[NumberRange(0, 100)],
                             description="Below this the standing is probation (and the period counts as bad).")
    replace_after = IntegerField("Replace candidate after (bad periods in a row)", validators=[NumberRange(1, 24)])
    min_metrics = IntegerField("Metrics needed to rank (1–6)", validators=[NumberRange(1, 6)],
                               description="How many metrics must rest on enough facts before a supplier is ranked "
                                           "and given a standing.")
    min_facts = IntegerField("Facts a metric needs to count", validators=[NumberRange(1, 1000)],
                             description="Lines, inspections, receipts or orders, depending on the metric.")
    block_standing = SelectField("Block new orders at", choices=[("probation", "probation"),
                                                                 ("watch", "watch or probation")])
    block_after = IntegerField("… for this many rated months in a row (0 = never)", validators=[NumberRange(0, 24)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class OverrideForm(FlaskForm):
    """An admin lets orders go to a supplier its scorecard blocks."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=5, max=500)])
    expires_on = DateField("Until (inclusive; empty = until revoked)", validators=[Optional()])


class ReviewCloseForm(FlaskForm):
    """A buyer's decision on a replace candidate's review."""

    decision = SelectField("Decision", choices=[("keep", "Keep the supplier"), ("replace", "Replace it"),
                                                ("dual_source", "Dual-source the items")])
    note = TextAreaField("Why", validators=[DataRequired(), Length(min=3, max=1000)])
