"""The app's one clock: now in UTC, and today's date where the organisation is (its time zone).

Everything that needs the time (column defaults, services, views) asks ``now_utc`` here, so that
``freeze`` stops it everywhere at once (tests, and a replay of a day's events).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app


_frozen_at: datetime | None = None


def now_utc() -> datetime:
    """Now, timezone-aware in UTC (or the moment the clock was frozen at)."""
    return _frozen_at if _frozen_at is not None else datetime.now(timezone.utc)


def freeze(moment: datetime | None) -> None:
    """Stop the clock at ``moment`` (aware); None starts it again."""
    global _frozen_at
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze the clock at an aware datetime")
    _frozen_at = moment


def local_today() -> date:
    """The date in the app's time zone (Europe/Paris by default), not the server's."""
    return local_date(now_utc())


def local_date(moment: datetime) -> date:
    """The date of ``moment`` where the organisation is."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def local_days(first: date, last: date) -> tuple[datetime, datetime]:
    """From midnight of ``first`` to the midnight after ``last``, where the organisation is."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)
