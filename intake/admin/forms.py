"""Forms coordinators use to manage the reference data."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..formfields import EMAIL, DecimalCommaField, LinesField
from ..services.accounts import MIN_PASSWORD_LENGTH
from ..services.intake import MAX_WEIGHT_KG
from ..vocabulary import choices

NONE_CHOICE = 0
MAX_POPULATION = 100_000_000  # more than any territory holds


def _optional_id(value):
    """Selects use 0 for 'none'; the model wants None."""
    value = int(value) if value not in (None, "") else NONE_CHOICE
    return value or None


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices("organisation_kind"))
    siren = StringField(_l("SIREN"), validators=[Optional(), Regexp(r"^\d{9}$", message=_l("Nine digits."))])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    latitude = DecimalCommaField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = DecimalCommaField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    email = EmailField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    active = BooleanField(_l("Active"), default=True)
    partner_since = DateField(_l("Partner since"), validators=[Optional()],
                              description=_l("The indicators compare the months before and after; empty: from its first item."))
    public_name_consent = BooleanField(_l("Agrees to be named on the public results page"), default=False)


class TerritoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    insee_code = StringField(_l("INSEE code"), validators=[Optional(), Length(max=10)])
    population = IntegerField(_l("Population"), validators=[DataRequired(), NumberRange(min=0, max=MAX_POPULATION)])
    zone_type = SelectField(_l("Zone type"), choices=choices("zone_type"))


class CollectionPointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation_id = SelectField(_l("Host organisation"), coerce=_optional_id)
    territory_id = SelectField(_l("Territory"), coerce=_optional_id)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    latitude = DecimalCommaField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = DecimalCommaField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    printer_uri = StringField(_l("Network label printer"), validators=[Optional(), Length(max=200)],
                              description=_l("brother-ql://192.168.1.50?model=QL-820NWB or zpl://192.168.1.51"))
    printer_stock = SelectField(_l("Its label stock"), default="")
    label_offset_x_mm = DecimalCommaField(_l("Sheet offset to the right (mm)"), default=Decimal(0),
                                          validators=[Optional(), NumberRange(-20, 20)], filters=[lambda v: v or Decimal(0)])
    label_offset_y_mm = DecimalCommaField(_l("Sheet offset downwards (mm)"), default=Decimal(0),
                                          validators=[Optional(), NumberRange(-20, 20)], filters=[lambda v: v or Decimal(0)])
    active = BooleanField(_l("Open"), default=True)

    def populate_obj(self, obj):
        super().populate_obj(obj)
        obj.printer_stock = obj.printer_stock or None
        obj.printer_uri = obj.printer_uri or None

    def validate_printer_uri(self, field):
        from ..services.printers import PrinterMisconfigured, Reach, check_printer_uri

        if field.data:
            reach = Reach.from_config(current_app.config)
            try:
                check_printer_uri(field.data, reach)
            except PrinterMisconfigured:
                raise ValidationError(_l("Printer address refused: brother-ql://… or zpl://… on the local network, "
                                         "port %(ports)s.", ports=", ".join(map(str, reach.ports)))) from None


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    parent_id = SelectField(_l("Parent category"), coerce=_optional_id)
    family = SelectField(_l("Product family"), choices=choices("family"))
    deee_category = SelectField(_l("WEEE category"), choices=[SelectChoice("", "—")] + choices("deee_category"),
                                default="")
    ords_category = StringField(_l("ORDS category"), validators=[Optional(), Length(max=80)])
    data_bearing = BooleanField(_l("Holds personal data (erasure required)"))
    default_weight_kg = DecimalCommaField(_l("Default weight (kg)"),
                                          validators=[Optional(), NumberRange(min=Decimal("0.001"), max=MAX_WEIGHT_KG)])
    min_weight_kg = DecimalCommaField(_l("Lightest plausible weight (kg)"),
                                      validators=[Optional(), NumberRange(min=Decimal("0.001"), max=Decimal("5000"))],
                                      description=_l("Outside this range, intake asks to confirm the weight. "
                                                     "Empty: a tenth of the default weight."))
    max_weight_kg = DecimalCommaField(_l("Heaviest plausible weight (kg)"),
                                      validators=[Optional(), NumberRange(min=Decimal("0.001"), max=Decimal("5000"))],
                                      description=_l("Empty: ten times the default weight."))
    icon = StringField(_l("Icon (emoji)"), validators=[Optional(), Length(max=16)])
    checklist = LinesField(_l("Checks before it is ready (one per line)"), render_kw={"rows": 6},
                           description=_l("Empty: the parent category's list, or one overall functional test."))
    active = BooleanField(_l("Offered at intake"), default=True)

    def validate_max_weight_kg(self, field):
        if field.data is not None and self.min_weight_kg.data is not None and field.data <= self.min_weight_kg.data:
            raise ValidationError(_l("The heaviest weight must be more than the lightest."))

    def populate_obj(self, obj):
        super().populate_obj(obj)
        obj.deee_category = obj.deee_category or None  # "—": not electrical waste


class ContainerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    tare_kg = DecimalCommaField(_l("Tare (kg)"), validators=[DataRequired(), NumberRange(min=0, max=MAX_WEIGHT_KG)])
    active = BooleanField(_l("In use"), default=True)


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), EMAIL, Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=choices("role"))
    organisation_id = SelectField(_l("Organisation"), coerce=_optional_id)
    password = PasswordField(_l("New password"),
                             validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
                             render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Active"), default=True)


class StructureForm(FlaskForm):
    """The structure running the instance; its SIRET and logo are checked by the service."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"placeholder": _l("e.g. Ressourcerie de la Roseraie")})
    siret = StringField(_l("SIRET"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "numeric"},
                        description=_l("14 digits, on the Sirene notice."))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    email = EmailField(_l("E-mail"), validators=[Optional(), EMAIL, Length(max=254)])
    name_on_labels = BooleanField(_l("Print the name on labels"))
    logo = FileField(_l("Logo"), render_kw={"accept": "image/png,image/jpeg,image/webp"},
                     description=_l("PNG, JPEG or WebP; shown small on the passport and the receipts."))
    remove_logo = BooleanField(_l("Remove the logo"))
