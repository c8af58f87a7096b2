"""The onboarding form and the confirmation of leaving a network."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class OnboardingForm(FlaskForm):
    network_id = SelectField(_l("Network"), coerce=int)
    name = StringField(_l("Name of the structure"), validators=[DataRequired(), Length(max=200)])
    coordinator_name = StringField(_l("First coordinator's name"), validators=[DataRequired(), Length(max=120)])
    coordinator_email = EmailField(_l("First coordinator's e-mail"),
                                   validators=[DataRequired(), Length(max=254)],
                                   description=_l("If they already have an account, they are added to the new "
                                                  "structure and keep their password."))


class LeaveForm(FlaskForm):
    confirm = BooleanField(_l("I confirm: our structure leaves this network"),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])
