"""Forms for an item's way out: sale, handover, return, training sessions, recycling batches."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..formfields import DecimalCommaField
from ..services.outcomes import MAX_WARRANTY_MONTHS, PRICE_MESSAGE
from ..vocabulary import choices

WARRANTY = [Optional(), NumberRange(min=0, max=MAX_WARRANTY_MONTHS)]


class SaleForm(FlaskForm):
    # Its range is the service's rule (record_sale): one message for every wrong price.
    price = DecimalCommaField(_l("Price (€)"), units=("€", "EUR", "euros", "euro"), invalid_message=PRICE_MESSAGE,
                              validators=[InputRequired(PRICE_MESSAGE)])
    sold_on = DateField(_l("Date"), validators=[InputRequired()])
    channel = RadioField(_l("Where"), choices=choices("sale_channel"), default="shop",
                         validators=[InputRequired(_l("Choose where it was sold."))])
    warranty_months = IntegerField(_l("Warranty (months)"), default=6, validators=WARRANTY,
                                   render_kw={"inputmode": "numeric"})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    seen_status = HiddenField()


class HandoverForm(FlaskForm):
    landlord_id = SelectField(_l("Social landlord"), coerce=int,
                              validators=[InputRequired(_l("Choose a social landlord."))])
    residence = StringField(_l("Residence"), validators=[DataRequired(), Length(max=200)])
    tenant_ref = StringField(_l("Tenant reference (the landlord's)"), validators=[DataRequired(), Length(max=60)],
                             description=_l("The landlord's own reference, never the tenant's name."),
                             render_kw={"autocomplete": "off"})
    handed_on = DateField(_l("Date"), validators=[InputRequired()])
    warranty_months = IntegerField(_l("Warranty (months)"), default=12, validators=WARRANTY,
                                   render_kw={"inputmode": "numeric"})
    acceptance = RadioField(_l("The tenant accepts the device"), choices=choices("acceptance"), default="signature",
                            validators=[InputRequired()])
    signature = HiddenField()
    typed_name = StringField(_l("Tenant's name, typed by the tenant"), validators=[Optional(), Length(max=200)],
                             render_kw={"autocomplete": "off"})
    tenant_contact = StringField(_l("Tenant's phone or e-mail (optional)"), validators=[Optional(), Length(max=200)],
                                 description=_l("Seen by coordinators only, deleted after the retention period."),
                                 render_kw={"autocomplete": "off"})
    seen_status = HiddenField()


class ReturnForm(FlaskForm):
    reason = RadioField(_l("Why it came back"), choices=choices("return_reason"),
                        validators=[InputRequired(_l("Say why the item came back."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    seen_status = HiddenField()


class SessionForm(FlaskForm):
    topic = StringField(_l("Session"), validators=[DataRequired(), Length(max=200)],
                        render_kw={"placeholder": "Prise en main, messagerie, démarches en ligne…"})
    partner_id = SelectField(_l("Given by"), coerce=int, default=0)
    planned_on = DateField(_l("Planned on"), validators=[InputRequired()])


class AttendedForm(FlaskForm):
    attended_on = DateField(_l("Attended on"), validators=[Optional()])


class BatchForm(FlaskForm):
    eco_organism_id = SelectField(_l("Eco-organism"), coerce=int, validators=[InputRequired()])
    stream = SelectField(_l("Stream"), choices=choices("batch_stream"), validators=[InputRequired()],
                         description=_l("Only items whose category belongs to this stream go in the batch."))
    pickup_on = DateField(_l("Pickup date"), validators=[InputRequired()])
    waste_code = StringField(_l("Waste code"), validators=[Optional(), Length(max=16)],
                             description=_l("Empty for a WEEE flow: 20 01 23* for GEM froid, 20 01 35* for screens, "
                                            "20 01 36 otherwise (20 01 35* with hazardous parts). Other waste: "
                                            "20 01 10 clothes, 20 01 40 metals, 20 03 07 bulky waste…"))
    slip_number = StringField(_l("Tracking slip number"), validators=[Optional(), Length(max=60)])
    weighed_kg = DecimalCommaField(_l("Weighed weight (kg)"), validators=[Optional()],
                                   description=_l("Leave empty to use the sum of the items' weights."))


class BatchItemsForm(FlaskForm):
    codes = TextAreaField(_l("Codes"), validators=[DataRequired()],
                          render_kw={"rows": 3, "autocapitalize": "characters", "spellcheck": "false"})
