"""Form fields shared by several forms."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.fields import HiddenField


def parse_decimal(text: str | None) -> Decimal | None:
    """A number typed the French way ("2,5") or the English way ("2.5")."""
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(cleaned) from None
    if not value.is_finite():
        raise ValueError(cleaned)
    return value


class DecimalCommaField(StringField):
    """A decimal number with a comma or a point; ``data`` is a Decimal or None."""

    def __init__(self, *args, invalid_message=_l("Type a number, for example 2,5."), **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message
        self.raw_text = None

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        try:
            self.data = parse_decimal(self.raw_text)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None

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
