"""Today's date where the organisation is (its time zone), from one clock tests can freeze."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def local_today() -> date:
    """The date in the app's time zone (Europe/Paris by default), not the server's."""
    return now_utc().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def local_days(first: date, last: date) -> tuple[datetime, datetime]:
    """From midnight of ``first`` to the midnight after ``last``, where the organisation is."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)
