"""A photo over the upload limit on the intake page: the page comes back with what was typed.

The phone shrinks photos before sending them (static/js/photo-shrink.js), but a page without its script,
or a file far beyond any photo, may still arrive. For a team member's intake, the body is read up to
OVERSIZE_FACTOR times the limit, so that the form can be answered with its values and a message on the
photo instead of a bare 413 page; the photo itself is still refused above the limit. Beyond that, the
413 page says why (and the page's own script gets the reason in JSON).
"""

from __future__ import annotations

import os

from flask import current_app, request
from flask_login import current_user

from ..errors import error_message
from ..services.photos import PhotoRejected

OVERSIZE_FACTOR = 4


def read_oversized_intake(endpoint: str | None, values: dict | None) -> None:
    """A URL value preprocessor: it runs before the CSRF check, the first to read the form."""
    if (endpoint == "items.intake" and request.method == "POST" and current_user.is_authenticated
            and current_user.is_staff):
        request.max_content_length = current_app.config["MAX_CONTENT_LENGTH"] * OVERSIZE_FACTOR


def refuse_oversized(upload) -> None:
    """PhotoRejected, with the 413 page's words, for a file larger than the upload limit."""
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > current_app.config["MAX_CONTENT_LENGTH"]:
        raise PhotoRejected(error_message(413))
