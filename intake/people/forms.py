"""Forms of the people pages: a person in insertion, their skills and exit; sessions, the door, members,
volunteers' hours."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..formfields import DecimalCommaField
from ..vocabulary import choices

NO_NAME = {"autocomplete": "off"}


class PersonForm(FlaskForm):
    reference = StringField(_l("Reference"), validators=[DataRequired(), Length(max=40)], render_kw=NO_NAME,
                            description=_l("What lists show: a code of yours, never the person's name."))
    programme = SelectField(_l("Programme"), choices=choices("programme"), validators=[InputRequired()])
    contract_start = DateField(_l("Contract start"), validators=[InputRequired()])
    contract_end = DateField(_l("Contract end"), validators=[InputRequired()])
    weekly_hours = DecimalCommaField(_l("Hours a week"), validators=[Optional()])
    user_id = SelectField(_l("Workshop account (their repairs)"), coerce=int, default=0, validators=[Optional()])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)], render_kw=NO_NAME,
                       description=_l("Seen by coordinators only, deleted after the retention period."))
    contact = StringField(_l("Phone or e-mail (optional)"), validators=[Optional(), Length(max=200)],
                          render_kw=NO_NAME)


class SkillForm(FlaskForm):
    name = StringField(_l("Skill"), validators=[DataRequired(), Length(max=120)])


class ValidateSkillForm(FlaskForm):
    skill_id = SelectField(_l("Skill"), coerce=int, validators=[InputRequired()])
    validated_on = DateField(_l("Validated on"), validators=[InputRequired()])


class ExitForm(FlaskForm):
    exit_on = DateField(_l("Exit date"), validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), choices=choices("exit_outcome"), validators=[InputRequired()])
    followup_outcome = SelectField(_l("Six months later"), choices=[SelectChoice("", "—"), *choices("exit_outcome")],
                                   validators=[Optional()])
    followup_on = DateField(_l("Follow-up date"), validators=[Optional()])


class SessionForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    starts_at = TimeField(_l("Start time"), validators=[Optional()])
    minutes = IntegerField(_l("Length (minutes)"), validators=[Optional(), NumberRange(min=1, max=24 * 60)],
                           render_kw={"inputmode": "numeric"})
    kind = StringField(_l("Kind"), validators=[DataRequired(), Length(max=60)], render_kw={"list": "session-kinds"})
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    capacity = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(min=1, max=1000)],
                            render_kw={"inputmode": "numeric"})
    facilitators = StringField(_l("Facilitators"), validators=[Optional(), Length(max=200)])


class FindMemberForm(FlaskForm):
    text = StringField(_l("Name or card number"), validators=[DataRequired(), Length(max=200)],
                       render_kw={**NO_NAME, "autofocus": True, "enterkeyhint": "search"})


class CheckInForm(FlaskForm):
    member_id = HiddenField()


class JoinForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], render_kw=NO_NAME)
    contact = StringField(_l("Phone or e-mail (optional)"), validators=[Optional(), Length(max=200)], render_kw=NO_NAME)
    card_number = StringField(_l("Card number"), validators=[Optional(), Length(max=20)], render_kw=NO_NAME,
                              description=_l("Empty: the next number."))
    amount = DecimalCommaField(_l("Fee (€)"), units=("€", "EUR", "euros", "euro"), validators=[InputRequired()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])


class RenewForm(FlaskForm):
    amount = DecimalCommaField(_l("Fee (€)"), units=("€", "EUR", "euros", "euro"), validators=[InputRequired()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])


class BroughtItemForm(FlaskForm):
    description = StringField(_l("Item"), validators=[DataRequired(), Length(max=200)],
                              render_kw={"placeholder": "Vélo de ville, grille-pain…"})
    outcome = SelectField(_l("Outcome"), choices=choices("repair_outcome"), validators=[InputRequired()])


class HoursForm(FlaskForm):
    worked_on = DateField(_l("Date"), validators=[InputRequired()])
    hours = DecimalCommaField(_l("Hours"), units=("h",), validators=[InputRequired()])
    user_id = SelectField(_l("Volunteer"), coerce=int, default=0, validators=[Optional()])
    session_id = SelectField(_l("Session"), coerce=int, default=0, validators=[Optional()])
