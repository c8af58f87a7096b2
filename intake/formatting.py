"""How numbers, weights and dates look in the user's language (French first)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app
from flask_babel import (
    format_currency,
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
)
from jinja2 import pass_context
from markupsafe import Markup

from . import language
from .vocabulary import register_vocabulary

# Formats read once per language from Babel's locale data (each call of Babel's functions finds the
# locale, its formats and their parsed patterns again); applied as Babel applies them.
_WEIGHT_PATTERN = babel_numbers.parse_pattern("#,##0.###")


@lru_cache(maxsize=32)
def _short_datetime_format(locale) -> tuple:
    """Babel's "short" date and time of a locale: how they join, and each one's pattern."""
    return (babel_dates.get_datetime_format("short", locale=locale).replace("'", ""),
            babel_dates.parse_pattern(babel_dates.get_time_format("short", locale=locale)),
            babel_dates.parse_pattern(babel_dates.get_date_format("short", locale=locale)))


def _locale():
    current = language.current()
    return current.locale if current is not None else get_locale()


def format_weight(value: Decimal | float | None) -> str:
    """``2,5 kg`` in French, ``2.5 kg`` in English; at most three decimals."""
    if value is None:
        return ""
    return f"{_WEIGHT_PATTERN.apply(value, _locale())} kg"


def format_local_datetime(value) -> str:
    """A short local date and time ("26/11/2026 10:16" in French), in the app's time zone: what Babel's
    ``format_datetime(value, "short", tzinfo, locale)`` gives, its formats read once per language."""
    if not value:
        return ""
    zone = get_timezone()
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)
    if hasattr(zone, "normalize"):  # pytz
        moment = zone.normalize(moment)
    locale = _locale()
    joined, time_pattern, date_pattern = _short_datetime_format(locale)
    return (joined.replace("{0}", time_pattern.apply(moment.timetz(), locale))
            .replace("{1}", date_pattern.apply(moment.date(), locale)))


# Rendered history lines kept per application (each worker has its own): about 1 kB each.
HISTORY_LINES_KEPT = 20_000


class HistoryLines:
    """Rendered lines of items' stories, least recently shown out first. A line never changes once written
    (events are only ever added), so its HTML depends only on the event and on what the key holds: the
    language, the time zone, and the names of the person and place shown, which may be renamed."""

    def __init__(self, size: int = HISTORY_LINES_KEPT):
        self.size = size
        self.lines: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def render(self, lines) -> list[Markup]:
        """The HTML of each line (rows of services.items.history_lines), in order."""
        locale, zone = language.locale_name(), str(get_timezone())
        keys = [(line.id, line.at, line.kind, locale, zone, line.user_name, line.point_name) for line in lines]
        with self.lock:
            found = [self.lines.get(key) for key in keys]
            for key, html in zip(keys, found):
                if html is not None:
                    self.lines.move_to_end(key)
        missing = [index for index, html in enumerate(found) if html is None]
        if missing:
            template = current_app.jinja_env.get_template("items/_history_line.html")
            for index in missing:
                found[index] = Markup(template.render(event=lines[index]))
            with self.lock:
                for index in missing:
                    self.lines[keys[index]] = found[index]
                while len(self.lines) > self.size:
                    self.lines.popitem(last=False)
        return found


def history_lines(lines) -> list[Markup]:
    """Lines of an item's story as HTML (templates/items/_history_line.html), each rendered once."""
    return current_app.extensions["history_lines"].render(lines)


# A message without variables is, in one catalogue, always the same text: kept once formatted (bounded:
# the templates hold a few hundred messages, in two languages).
_PLAIN_MESSAGES: dict = {}
PLAIN_MESSAGES_KEPT = 5_000


@pass_context
def template_gettext(context, string: str, /, **variables) -> str:
    """``_()`` and ``gettext()`` in templates: what Jinja's "newstyle" gettext does (escape the variables,
    always format), in one call instead of three (its ``_`` resolves ``gettext``, which calls the
    catalogue's function through the context)."""
    translations = language.translations()
    autoescape = context.eval_ctx.autoescape
    plain = not variables and type(string) is str
    if plain:
        key = (translations, string, autoescape)
        rv = _PLAIN_MESSAGES.get(key)
        if rv is not None:
            return rv
    rv = translations.ugettext(string)
    if autoescape:
        rv = Markup(rv)
    rv = rv % variables
    if plain and len(_PLAIN_MESSAGES) < PLAIN_MESSAGES_KEPT:
        _PLAIN_MESSAGES[key] = rv
    return rv


def init_app(app) -> None:
    # Templates translate through the request's catalogue, found once (language.py: Flask-Babel finds it at each _()).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: language.translations().ugettext(s),
        ngettext=lambda s, p, n: language.translations().ungettext(s, p, n),
        pgettext=lambda c, s: language.translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: language.translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    # Per application, not per process: ids are only unique within one database.
    app.extensions["history_lines"] = HistoryLines()
    app.jinja_env.globals["history_lines"] = history_lines
    app.jinja_env.filters["weight"] = format_weight
    app.jinja_env.filters["datetime"] = format_local_datetime
    app.jinja_env.filters["date"] = lambda value: format_date(value, "medium") if value else ""
    app.jinja_env.filters["percent"] = lambda value: format_percent(value, "#,##0 %") if value is not None else ""
    app.jinja_env.filters["money"] = lambda value: format_currency(value, "EUR") if value is not None else ""
    app.jinja_env.filters["decimal"] = lambda value: format_decimal(value) if value is not None else ""
    app.jinja_env.globals["current_locale"] = language.locale_name
    register_vocabulary(app)


