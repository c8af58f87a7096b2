"""Form fields shared by several forms."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.fields import HiddenField
from wtforms.validators import Regexp, StopValidation

# An e-mail address, as far as a form can tell (whether it reaches someone, only a message can).
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Not an e-mail address."))


def parse_decimal(text: str | None, units: tuple[str, ...] = ()) -> Decimal | None:
    """A number typed the French way ("1 234,5") or the English way ("1,234.5"), with one of ``units``
    after it if the field has any ("89,90 €")."""
    cleaned = re.sub(r"[\s\u202f\xa0]", "", text or "")
    for unit in units:
        if cleaned.lower().endswith(unit.lower()):
            cleaned = cleaned[:-len(unit)]
            break
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        # Both signs: the last one is the decimal sign, the other groups thousands ("1.234,50", "1,234.50").
        decimal_sign = max(",", ".", key=cleaned.rindex)
        cleaned = cleaned.replace("." if decimal_sign == "," else ",", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None


class DecimalCommaField(StringField):
    """A decimal number with a comma or a point; ``data`` is a Decimal or None.

    A value that is not a number gets one message, ``invalid_message``: the field's other checks
    (a range, say) are not run on it, as they would only add a confusing second one.
    """

    def __init__(self, *args, invalid_message=_l("Type a number, for example 2,5."), units: tuple[str, ...] = (),
                 **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message
        self.units = units
        self.raw_text = None

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        try:
            self.data = parse_decimal(self.raw_text, self.units)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        if self.raw_text is not None:
            return self.raw_text
        return "" if self.data is None else format(self.data.normalize(), "f").replace(".", ",")


class LinesField(TextAreaField):
    """One entry per line; ``data`` is the list of non-empty lines, or None when there is none."""

    def process_formdata(self, valuelist):
        lines = [line.strip() for line in (valuelist[0] if valuelist else "").splitlines()]
        self.data = [line for line in lines if line] or None

    def _value(self):
        return "\n".join(self.data or [])


def attach_errors(form, errors: dict) -> None:
    """A service's refusal on the form: each message next to its field, or on top of the form for a
    field the person cannot see (a hidden one) or that the form does not have."""
    for name, message in errors.items():
        # str(): a lazy message would be taken as safe HTML by Jinja, and must not be.
        message = str(message)
        field = getattr(form, name, None)
        if field is None or isinstance(field, HiddenField):
            form.form_errors.append(message)
        else:
            field.errors = list(field.errors) + [message]
