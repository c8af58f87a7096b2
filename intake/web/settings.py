"""Settings read while answering a request, named for the rule they serve."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app


def amendment_window() -> timedelta:
    """How long the person who logged an item may correct it."""
    return timedelta(minutes=current_app.config["AMENDMENT_WINDOW_MINUTES"])


def undo_window() -> timedelta:
    """How long "Same again" may be undone: the seconds the button shows (the service adds its grace)."""
    return timedelta(seconds=current_app.config["UNDO_SECONDS"])
