"""What the app accepts where values enter: text without control characters, numbers the database holds.

PostgreSQL cannot store NUL and its integers stop at 2³¹ - 1; SQLite's stop at
2⁶³ - 1. A value beyond them must be refused where it enters, with a reason,
not fail deep down with a 500.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# PostgreSQL's integer: no id, count or page of ours goes beyond it.
MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999

# C0 and C1 controls but tab and line breaks, DEL, and lone surrogates (which no encoding can store).
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_CHARACTERS_MESSAGE = _l("This text holds invisible control characters (such as NUL): remove them.")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL_CHARACTERS.search(text))


def texts_with_control_characters(values) -> list[str]:
    """The names of the (name, value) pairs whose text, or any text within (JSON), holds control characters."""
    return sorted({str(name) for name, value in values if _holds_control_characters(name) or
                   _holds_control_characters(value)})


def _holds_control_characters(value) -> bool:
    if isinstance(value, str):
        return has_control_characters(value)
    if isinstance(value, dict):
        return any(_holds_control_characters(key) or _holds_control_characters(inner) for key, inner in value.items())
    if isinstance(value, list):
        return any(_holds_control_characters(inner) for inner in value)
    return False


def record_id(text: str) -> int:
    """A ``type=`` for ``request.args.get``: an id or a page number, 1 to MAX_ID (else ValueError: the default)."""
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError(text)
    return value


def year(text: str) -> int:
    """A ``type=`` for ``request.args.get``: a calendar year the app can count in."""
    value = int(text)
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError(text)
    return value
