"""Forms for weighed lots and the kg that leave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..formfields import DecimalCommaField
from ..vocabulary import choices

KG_UNITS = ("kg",)
EURO_UNITS = ("€", "EUR", "euros", "euro")


class LotForm(FlaskForm):
    category_id = RadioField(_l("Category"), coerce=int, validators=[InputRequired(_l("Choose a category."))])
    gross_kg = DecimalCommaField(_l("Weight on the scale (kg)"), units=KG_UNITS,
                                 validators=[InputRequired(_l("Type the weight."))])
    container_id = RadioField(_l("Container"), coerce=int, default=0, validators=[Optional()])
    source_id = SelectField(_l("Supply source"), coerce=int, validators=[InputRequired()])
    photo = FileField(_l("Photo"), render_kw={"accept": "image/*", "capture": "environment"})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class ExitForm(FlaskForm):
    kind = RadioField(_l("Where the goods go"), validators=[InputRequired(_l("Choose where the goods go."))])
    category_id = SelectField(_l("Category"), coerce=int, validators=[InputRequired(_l("Choose a category."))])
    weight_kg = DecimalCommaField(_l("Weight (kg)"), units=KG_UNITS, validators=[InputRequired(_l("Type the weight."))],
                                  description=_l("A correction: what it adds to the stock, negative to take away."))
    lot = StringField(_l("Lot reference (optional)"), validators=[Optional(), Length(max=20)],
                      render_kw={"placeholder": "V-12", "autocomplete": "off"})
    price = DecimalCommaField(_l("Price (€)"), units=EURO_UNITS, validators=[Optional()])
    recipient = StringField(_l("Given to (structure)"), validators=[Optional(), Length(max=200)])
    batch_id = SelectField(_l("Recycling batch"), coerce=int, validators=[Optional()])
    waste_code = StringField(_l("Waste code"), validators=[Optional(), Length(max=16)],
                             render_kw={"placeholder": "20 03 07"})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


def exit_kinds(may_correct: bool):
    return [choice for choice in choices("lot_exit") if may_correct or choice.value != "correction"]



