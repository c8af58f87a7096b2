"""How numbers, weights and dates look in the user's language (French first)."""

from __future__ import annotations

from decimal import Decimal

from babel.dates import format_datetime as babel_format_datetime
from flask_babel import format_currency, format_date, format_percent, format_decimal, get_locale, get_timezone

from .vocabulary import register_vocabulary


def format_weight(value: Decimal | float | None) -> str:
    """``2,5 kg`` in French, ``2.5 kg`` in English; at most three decimals."""
    if value is None:
        return ""
    return f"{format_decimal(value, format='#,##0.###')} kg"


def format_local_datetime(value) -> str:
    """A short local date and time ("26/11/2026 10:16" in French), in the app's time zone."""
    if not value:
        return ""
    # Babel directly, with the request's locale and zone: pages list dozens of dates.
    return babel_format_datetime(value, "short", tzinfo=get_timezone(), locale=get_locale())


def init_app(app) -> None:
    app.jinja_env.filters["weight"] = format_weight
    app.jinja_env.filters["datetime"] = format_local_datetime
    app.jinja_env.filters["date"] = lambda value: format_date(value, "medium") if value else ""
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0 %") if value is not None else ""
    app.jinja_env.filters["money"] = lambda value: format_currency(value, "EUR") if value is not None else ""
    app.jinja_env.filters["decimal"] = lambda value: format_decimal(value) if value is not None else ""
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    register_vocabulary(app)


