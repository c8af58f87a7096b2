"""What a report covers: a period and the filters a coordinator picks, turned into SQL conditions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa

from ...clock import local_days
from ...models import Category, CollectionPoint, Item, Territory

# "Private donors" in the source filter (their items have no source organisation).
PRIVATE = "private"


@dataclass(frozen=True)
class Filters:
    """The period (both days included) and the optional filters; None means everything."""

    start: date
    end: date
    point_id: int | None = None
    territory_id: int | None = None
    zone_type: str | None = None
    family: str | None = None
    category_id: int | None = None
    source: int | str | None = None  # an organisation's id, or PRIVATE

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def but(self, **changes) -> "Filters":
        return replace(self, **changes)


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def quarter_period(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    last_month = 3 * quarter
    return first, date(year, last_month, calendar.monthrange(year, last_month)[1])


def month_period(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month the period touches, in order."""
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def years_covered(start: date, end: date) -> float:
    """How many years the period is, each day counted as a share of its own year (366 in a leap year):
    a whole calendar year is exactly 1, so a year's figure "per year" is that year's figure."""
    total, day = 0.0, start
    while day <= end:
        year_end = min(end, date(day.year, 12, 31))
        days_in_year = 366 if calendar.isleap(day.year) else 365
        total += ((year_end - day).days + 1) / days_in_year
        day = year_end + timedelta(days=1)
    return total


def item_scope(filters: Filters) -> list:
    """Conditions on Item for every filter but the period; voided items never count."""
    return [Item.status != "voided", *scope(filters, Item)]


def scope(filters: Filters, table) -> list:
    """Conditions for every filter but the period, on a table with the item's ``collection_point_id``,
    ``category_id`` and ``source_id`` (Item, LeadTime).

    Places, territories and categories are small tables: they are turned into id lists in subqueries,
    so the big table is read through its own indexes."""
    conditions = []
    if filters.point_id is not None:
        conditions.append(table.collection_point_id == filters.point_id)
    if filters.territory_id is not None:
        conditions.append(table.collection_point_id.in_(
            sa.select(CollectionPoint.id).where(CollectionPoint.territory_id == filters.territory_id)))
    if filters.zone_type is not None:
        conditions.append(table.collection_point_id.in_(
            sa.select(CollectionPoint.id).join(Territory, CollectionPoint.territory_id == Territory.id)
            .where(Territory.zone_type == filters.zone_type)))
    if filters.family is not None:
        conditions.append(table.category_id.in_(sa.select(Category.id).where(Category.family == filters.family)))
    if filters.category_id is not None:
        conditions.append(table.category_id.in_(sa.select(Category.id).where(
            sa.or_(Category.id == filters.category_id, Category.parent_id == filters.category_id))))
    key = getattr(table, "source_key", None)  # a tally's (services/reporting/received.py): 0 for private donors
    if filters.source == PRIVATE:
        conditions.append(table.source_id.is_(None) if key is None else key == 0)
    elif filters.source is not None:
        conditions.append(table.source_id == filters.source if key is None else key == filters.source)
    return conditions


def received_in(filters: Filters) -> list:
    """Items logged during the period (local days), with the other filters."""
    start, end = local_days(filters.start, filters.end)
    return [Item.created_at >= start, Item.created_at < end, *item_scope(filters)]


def moment_in(column, filters: Filters):
    """A timestamp column within the period's local days."""
    start, end = local_days(filters.start, filters.end)
    return sa.and_(column >= start, column < end)


def day_in(column, filters: Filters):
    """A date column within the period."""
    return sa.and_(column >= filters.start, column <= filters.end)


def _month_index(column, starts: list) -> sa.ColumnElement:
    """The index of the month whose start is the last of ``starts`` not after the column's value, found by
    halves: a few comparisons a row however long the period, the same on both databases (and cheaper than
    PostgreSQL's time zone conversion)."""
    def between(low: int, high: int):
        if low == high:
            return sa.literal(low)
        middle = (low + high + 1) // 2
        return sa.case((column < starts[middle], between(low, middle - 1)), else_=between(middle, high))
    return between(0, len(starts) - 1)


def month_of_moment(column, months: list[date]):
    """The index (0, 1, …) of the local month a timestamp falls in, from the months' local midnights: exact
    across summer time."""
    return _month_index(column, [local_days(month, month)[0] for month in months])


def month_of_day(column, months: list[date]):
    """The index of the month a date column falls in."""
    return _month_index(column, months)


@dataclass(frozen=True)
class FilterOptions:
    points: list[tuple[int, str]]
    territories: list[tuple[int, str]]
    categories: list[tuple[int, str]]  # families' top categories first, then "family › leaf"
    sources: list[tuple[int, str]]


def filter_options(session) -> FilterOptions:
    """What the filter form offers: four small tables, read once."""
    from ...models import Organisation

    parent = sa.orm.aliased(Category)
    categories = session.execute(
        sa.select(Category.id, Category.name, parent.name).outerjoin(parent, Category.parent_id == parent.id)
        .order_by(sa.func.coalesce(parent.name, Category.name), Category.parent_id.is_not(None), Category.name)).all()
    return FilterOptions(
        points=list(session.execute(sa.select(CollectionPoint.id, CollectionPoint.name).order_by(CollectionPoint.name))),
        territories=list(session.execute(sa.select(Territory.id, Territory.name).order_by(Territory.name))),
        categories=[(category_id, f"{parent_name} › {name}" if parent_name else name)
                    for category_id, name, parent_name in categories],
        sources=list(session.execute(sa.select(Organisation.id, Organisation.name).order_by(Organisation.name))))
