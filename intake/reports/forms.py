"""The dashboard's filters, read from the URL: a period (year, quarter, month, or any two days) and the rest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from ..clock import local_today
from ..inputs import MAX_YEAR, MIN_YEAR, record_id
from ..models.category import FAMILIES
from ..models.organisation import ZONE_TYPES
from ..services.reporting.filters import PRIVATE, Filters, month_period, quarter_period, year_period

# The longest period one page adds up, month by month.
MAX_DAYS = 10 * 366


def _int(args, name: str, low: int, high: int) -> int | None:
    try:
        value = int(args.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _day(args, name: str) -> date | None:
    try:
        value = date.fromisoformat(args.get(name, ""))
    except ValueError:
        return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def _id(args, name: str) -> int | None:
    try:
        return record_id(args.get(name, ""))
    except ValueError:
        return None


def period_from(args) -> tuple[date, date]:
    """year (with quarter or month), else start and end, else the current year. Never fails: a value that
    cannot be read is left out."""
    year = _int(args, "year", MIN_YEAR, MAX_YEAR)
    if year is not None:
        quarter, month = _int(args, "quarter", 1, 4), _int(args, "month", 1, 12)
        if month:
            return month_period(year, month)
        if quarter:
            return quarter_period(year, quarter)
        return year_period(year)
    start, end = _day(args, "start"), _day(args, "end")
    if start or end:
        start = start or (end - timedelta(days=364))
        end = end or local_today()
        if end < start:
            start, end = end, start
        return start, min(end, start + timedelta(days=MAX_DAYS - 1))
    return year_period(local_today().year)


def filters_from(args) -> Filters:
    start, end = period_from(args)
    source = args.get("source")
    return Filters(start=start, end=end, point_id=_id(args, "point"), territory_id=_id(args, "territory"),
                   zone_type=args.get("zone") if args.get("zone") in ZONE_TYPES else None,
                   family=args.get("family") if args.get("family") in FAMILIES else None,
                   category_id=_id(args, "category"),
                   source=PRIVATE if source == PRIVATE else _id(args, "source"))


def filter_args(filters: Filters) -> dict:
    """The URL's query arguments that give back these filters (for links, CSV files and shortcuts)."""
    args = {"start": filters.start.isoformat(), "end": filters.end.isoformat(), "point": filters.point_id,
            "territory": filters.territory_id, "zone": filters.zone_type, "family": filters.family,
            "category": filters.category_id, "source": filters.source}
    return {key: value for key, value in args.items() if value is not None}


def shortcuts(filters: Filters, *, public: bool = False, **extra) -> list[tuple[str, dict, bool]]:
    """Links to whole periods near the one shown: the years around it, its year's quarters, this month.
    Each keeps the other filters (not on the public page, which has none)."""
    kept = {} if public else {key: value for key, value in filter_args(filters).items() if key not in ("start", "end")}
    kept.update(extra)
    today = local_today()
    year = filters.start.year
    links = []
    for shown in (year - 1, year, year + 1):
        if shown <= today.year:
            links.append((str(shown), {**kept, "year": shown}, (filters.start, filters.end) == year_period(shown)))
    for quarter in range(1, 5):
        links.append((f"T{quarter} {year}", {**kept, "year": year, "quarter": quarter},
                      (filters.start, filters.end) == quarter_period(year, quarter)))
    if not public:
        links.append((today.strftime("%m/%Y"), {**kept, "year": today.year, "month": today.month},
                      (filters.start, filters.end) == month_period(today.year, today.month)))
    return links


def decimal_from(text: str):
    """A number typed with a comma or a dot; None when empty; False when it cannot be read."""
    text = (text or "").strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value if value.is_finite() else False
