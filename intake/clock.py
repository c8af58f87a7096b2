"""Today's date where the organisation is (its time zone), from one clock tests can freeze."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def local_today() -> date:
    """The date in the app's time zone (Europe/Paris by default), not the server's."""
    return now_utc().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
