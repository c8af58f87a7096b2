from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from ..services.code_register import MAX_RESERVATION


class PreprintForm(FlaskForm):
    """How many blank labels to print, and on which stock."""

    count = IntegerField(_l("Number of labels"), default=65,
                         validators=[InputRequired(), NumberRange(min=1, max=MAX_RESERVATION)])
    stock = SelectField(_l("Label stock"))
