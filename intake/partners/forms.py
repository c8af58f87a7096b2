"""Forms of the partnerships' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import DateField, EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..formfields import DecimalCommaField
from ..models.category import FAMILIES
from ..services.partners.imports import IMPORT_KINDS
from ..vocabulary import VOCABULARY

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Not an e-mail address."))
MAX_YEARLY_ITEMS = 10_000_000
MAX_YEARLY_KG = 100_000_000


class MoveForm(FlaskForm):
    """A step of the pipeline; ``seen_status`` is the status the page showed."""

    to = HiddenField(validators=[DataRequired()])
    seen_status = HiddenField(validators=[DataRequired()])
    happened_on = DateField(_l("Date"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 2})


class EventForm(FlaskForm):
    kind = SelectField(_l("What"), choices=[SelectChoice("meeting", _l("Meeting")), SelectChoice("note", _l("Note"))])
    happened_on = DateField(_l("Date"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=4000)], render_kw={"rows": 3},
                         description=_l("Who was there, what was said; difficulties met, value added."))


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = StringField(_l("Role in their structure"), validators=[Optional(), Length(max=120)],
                       render_kw={"placeholder": _l("e.g. sustainability, purchasing, CSR")})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "tel"})
    email = EmailField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=254)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})


class ConventionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Start"), validators=[DataRequired()])
    ends_on = DateField(_l("End"), validators=[DataRequired()])
    renewal_on = DateField(_l("Renewal date"), validators=[Optional()])
    our_commitments = TextAreaField(_l("What we commit to"), validators=[Optional(), Length(max=8000)],
                                    render_kw={"rows": 3})
    partner_commitments = TextAreaField(_l("What the partner commits to"), validators=[Optional(), Length(max=8000)],
                                        render_kw={"rows": 3})
    expected_items_per_year = IntegerField(_l("Items expected per year"),
                                           validators=[Optional(), NumberRange(min=0, max=MAX_YEARLY_ITEMS)])
    expected_kg_per_year = DecimalCommaField(_l("Kg expected per year"),
                                             validators=[Optional(), NumberRange(min=0, max=MAX_YEARLY_KG)])
    document = FileField(_l("Signed convention (PDF)"), render_kw={"accept": "application/pdf"})

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end comes before the start."))


# One pair of fields per product family: the volume expected of it per year, if the convention says.
for _family in FAMILIES:
    setattr(ConventionForm, f"items_{_family}", IntegerField(
        _l("Items per year: %(family)s", family=VOCABULARY["family"][_family]),
        validators=[Optional(), NumberRange(min=0, max=MAX_YEARLY_ITEMS)]))
    setattr(ConventionForm, f"kg_{_family}", DecimalCommaField(
        _l("Kg per year: %(family)s", family=VOCABULARY["family"][_family]),
        validators=[Optional(), NumberRange(min=0, max=MAX_YEARLY_KG)]))


class LocationForm(FlaskForm):
    latitude = DecimalCommaField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = DecimalCommaField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.latitude.data is None) != (self.longitude.data is None):
            self.longitude.errors.append(_l("Give both the latitude and the longitude, or neither."))
            return False
        return valid


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=[
        SelectChoice("partners", _l("Partners")), SelectChoice("contacts", _l("Contact persons")),
        SelectChoice("points", _l("Collection points")), SelectChoice("territories", _l("Territories"))],
        validators=[DataRequired()])
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    # The file's text, carried from the preview to the confirmation (nothing is kept on the server).
    content = HiddenField()

    def validate_kind(self, field):
        if field.data not in IMPORT_KINDS:
            raise ValidationError(_l("Not a choice."))
