"""Forms of the till. The basket's lines and payments are repeated inputs read in routes.py: this form
carries the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..formfields import DecimalCommaField

EURO_UNITS = ("€", "EUR", "euros", "euro")


class BasketForm(FlaskForm):
    pass


class OpenForm(FlaskForm):
    device = StringField(_l("Till"), default="Caisse 1", validators=[DataRequired(), Length(max=60)])
    opening_float = DecimalCommaField(_l("Cash in the drawer at opening (€)"), units=EURO_UNITS,
                                      validators=[InputRequired(_l("Type the cash in the drawer, 0 or more."))])


class CloseForm(FlaskForm):
    counted_cash = DecimalCommaField(_l("Cash counted in the drawer (€)"), units=EURO_UNITS,
                                     validators=[InputRequired(_l("Type the cash counted in the drawer."))])


class RefundForm(FlaskForm):
    session_id = SelectField(_l("Open till"), coerce=int, validators=[InputRequired()])
    method_id = SelectField(_l("Given back in"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class MethodForm(FlaskForm):
    name = StringField(_l("New payment method"), validators=[DataRequired(), Length(max=60)],
                       render_kw={"placeholder": "Bon d'achat, monnaie locale…"})


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])
