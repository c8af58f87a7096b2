"""Items logged in a period, grouped, read from the intake tallies (models/tallies.py) instead of the items;
sales from the sale tally.

The tallies count items per UTC month. A period, and each bucket it is cut into (the local months of a chart,
the ages of the stock), has boundaries anywhere: each boundary is moved to the nearest start of a UTC month,
the tally's months between those are summed, and the items logged between a boundary and its UTC month
are read from the items themselves (their index on the intake time holds every column used here), added to
the bucket they belong to and taken from the one the tally put them in. The figures are those of the items,
exactly; only a few hours of items are read row by row (up to half a month's for a period that does not
start or end on a month).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...models import IntakeQuality, IntakeTally, Item, Sale, SaleTally
from ...models.tallies import GOOD_GRADES
from .filters import Filters, _month_index, day_in, item_scope, month_of_day, scope
from .tables import kg

UTC = timezone.utc


class TallyColumns:
    """A tally's columns under the items' names, for ``scope``; ``source_key`` (0 for private donors) is
    compared as it is, so that a source's rows are read through the tallies' index on it."""

    def __init__(self, table):
        self.collection_point_id = table.collection_point_id
        self.category_id = table.category_id
        self.source_id = sa.func.nullif(table.source_key, 0)
        self.source_key = table.source_key


# What each key is on the items.
ITEM_KEYS = {"point": Item.collection_point_id, "category": Item.category_id, "source": Item.source_id,
             "status": Item.status, "good": Item.grade.in_(GOOD_GRADES)}


def _on_tally(table, name: str):
    columns = {"point": table.collection_point_id, "category": table.category_id,
               "source": sa.func.nullif(table.source_key, 0)}
    return columns[name] if name in columns else getattr(table, name)


def _month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _next_month(start: datetime) -> datetime:
    return datetime(start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC)


def nearest_month(moment: datetime | None) -> datetime | None:
    """The start of the UTC month nearest to ``moment`` (None, no boundary, stays None)."""
    if moment is None:
        return None
    low = _month_start(moment)
    high = _next_month(low)
    return low if moment - low <= high - moment else high


def _merged(stretches: list) -> list:
    """Sorted [low, high) stretches with those that overlap made one: an item is read once."""
    merged: list = []
    for low, high in stretches:
        if merged and low < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _as_date(value) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _bucket_of(value, boundaries: list) -> int:
    """``_bucket`` in Python, for one value: the bucket [b_i, b_i+1) it falls in; -1 before the first
    boundary, n after the last (None: unbounded)."""
    n = len(boundaries) - 1
    if boundaries[0] is not None and value < boundaries[0]:
        return -1
    if boundaries[-1] is not None and value >= boundaries[-1]:
        return n
    return bisect_right(boundaries[1:-1], value)


def _bucket(column, boundaries: list):
    """The index of the bucket [b_i, b_i+1) a value falls in; -1 before the first boundary, n after the last
    (None: unbounded)."""
    values = boundaries
    n = len(values) - 1
    inner = _month_index(column, [None, *values[1:-1]]) if n > 1 else sa.literal(0)
    whens = []
    if values[0] is not None:
        whens.append((column < values[0], -1))
    if values[-1] is not None:
        whens.append((column >= values[-1], n))
    return sa.case(*whens, else_=inner) if whens else inner


def grouped(session: Session, filters: Filters, boundaries: list, keys: tuple[str, ...],
            statuses: tuple[str, ...] | None = None) -> list:
    """Items logged within ``boundaries`` (aware datetimes, increasing; the first and last may be None:
    unbounded), not voided, of ``statuses`` if given, meeting every filter but the period, grouped by the
    bucket [b_i, b_i+1) they fall in and ``keys`` (names of KEYS): [((bucket, key values…), (items, kg))],
    groups of no item left out."""
    n = len(boundaries) - 1
    snapped = [nearest_month(b) for b in boundaries]
    totals: dict = {}

    def add(key, count, weight, sign=1):
        entry = totals.setdefault(key, [0, Decimal(0)])
        entry[0] += sign * count
        entry[1] += sign * kg(weight)

    # Statuses are in the tally per status (voided items there, in theirs); the rest in the smaller one per grade.
    by_status = "status" in keys or statuses is not None
    table = IntakeTally if by_status else IntakeQuality
    on_tally = [_on_tally(table, name) for name in keys]
    where = scope(filters, TallyColumns(table))
    if by_status:
        where.append(table.status != "voided")
    if statuses is not None:
        where.append(table.status.in_(statuses))
    if snapped[0] is not None:
        where.append(table.month >= snapped[0].date())
    if snapped[-1] is not None:
        where.append(table.month < snapped[-1].date())
    # Grouped by the tally's own month, each month then put in its bucket here: the database sums rows
    # without working out a bucket for each of them.
    month_starts = [b.date() if b is not None else None for b in snapped]
    for row in session.execute(sa.select(table.month, *on_tally, sa.func.sum(table.items), sa.func.sum(table.kg))
                               .where(*where).group_by(table.month, *on_tally)):
        add((_bucket_of(_as_date(row[0]), month_starts), *row[1:-2]), row[-2], row[-1])

    # The items between a boundary and its UTC month: where the tally put them, and where they belong. Each
    # stretch is its own SELECT of one range of the items' index on their intake time, put together by UNION
    # ALL: an OR of thirty ranges is a plan SQLite may answer by reading every item.
    stretches = _merged(sorted((min(b, s), max(b, s)) for b, s in zip(boundaries, snapped) if b is not None and b != s))
    if stretches:
        conditions = [Item.status != "voided", *scope(filters, Item)]
        if statuses is not None:
            conditions.append(Item.status.in_(statuses))
        columns = [Item.created_at.label("created_at"), *(ITEM_KEYS[name].label(f"key_{index}")
                                                          for index, name in enumerate(keys)),
                   Item.id.label("id"), Item.weight_kg.label("weight_kg")]
        parts = [sa.select(*columns).where(Item.created_at >= low, Item.created_at < high, *conditions)
                 for low, high in stretches]
        edge = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery()
        counted, belongs = _bucket(edge.c.created_at, snapped), _bucket(edge.c.created_at, boundaries)
        on_edge = [edge.c[f"key_{index}"] for index in range(len(keys))]
        for row in session.execute(
                sa.select(counted, belongs, *on_edge, sa.func.count(edge.c.id), sa.func.sum(edge.c.weight_kg))
                .group_by(counted, belongs, *on_edge)):
            was, right, values, count, weight = row[0], row[1], tuple(row[2:-2]), row[-2], row[-1]
            if was != right:
                add((was, *values), count, weight, -1)
                add((right, *values), count, weight)
    return [(key, (count, weight)) for key, (count, weight) in totals.items() if 0 <= key[0] < n and count]


def summed_by(groups: list, key) -> dict:
    """``grouped``'s figures added up under ``key(values)`` (a category's family, a source's public name…):
    {key: [items, kg]}."""
    totals: dict = {}
    for values, (count, weight) in groups:
        entry = totals.setdefault(key(values), [0, Decimal(0)])
        entry[0] += count
        entry[1] += weight
    return totals


# ---------------------------------------------------------------------------------------------- sales

def sale_groups(session: Session, filters: Filters, months: list[date]) -> list:
    """Sales in the period meeting the filters, per month of ``months`` (index), category and channel:
    [(month index, category id, channel, sales, kg, revenue)]. Whole months come from the sale tally (its
    months are the sales' own dates: no boundary to move); the days of a month the period only partly covers
    from the sales themselves."""
    def last_day(month: date) -> date:
        return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)

    whole = [month for month in months if month >= filters.start and last_day(month) <= filters.end]
    rows = []
    if whole:
        index = {month: months.index(month) for month in whole}
        month = SaleTally.month
        for row in session.execute(
                sa.select(month, SaleTally.category_id, SaleTally.channel, sa.func.sum(SaleTally.sales),
                          sa.func.sum(SaleTally.kg), sa.func.sum(SaleTally.revenue))
                .where(month >= whole[0], month <= whole[-1], *scope(filters, TallyColumns(SaleTally)))
                .group_by(month, SaleTally.category_id, SaleTally.channel)):
            if row[0] in index:
                rows.append((index[row[0]], *row[1:]))
    parts = [day_in(Sale.sold_on, filters.but(start=max(month, filters.start), end=min(last_day(month), filters.end)))
             for month in months if month not in whole]
    if parts:
        sale_month = month_of_day(Sale.sold_on, months)
        rows += session.execute(
            sa.select(sale_month, Item.category_id, Sale.channel, sa.func.count(Sale.id), sa.func.sum(Item.weight_kg),
                      sa.func.sum(Sale.price))
            .join(Item, Sale.item_id == Item.id).where(sa.or_(*parts), *item_scope(filters))
            .group_by(sale_month, Item.category_id, Sale.channel)).all()
    return rows
