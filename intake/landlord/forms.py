"""The landlord's one form: a fault reported on one of its tenants' devices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..services.aftersales import MAX_PROBLEM_LENGTH


class FaultForm(FlaskForm):
    problem = TextAreaField(_l("What happens"), validators=[DataRequired(), Length(max=MAX_PROBLEM_LENGTH)],
                            description=_l("No tenant's name is needed."))
    noticed_on = DateField(_l("Since (optional)"), validators=[Optional()])
    availability = StringField(_l("When the tenant is in (optional)"), validators=[Optional(), Length(max=200)],
                               render_kw={"placeholder": "Mardi et jeudi après-midi", "autocomplete": "off"})
