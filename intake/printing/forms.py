from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..services.code_register import MAX_RESERVATION


class PreprintForm(FlaskForm):
    """How many blank labels to print, and on which stock."""

    count = IntegerField(_l("Number of labels"), default=65,
                         validators=[InputRequired(), NumberRange(min=1, max=MAX_RESERVATION)])
    stock = SelectField(_l("Label stock"))


class PrinterJobForm(FlaskForm):
    """Labels to send to my collection point's network printer as one job (the codes, space-separated)."""

    codes = HiddenField(validators=[DataRequired(), Length(max=4000)])
