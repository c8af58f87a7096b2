from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..services.accounts import TOKEN_DAYS


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class TokenForm(FlaskForm):
    """A new API token for one of my scripts."""

    name = StringField(_l("What it is for"), validators=[DataRequired(), Length(max=80)],
                       render_kw={"placeholder": _l("The workshop's scale, a dashboard…"), "autocomplete": "off"})
    days = SelectField(_l("Valid for"), coerce=int, default=90,
                       choices=[SelectChoice(days, _l("%(days)s days", days=days)) for days in TOKEN_DAYS])
    read_only = BooleanField(_l("Read only (it cannot register or move items)"))
