"""Intake forms. Shapes and types only: the domain rules are in services/intake.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..formfields import EMAIL, DecimalCommaField
from ..services.amendments import AMENDABLE
from ..services.intake import MAX_QUANTITY
from ..vocabulary import choices

PRIVATE_DONOR = 0  # the "source" choice for a private person


class SetupForm(FlaskForm):
    """Where the volunteer works today and where most items come from."""

    collection_point_id = SelectField(_l("My collection point today"), coerce=int, validators=[InputRequired()])
    source_id = SelectField(_l("Usual supply source"), coerce=int, validators=[InputRequired()])


class IntakeForm(FlaskForm):
    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    category_id = RadioField(_l("Category"), coerce=int,
                             validators=[InputRequired(_l("Choose a category."))])
    weight_kg = DecimalCommaField(_l("Weight (kg)"), validators=[InputRequired(_l("Type the weight."))],
                                  invalid_message=_l("Type a weight in kg, for example 2,5."),
                                  render_kw={"inputmode": "decimal", "autocomplete": "off", "enterkeyhint": "done"})
    container_id = RadioField(_l("Container"), coerce=int, default=0, validators=[Optional()])
    grade = RadioField(_l("Condition"), choices=choices("grade"),
                       validators=[InputRequired(_l("Choose a condition."))])
    source_id = SelectField(_l("Supply source"), coerce=int, validators=[InputRequired()])
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=120)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    code = StringField(_l("Pre-printed label code"), validators=[Optional(), Length(max=20)],
                       render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"})
    photo = FileField(_l("Photo"), render_kw={"accept": "image/*", "capture": "environment"})
    # Ticked when the person confirms a weight outside the category's usual range.
    weight_confirmed = BooleanField(_l("Yes, this weight is right"))
    # Many identical items at once, each with its own label; the weight typed is each one's or the total.
    quantity = IntegerField(_l("How many"), default=1,
                            validators=[Optional(), NumberRange(min=1, max=MAX_QUANTITY, message=_l(
                                "Log from %(min)s to %(max)s items at once."))],
                            render_kw={"inputmode": "numeric", "min": 1, "max": MAX_QUANTITY, "autocomplete": "off"})
    weight_per = RadioField(_l("The weight is"), default="item", validators=[Optional()],
                            choices=[SelectChoice("item", _l("kg each")), SelectChoice("total", _l("kg in total"))])
    quantity_confirmed = BooleanField(_l("Yes, this many"))

    def validate_weight_kg(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("The weight must be more than 0 kg."))


class SameAgainForm(FlaskForm):
    """One tap to log another item like the one on screen."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()])


class PhotoForm(FlaskForm):
    """A photo for an item already logged."""

    photo = FileField(_l("Photo"), validators=[FileRequired(_l("Choose a photo."))],
                      render_kw={"accept": "image/*", "capture": "environment"})


class AmendForm(FlaskForm):
    """A correction of a logged item's intake fields; the service decides who may and what changes."""

    version = HiddenField(validators=[DataRequired()])
    category_id = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    weight_kg = DecimalCommaField(_l("Net weight (kg)"), validators=[InputRequired(_l("Type the weight."))],
                                  invalid_message=_l("Type a weight in kg, for example 2,5."))
    tare_kg = DecimalCommaField(_l("Tare taken off (kg)"), validators=[InputRequired()],
                                description=_l("Changing only the tare keeps the scale reading."))
    grade = RadioField(_l("Condition"), choices=choices("grade"), validators=[InputRequired()])
    source_id = SelectField(_l("Supply source"), coerce=int, validators=[InputRequired()])
    collection_point_id = SelectField(_l("Collection point"), coerce=int, validators=[InputRequired()])
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=120)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    reason = StringField(_l("Why this correction"), validators=[Optional(), Length(max=500)])
    weight_confirmed = BooleanField(_l("Yes, this weight is right"))

    @classmethod
    def of(cls, item) -> "AmendForm":
        """The form filled with the item as it is (what was posted, when it was)."""
        current = {name: getattr(item, name) for name in AMENDABLE}
        return cls(data={**current, "source_id": item.source_id or PRIVATE_DONOR, "version": item.version})

    def amended_values(self) -> dict:
        """The intake fields as typed (the service keeps only those that differ)."""
        return {"category_id": self.category_id.data, "weight_kg": self.weight_kg.data,
                "tare_kg": self.tare_kg.data, "grade": self.grade.data,
                "source_id": self.source_id.data or None, "collection_point_id": self.collection_point_id.data,
                "brand": self.brand.data, "model": self.model.data, "serial_number": self.serial_number.data,
                "description": self.description.data}


class TileOrderForm(FlaskForm):
    """Where each category's tile stands on a collection point's intake page."""

    most_used_first = BooleanField(_l("Most used lately first (the order then changes by itself)"))

    @staticmethod
    def ordered_ids(formdata, current: list[int]) -> list[int]:
        """Category ids sorted by the position typed for each (``position-<id>``); ties and blanks keep
        their current order."""
        def typed(category_id: int, index: int):
            text = (formdata.get(f"position-{category_id}") or "").strip()
            number = int(text) if text.isdigit() and len(text) <= 5 else len(current) + 1
            return (number, index)

        return sorted(current, key=lambda category_id: typed(category_id, current.index(category_id)))


class SearchForm(FlaskForm):
    """The items list's search: read from the URL, so that a search can be shared and paged."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(_l("Code, brand, model or serial number"), validators=[Optional(), Length(max=60)],
                    render_kw={"type": "search", "autocomplete": "off", "autocapitalize": "off"})
    category = SelectField(_l("Category"), coerce=int, default=0, validators=[Optional()])
    source = SelectField(_l("Source"), default="", validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


# After-sales, on the public passport (items/faults.py): the receipt number is the buyer's proof.
class ReceiptProofForm(FlaskForm):
    receipt_number = StringField(_l("Receipt number"), validators=[DataRequired(), Length(max=20)],
                                 description=_l("Printed on your receipt, for example K3WQ-7ZPA."),
                                 render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"})


class BuyerFaultForm(ReceiptProofForm):
    problem = TextAreaField(_l("What happens"), validators=[DataRequired(), Length(max=2000)])
    noticed_on = DateField(_l("Since (optional)"), validators=[Optional()])
    contact_email = StringField(_l("Your e-mail for the answers (optional)"),
                                validators=[Optional(), Length(max=200), EMAIL],
                                render_kw={"type": "email", "autocomplete": "email"})
