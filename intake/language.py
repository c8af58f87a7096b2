"""The request's language and translations catalogue, looked up once per request.

Flask-Babel finds them again at each call, through Flask's request globals (a proxy: about 2 µs a look-up,
several per call); a page asks dozens of times (each ``_()`` of its templates, each name of a stored code).
They are kept beside Flask-Babel's own state of the request, with the locale and domain they were found
for: ``refresh()`` and ``force_locale()`` change those, and the next call finds the catalogue again.
"""

from __future__ import annotations

from typing import NamedTuple

# The application context's variable: what ``flask.g`` reads through its proxy, read directly.
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations


class Language(NamedTuple):
    locale: object  # Flask-Babel's Locale of the request (its identity tells a change)
    domain: object  # Flask-Babel's Domain of the request
    translations: object  # the catalogue: babel.support.Translations
    name: str  # "fr", "en"


def current() -> Language | None:
    """The request's language and catalogue (None outside an application context)."""
    context = _cv_app.get(None)
    if context is None:
        return None
    state = context.g.__dict__.get("_flask_babel")
    if state is not None:
        state = state.__dict__
        kept = state.get("intake_language")
        if kept is not None and kept.locale is state.get("babel_locale") and kept.domain is state.get("babel_domain"):
            return kept
    translations = get_translations()  # sets Flask-Babel's state: locale and domain
    locale = get_locale()
    state = context.g._flask_babel
    kept = Language(locale, getattr(state, "babel_domain", None), translations, str(locale))
    state.intake_language = kept
    return kept


def translations():
    """Flask-Babel's ``get_translations()``, found once per request."""
    language = current()
    return language.translations if language is not None else get_translations()


def locale_name() -> str:
    """``str(get_locale())``, found once per request ("None" outside one, as Flask-Babel's)."""
    language = current()
    return language.name if language is not None else str(get_locale())
