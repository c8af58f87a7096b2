"""How numbers, weights and dates look in the user's language (French first)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from decimal import Decimal

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app, g
from flask_babel import (
    format_currency,
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    get_timezone,
    get_translations,
)
from jinja2 import pass_context
from markupsafe import Markup

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
        locale, zone = str(get_locale()), str(get_timezone())
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


def page_translations():
    """Flask-Babel's ``get_translations()``, looked up once per request rather than at each of a page's
    dozens of ``_()``: kept beside Flask-Babel's own per-request state, with the language and domain it
    was found for, so that ``refresh()`` or ``force_locale()`` (which change them) find it again."""
    try:
        state = vars(g._flask_babel)
    except AttributeError:  # nothing looked up yet in this request
        state = {}
    except RuntimeError:  # outside an application context: Flask-Babel's answer (no translation)
        return get_translations()
    kept = state.get("intake_translations")
    if kept is not None and kept[0] is state.get("babel_locale") and kept[1] is state.get("babel_domain"):
        return kept[2]
    translations = get_translations()
    state = g._flask_babel
    state.intake_translations = (getattr(state, "babel_locale", None), getattr(state, "babel_domain", None),
                                 translations)
    return translations


@pass_context
def template_gettext(context, string: str, /, **variables) -> str:
    """``_()`` and ``gettext()`` in templates: what Jinja's "newstyle" gettext does (escape the variables,
    always format), in one call instead of three (its ``_`` resolves ``gettext``, which calls the
    catalogue's function through the context)."""
    rv = page_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def init_app(app) -> None:
    # Templates translate through the request's catalogue, found once (Flask-Babel finds it at each _()).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
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
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    register_vocabulary(app)


