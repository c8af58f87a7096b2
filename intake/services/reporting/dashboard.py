"""The coordinators' dashboard: every figure in items and kg (and € for sales), from grouped queries.

Each section runs a few aggregate queries and returns its tables; the CSV of a chart runs its section
again with the same filters, so the file holds exactly what the chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...clock import local_date, local_days, local_today, now_utc
from ...models.item import IN_STOCK
from ...models import (AccompanimentSession, BatchContent, Category, CollectionPoint, FaultTicket, Handover, Item,
                       LeadTime, LeadTimeTally, Organisation, RecyclingBatch, Territory, WasteShipment)
from ...vocabulary import term
from .filters import (Filters, day_in, item_scope, moment_in, month_of_day, month_of_moment, months_between,
                      received_in, scope, years_covered)
from ..outcomes import add_months
from .impact import factors_by_category
from .lots import lot_groups
from .received import TallyColumns, grouped, nearest_month, sale_groups
from .tables import Column, Table, kg, money, share

SECOND_LIFE = ("sold", "handed_over")
ENDED_OTHERWISE = ("to_recycle", "recycled", "dismantled")
# Statuses an item waits in: the stock on hand.
# Graded A or B: reusable as is, or after a repair: the "quality" of what a source brings.
from ...models.tallies import GOOD_GRADES  # noqa: E402


def _source_names(session: Session) -> dict:
    names = dict(session.execute(sa.select(Organisation.id, Organisation.name)).all())
    names[None] = str(_l("Private donors"))
    return names


def _month_label(month: date) -> str:
    return month.strftime("%Y-%m")


# ---------------------------------------------------------------------------------------------- collected

@dataclass
class Dependency:
    largest_source: str | None
    largest_share: Decimal | None  # of the kg collected, partners only (private donors are many people)
    hhi: int | None  # Herfindahl–Hirschman index of the partners' shares in %, 0 to 10 000
    share_warning: bool
    hhi_warning: bool


def collected(session: Session, filters: Filters) -> tuple[list[Table], Dependency]:
    """What came in: per source (with each source's reuse rate), per category, per month, per territory and
    zone type (kg per inhabitant per year), and the dependency on the largest partner."""
    names = _source_names(session)
    by_source_status_point = _totals(_intake_groups(session, filters, "source", "status", "point"))

    sources: dict = {}
    for (source_id, status, _point), (count, weight) in by_source_status_point.items():
        entry = sources.setdefault(source_id, {"items": 0, "kg": Decimal(0), "life": [0, Decimal(0)],
                                               "ended": [0, Decimal(0)]})
        entry["items"] += count
        entry["kg"] += weight
        if status in SECOND_LIFE:
            entry["life"][0] += count
            entry["life"][1] += weight
        elif status in ENDED_OTHERWISE:
            entry["ended"][0] += count
            entry["ended"][1] += weight
    total_kg = sum((entry["kg"] for entry in sources.values()), Decimal(0))
    ordered = sorted(sources.items(), key=lambda pair: (-pair[1]["kg"], names.get(pair[0], "")))
    by_source = Table("by_source", _l("Collected per supply source"), [
        Column("source", _l("Source")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg"),
        Column("share", _l("Share of the weight"), "share")],
        [[names.get(source_id, "?"), entry["items"], entry["kg"], share(entry["kg"], total_kg)]
         for source_id, entry in ordered], chart="hbar", series=("kg",))
    reuse = Table("reuse_by_source", _l("Reuse rate of each source"), [
        Column("source", _l("Source")), Column("items", _l("Collected"), "items"),
        Column("life_items", _l("Second life (sold, handed over)"), "items"),
        Column("ended_items", _l("Recycled or dismantled"), "items"),
        Column("waiting_items", _l("Still in the workshop"), "items"),
        Column("rate_items", _l("Reuse rate (items)"), "share"), Column("rate_kg", _l("Reuse rate (kg)"), "share")],
        [[names.get(source_id, "?"), entry["items"], entry["life"][0], entry["ended"][0],
          entry["items"] - entry["life"][0] - entry["ended"][0],
          share(entry["life"][0], entry["life"][0] + entry["ended"][0]),
          share(entry["life"][1], entry["life"][1] + entry["ended"][1])] for source_id, entry in ordered],
        chart="hbar", series=("rate_items",),
        note=_l("Of the items collected in the period that have reached an end: the share sold or handed over. "
                "Items still in the workshop are not counted yet."))

    partners = [(source_id, entry["kg"]) for source_id, entry in ordered if source_id is not None]
    config = current_app.config
    if partners and total_kg:
        largest_id, largest_kg = partners[0]
        largest_share = share(largest_kg, total_kg)
        hhi = round(sum((Decimal(100) * weight / total_kg) ** 2 for _, weight in partners))
        dependency = Dependency(names[largest_id], largest_share, hhi,
                                largest_share > Decimal(str(config["DEPENDENCY_SHARE_WARNING"])),
                                hhi > config["DEPENDENCY_HHI_WARNING"])
    else:
        dependency = Dependency(None, None, None, False, False)

    per_point = _totals([((point,), values) for (_, _, point), values in by_source_status_point.items()])
    tables = [by_source, reuse, _by_category(session, filters), _by_month(session, filters),
              *_per_inhabitant(session, filters, per_point)]
    return tables, dependency


_ITEM_KEYS = {"point": Item.collection_point_id, "category": Item.category_id, "source": Item.source_id,
              "status": Item.status, "good": Item.grade.in_(GOOD_GRADES)}


def _intake_groups(session: Session, filters: Filters, *keys, months: list[date] | None = None,
                   lots: bool = True) -> list:
    """The period's intake grouped by ``keys`` (names: point, category, source, status, good), first by
    the local month of ``months`` if given: (key values…, items, kg), weighed lots included (their kg, no
    items). The items are counted by the intake tally (received.py), the lots on their own table."""
    start, end = local_days(filters.start, filters.end)
    boundaries = [start, *([local_days(month, month)[0] for month in months[1:]] if months else []), end]
    groups = [(key if months else key[1:], values) for key, values in grouped(session, filters, boundaries, keys)]
    item_keys = tuple(_ITEM_KEYS[name] for name in keys)
    if months:
        item_keys = (month_of_moment(Item.created_at, months), *item_keys)
    return groups + (lot_groups(session, received_in(filters), item_keys) if lots else [])


def _totals(groups: list) -> dict:
    """{key: [items, kg]} from (key values, (items, kg)) pairs; a single key value stands for itself."""
    totals: dict = {}
    for key, (count, weight) in groups:
        entry = totals.setdefault(key[0] if len(key) == 1 else key, [0, Decimal(0)])
        entry[0] += count
        entry[1] += kg(weight)
    return totals


def _by_category(session: Session, filters: Filters) -> Table:
    categories = {row.id: row for row in session.execute(sa.select(Category.id, Category.name, Category.family))}
    totals = _totals(_intake_groups(session, filters, "category"))
    rows = sorted(([categories[category_id].name, str(term("family", categories[category_id].family)), count, weight]
                   for category_id, (count, weight) in totals.items()), key=lambda row: (-row[3], row[0]))
    return Table("by_category", _l("Collected per category"), [
        Column("category", _l("Category")), Column("family", _l("Family")), Column("items", _l("Items"), "items"),
        Column("kg", _l("Weight"), "kg")], rows, chart="hbar", series=("kg",))


def _by_month(session: Session, filters: Filters) -> Table:
    months = months_between(filters.start, filters.end)
    groups = _intake_groups(session, filters, "good", months=months)
    totals = _totals([((month,), values) for (month, _), values in groups])
    good = _totals([((month,), values) for (month, is_good), values in groups if is_good])
    table_rows = []
    for index, month in enumerate(months):
        count, weight = totals.get(index, (0, Decimal(0)))
        table_rows.append([_month_label(month), count, kg(weight), share(good.get(index, (0, 0))[0], count)])
    return Table("by_month", _l("Collected per month"), [
        Column("month", _l("Month")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg"),
        Column("quality", _l("Graded A or B"), "share")], table_rows, chart="line", series=("kg", "items"))


def _per_inhabitant(session: Session, filters: Filters, per_point: dict) -> list[Table]:
    """kg collected per inhabitant per year, per territory and per zone type, against the target."""
    today = local_today()
    last_day = min(filters.end, today)
    years = years_covered(filters.start, last_day) if last_day >= filters.start else 0
    target = Decimal(str(current_app.config["KG_PER_INHABITANT_TARGET"]))
    territory_of = dict(session.execute(sa.select(CollectionPoint.id, CollectionPoint.territory_id)).all())
    territories = session.execute(sa.select(Territory.id, Territory.name, Territory.zone_type, Territory.population)
                                  .order_by(Territory.name)).all()
    collected_in: dict = {}
    for point_id, (count, weight) in per_point.items():
        territory_id = territory_of.get(point_id)
        figures = collected_in.setdefault(territory_id, [0, Decimal(0)])
        figures[0] += count
        figures[1] += weight

    def per_year(weight: Decimal, population: int):
        if not population or not years:
            return None
        return (weight / population / Decimal(str(years))).quantize(Decimal("0.001"))

    rows, zones = [], {}
    for territory_id, name, zone_type, population in territories:
        count, weight = collected_in.get(territory_id, (0, Decimal(0)))
        if filters.territory_id not in (None, territory_id) or filters.zone_type not in (None, zone_type):
            continue
        rows.append([name, str(term("zone_type", zone_type)), population, count, weight, per_year(weight, population),
                     target])
        zone = zones.setdefault(zone_type, [0, 0, Decimal(0)])
        zone[0] += population
        zone[1] += count
        zone[2] += weight
    columns = [Column("population", _l("Inhabitants"), "number"), Column("items", _l("Items"), "items"),
               Column("kg", _l("Weight"), "kg"), Column("per_inhabitant", _l("kg per inhabitant per year"), "number"),
               Column("target", _l("Target"), "number")]
    note = _l("The period's kg per inhabitant, annualised: divided by the years the period covers up to today "
              "(%(years)s; a whole calendar year is 1). Items from collection points without a territory are "
              "not counted here.", years=f"{years:.3f}")
    return [
        Table("per_territory", _l("Collection per inhabitant, per territory"),
              [Column("territory", _l("Territory")), Column("zone", _l("Zone type")), *columns], rows,
              chart="hbar", series=("per_inhabitant", "target"), note=note),
        Table("per_zone", _l("Collection per inhabitant, per zone type"),
              [Column("zone", _l("Zone type")), *columns],
              [[str(term("zone_type", zone_type)), population, count, weight, per_year(weight, population), target]
               for zone_type, (population, count, weight) in sorted(zones.items())],
              chart="bar", series=("per_inhabitant", "target"), note=note),
    ]


# ---------------------------------------------------------------------------------------------- where it went

def _pickup_factor():
    """What a batch's logged kg are multiplied by: the weight measured at pickup over the logged weight, where
    it was weighed (1 where it was not, or nothing was logged)."""
    return sa.case((RecyclingBatch.weighed_kg.is_(None), 1.0),
                   (sa.func.coalesce(RecyclingBatch.logged_kg, 0) == 0, 1.0),
                   else_=sa.cast(RecyclingBatch.weighed_kg, sa.Float) / sa.cast(RecyclingBatch.logged_kg, sa.Float))


def recycled_weight():
    """The one rule for recycled weight, for a statement joining items to their closed batch: each item's
    logged weight, scaled so that the items of a batch weighed at pickup add up to the measured weight (what
    actually left); for a batch not weighed, its logged weight. The batch keeps its items' logged total from
    its close, so a condition on the items (a partner, a period) reaches them through their own indexes,
    never through every item of the batches."""
    return sa.cast(Item.weight_kg, sa.Float) * _pickup_factor()


def _recycled_rows(session: Session, filters: Filters, months: list[date]):
    """Recycled and final waste per month and category (closed batches picked up in the period), from the
    batches' contents kept by the database: a few rows per batch, whatever the period. The weight is
    ``recycled_weight``'s rule, applied to each content row's logged kg."""
    final = sa.func.coalesce(WasteShipment.treatment_code.like("D%"), False)
    bucket = month_of_day(RecyclingBatch.pickup_on, months)
    recycled_kg = sa.cast(BatchContent.kg, sa.Float) * _pickup_factor()
    return session.execute(
        sa.select(bucket, BatchContent.category_id, final, sa.func.sum(BatchContent.items), sa.func.sum(recycled_kg))
        .select_from(BatchContent).join(RecyclingBatch, BatchContent.recycling_batch_id == RecyclingBatch.id)
        .outerjoin(WasteShipment, WasteShipment.batch_id == RecyclingBatch.id)
        .where(RecyclingBatch.state == "closed", day_in(RecyclingBatch.pickup_on, filters),
               *scope(filters, TallyColumns(BatchContent)))
        .group_by(bucket, BatchContent.category_id, final)).all()


@dataclass
class Totals:
    reused_items: int
    reused_kg: Decimal
    revenue: Decimal
    co2e_kg: Decimal | None  # None when no reused category has a factor
    kg_without_factor: Decimal
    returned_items: int


def destinations(session: Session, filters: Filters) -> tuple[list[Table], Totals]:
    """Where items went in the period: reused (sold, handed over), recycled, dismantled for parts, final
    waste; sales per category and channel; handovers per landlord with training; the impact."""
    months = months_between(filters.start, filters.end)
    categories = {row.id: row for row in session.execute(sa.select(Category.id, Category.name))}
    sales = sale_groups(session, filters, months)
    handover_month = month_of_day(Handover.handed_on, months)
    handovers = session.execute(
        sa.select(handover_month, Item.category_id, Handover.landlord_id, sa.func.count(Handover.id),
                  sa.func.sum(Item.weight_kg))
        .join(Item, Handover.item_id == Item.id).where(day_in(Handover.handed_on, filters), *item_scope(filters))
        .group_by(handover_month, Item.category_id, Handover.landlord_id)).all()
    recycled = _recycled_rows(session, filters, months)
    # Dismantlings and returns as the database wrote them beside the lead times (models/reporting.py), with
    # their item's point, category, source and weight: one index, no item read.
    dismantled_month = month_of_moment(LeadTime.at, months)
    dismantled = session.execute(
        sa.select(dismantled_month, LeadTime.category_id, sa.func.count(), sa.func.sum(LeadTime.weight_kg))
        .where(LeadTime.stage == "dismantled", moment_in(LeadTime.at, filters), *scope(filters, LeadTime))
        .group_by(dismantled_month, LeadTime.category_id)).all()
    returned = session.scalar(
        sa.select(sa.func.count())
        .where(LeadTime.stage == "returned", moment_in(LeadTime.at, filters), *scope(filters, LeadTime)))

    kinds = ("sold", "handed_over", "recycled", "final_waste", "dismantled")
    per_month = {index: {kind: [0, Decimal(0)] for kind in kinds} for index in range(len(months))}

    def add(index, kind, count, weight):
        per_month[index][kind][0] += count
        per_month[index][kind][1] += kg(weight)

    for index, _category, _channel, count, weight, _price in sales:
        add(index, "sold", count, weight)
    for index, _category, _landlord, count, weight in handovers:
        add(index, "handed_over", count, weight)
    for index, _category, final, count, weight in recycled:
        add(index, "final_waste" if final else "recycled", count, weight)
    for index, _category, count, weight in dismantled:
        add(index, "dismantled", count, weight)
    totals = {kind: [sum(per_month[i][kind][0] for i in per_month), sum((per_month[i][kind][1] for i in per_month),
                                                                          Decimal(0))] for kind in kinds}
    names = {"sold": _l("Sold"), "handed_over": _l("Handed over"), "recycled": _l("Recycled"),
             "final_waste": _l("Final waste (disposal)"), "dismantled": _l("Dismantled for parts")}
    left_kg = sum((totals[kind][1] for kind in kinds), Decimal(0))
    destination = Table("destinations", _l("Where items went"), [
        Column("destination", _l("Destination")), Column("items", _l("Items"), "items"),
        Column("kg", _l("Weight"), "kg"), Column("share", _l("Share of the weight that left"), "share")],
        [[str(names[kind]), totals[kind][0], totals[kind][1], share(totals[kind][1], left_kg)] for kind in kinds],
        chart="bar", series=("kg",),
        note=_l("Reuse by repair is sold plus handed over. Recycled and final waste are the closed batches picked "
                "up in the period, at their weight measured at pickup where they were weighed; final waste is "
                "a batch whose treatment code is a disposal (D1 to D15)."))
    stacked = Table("destinations_by_month", _l("Reuse, recycling and parts, per month (kg)"), [
        Column("month", _l("Month")),
        Column("reused", _l("Reused (sold, handed over)"), "kg"), Column("recycled", _l("Recycled"), "kg"),
        Column("dismantled", _l("Dismantled for parts"), "kg"), Column("final_waste", _l("Final waste"), "kg")],
        [[_month_label(month), per_month[i]["sold"][1] + per_month[i]["handed_over"][1], per_month[i]["recycled"][1],
          per_month[i]["dismantled"][1], per_month[i]["final_waste"][1]] for i, month in enumerate(months)],
        chart="stacked", series=("reused", "recycled", "dismantled", "final_waste"))

    by_category: dict = {}
    by_channel: dict = {}
    reused_by_category: dict = {}
    for _index, category_id, channel, count, weight, price in sales:
        for key, bucket in ((category_id, by_category), (channel, by_channel)):
            entry = bucket.setdefault(key, [0, Decimal(0), Decimal(0)])
            entry[0] += count
            entry[1] += kg(weight)
            entry[2] += money(price)
        reused_by_category[category_id] = reused_by_category.get(category_id, Decimal(0)) + kg(weight)
    for _index, category_id, _landlord, _count, weight in handovers:
        reused_by_category[category_id] = reused_by_category.get(category_id, Decimal(0)) + kg(weight)
    sale_columns = [Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg"),
                    Column("revenue", _l("Revenue"), "money")]
    sales_by_category = Table("sales_by_category", _l("Sold, per category"),
                              [Column("category", _l("Category")), *sale_columns],
                              sorted([[categories[cid].name, *values] for cid, values in by_category.items()],
                                     key=lambda row: (-row[3], row[0])), chart="hbar", series=("revenue",))
    sales_by_channel = Table("sales_by_channel", _l("Sold, per channel"),
                             [Column("channel", _l("Channel")), *sale_columns],
                             sorted([[str(term("sale_channel", channel)), *values]
                                     for channel, values in by_channel.items()], key=lambda row: (-row[3], row[0])),
                             chart="bar", series=("revenue",))

    landlords = _handovers_by_landlord(session, filters, handovers)
    impact, co2e, without_factor = _impact(session, categories, reused_by_category)
    total = Totals(totals["sold"][0] + totals["handed_over"][0], totals["sold"][1] + totals["handed_over"][1],
                   sum((values[2] for values in by_channel.values()), Decimal(0)), co2e, without_factor, returned or 0)
    return [destination, stacked, sales_by_category, sales_by_channel, landlords, impact], total


def _handovers_by_landlord(session: Session, filters: Filters, handovers) -> Table:
    names = _source_names(session)
    sessions = dict((row[0], row[1:]) for row in session.execute(
        sa.select(Handover.landlord_id, sa.func.count(AccompanimentSession.id),
                  sa.func.count(AccompanimentSession.attended_on))
        .join(AccompanimentSession, AccompanimentSession.handover_id == Handover.id)
        .join(Item, Handover.item_id == Item.id)
        .where(day_in(Handover.handed_on, filters), *item_scope(filters)).group_by(Handover.landlord_id)))
    per_landlord: dict = {}
    for _index, _category, landlord_id, count, weight in handovers:
        entry = per_landlord.setdefault(landlord_id, [0, Decimal(0)])
        entry[0] += count
        entry[1] += kg(weight)
    rows = [[names.get(landlord_id, "?"), count, weight, *sessions.get(landlord_id, (0, 0))]
            for landlord_id, (count, weight) in per_landlord.items()]
    return Table("handovers_by_landlord", _l("Handed over, per landlord"), [
        Column("landlord", _l("Landlord")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg"),
        Column("planned", _l("Training sessions planned"), "number"),
        Column("attended", _l("Training sessions attended"), "number")],
        sorted(rows, key=lambda row: (-row[1], row[0])), chart="bar", series=("items", "planned", "attended"))


def _impact(session: Session, categories: dict, reused_by_category: dict):
    factors = factors_by_category(session)
    rows, co2e, without = [], Decimal(0), Decimal(0)
    for category_id, weight in sorted(reused_by_category.items(), key=lambda pair: -pair[1]):
        factor = factors.get(category_id)
        avoided = (weight * factor.kg_co2e_per_kg).quantize(Decimal("0.1")) if factor else None
        if factor:
            co2e += avoided
        else:
            without += weight
        rows.append([categories[category_id].name, weight, factor.kg_co2e_per_kg if factor else None, avoided,
                     factor.source if factor else None])
    table = Table("impact", _l("Impact of reuse"), [
        Column("category", _l("Category")), Column("kg", _l("Diverted from waste by reuse"), "kg"),
        Column("factor", _l("Factor (kg CO₂e per kg)"), "number"), Column("co2e", _l("CO₂e avoided"), "co2e"),
        Column("source", _l("Source of the factor"))], rows, chart="hbar", series=("co2e",),
        note=_l("No CO₂e is shown for a category without a factor. Shipped factors assume every reused device "
                "replaces a new one: an upper bound."))
    return table, (co2e if any(row[3] is not None for row in rows) else None), without


# ---------------------------------------------------------------------------------------------- stock, lead times

AGE_BUCKETS = (30, 90, 180)


def stock(session: Session, filters: Filters) -> Table:
    """Items on hand now, per status and age since intake (the period does not apply: it is now)."""
    now = now_utc()
    # Oldest first: before 180 days ago, 180 to 90, 90 to 30, the last 30 days (the intake tally's buckets).
    boundaries = [None, *[now - timedelta(days=days) for days in reversed(AGE_BUCKETS)], None]
    found = {(status, len(AGE_BUCKETS) - bucket): (count, kg(weight))
             for (bucket, status), (count, weight) in grouped(session, filters, boundaries, ("status",), IN_STOCK)}
    labels = [_l("under %(days)s days", days=AGE_BUCKETS[0])] + [
        _l("%(low)s to %(high)s days", low=low, high=high) for low, high in zip(AGE_BUCKETS, AGE_BUCKETS[1:])] + [
        _l("over %(days)s days", days=AGE_BUCKETS[-1])]
    columns = [Column("status", _l("Status"))]
    for index, label in enumerate(labels):
        columns.append(Column(f"age{index}", label, "items"))
    columns += [Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg")]
    table_rows = []
    for status in IN_STOCK:
        counts = [found.get((status, index), (0, 0))[0] for index in range(len(labels))]
        weight = sum((found.get((status, index), (0, Decimal(0)))[1] for index in range(len(labels))), Decimal(0))
        table_rows.append([str(term("status", status)), *counts, sum(counts), weight])
    return Table("stock", _l("Stock on hand, per status and age"), columns, table_rows, chart="stacked",
                 series=tuple(f"age{index}" for index in range(len(labels))))


def _percentiles(session: Session, durations) -> tuple[int, Decimal | None, Decimal | None]:
    """Count, median and 90th percentile of a subquery's ``days``, to a tenth of a day: the database counts
    durations per tenth, ``_ranked`` walks the few hundred counts."""
    tenths = sa.func.round(durations.c.days * 10).label("tenths")
    return _ranked(session.execute(sa.select(tenths, sa.func.count()).where(durations.c.days.is_not(None))
                                   .group_by(tenths)).all())


def _ranked(counts) -> tuple[int, Decimal | None, Decimal | None]:
    """Count, median and 90th percentile from (tenths of a day, how many) pairs, by nearest rank (the value
    at rank ⌈p·n⌉ of the sorted list)."""
    counts = sorted((int(round(value)), count) for value, count in counts if count)
    n = sum(count for _, count in counts)
    wanted = {"median": (n + 1) // 2, "p90": (9 * n + 9) // 10}  # ⌈n/2⌉ and ⌈9n/10⌉ in integers
    found, seen = {}, 0
    for value, count in counts:
        seen += count
        for name, rank in wanted.items():
            if name not in found and rank <= seen:
                found[name] = (Decimal(value) / 10).quantize(Decimal("0.1"))
    return n, found.get("median"), found.get("p90")


def _lead_tenths(session: Session, stage: str, filters: Filters) -> list:
    """(tenths of a day, how many) of one stage's measures in the period. With no filter but the period:
    the tally's whole UTC months, and the measures between each boundary and its UTC month from the measures
    themselves (added where the period holds them and the tally does not, taken away the other way round);
    with filters, from the measures (one index)."""
    tenths = sa.func.round(LeadTime.days * 10)

    def measured(low, high) -> list:
        return session.execute(
            sa.select(tenths, sa.func.count())
            .where(LeadTime.stage == stage, LeadTime.days.is_not(None), LeadTime.at >= low, LeadTime.at < high,
                   *scope(filters, LeadTime))
            .group_by(tenths)).all()

    start, end = local_days(filters.start, filters.end)
    first, last = nearest_month(start), nearest_month(end)
    if filters != Filters(filters.start, filters.end) or first >= last:
        return measured(start, end)
    counts: dict = {}
    for value, count in session.execute(
            sa.select(LeadTimeTally.tenths, sa.func.sum(LeadTimeTally.items))
            .where(LeadTimeTally.stage == stage, LeadTimeTally.month >= first.date(),
                   LeadTimeTally.month < last.date())
            .group_by(LeadTimeTally.tenths)):
        counts[int(value)] = counts.get(int(value), 0) + count
    for low, high, sign in ((start, first, 1), (first, start, -1), (last, end, 1), (end, last, -1)):
        if low < high:
            for value, count in measured(low, high):
                counts[int(round(value))] = counts.get(int(round(value)), 0) + sign * count
    return list(counts.items())


def lead_times(session: Session, filters: Filters) -> Table:
    """Days from intake to an item's first time ready, and from its last time ready to its sale or handover,
    for those that happened in the period: median and 90th percentile. The database writes each measure
    when the event happens (models/reporting.py, LeadTime) and counts them per month and tenth of a day
    (LeadTimeTally), so this reads a few hundred rows per month of the period."""
    rows = []
    for label, stage in ((_l("Intake → ready"), "to_ready"), (_l("Ready → sold or handed over"), "to_out")):
        count, median, p90 = _ranked(_lead_tenths(session, stage, filters))
        rows.append([str(label), count, median, p90])
    return Table("lead_times", _l("Lead times"), [
        Column("stage", _l("Stage")), Column("items", _l("Items"), "items"), Column("median", _l("Median"), "days"),
        Column("p90", _l("90th percentile"), "days")], rows, chart="bar", series=("median", "p90"),
        note=_l("Percentiles by nearest rank: the median is the value at rank ⌈n/2⌉ of the sorted durations."))


def partner_effect(session: Session, filters: Filters) -> Table:
    """For each partner that started in the period: the monthly volume and quality of everything collected
    (all sources, other filters applied) in the N months before its start month and from its start month on."""
    window = current_app.config["PARTNER_EFFECT_MONTHS"]
    # A partner without a start date started with its first item (one index seek per such partner).
    first_item = (sa.select(sa.func.min(Item.created_at)).where(Item.source_id == Organisation.id)
                  .correlate(Organisation).scalar_subquery())
    starts = []
    for name, since, first in session.execute(
            sa.select(Organisation.name, Organisation.partner_since,
                      sa.case((Organisation.partner_since.is_(None), first_item)))):
        since = since or (local_date(first) if first is not None else None)
        if since is not None and filters.start <= since <= filters.end:
            starts.append((name, since))
    today = local_today()
    last_complete = add_months(date(today.year, today.month, 1), -1)
    columns = [Column("partner", _l("Partner")), Column("since", _l("Started on"), "date"),
               Column("before_items", _l("Items per month before"), "number"),
               Column("after_items", _l("Items per month after"), "number"),
               Column("change_items", _l("Change (items)"), "share"),
               Column("before_kg", _l("kg per month before"), "kg"), Column("after_kg", _l("kg per month after"), "kg"),
               Column("before_quality", _l("Graded A or B before"), "share"),
               Column("after_quality", _l("Graded A or B after"), "share")]
    note = _l("All sources together, %(months)s months before the partner's start month against the months from "
              "its start month on (%(months)s at most, complete months only).", months=window)
    if not starts:
        return Table("partner_effect", _l("A partner's effect"), columns, [], note=note)
    first_month = add_months(date(min(s for _, s in starts).year, min(s for _, s in starts).month, 1), -window)
    last_month = min(add_months(date(max(s for _, s in starts).year, max(s for _, s in starts).month, 1),
                             window - 1), last_complete)
    months = months_between(first_month, max(last_month, first_month))
    scope = filters.but(start=first_month, end=add_months(months[-1], 1) - timedelta(days=1), source=None)
    monthly: dict = {}
    for (index, good), (count, weight) in _intake_groups(session, scope, "good", months=months, lots=False):
        entry = monthly.setdefault(index, [0, Decimal(0), 0])
        entry[0] += count
        entry[1] += kg(weight)
        entry[2] += count if good else 0
    rows = []
    for name, since in sorted(starts, key=lambda pair: pair[1]):
        start_month = date(since.year, since.month, 1)
        before = [m for m in months if add_months(start_month, -window) <= m < start_month]
        after = [m for m in months if start_month <= m <= min(add_months(start_month, window - 1), last_complete)]

        def sums(window_months):
            items = sum(monthly.get(months.index(m), (0, 0, 0))[0] for m in window_months)
            weight = sum((kg(monthly.get(months.index(m), (0, 0, 0))[1]) for m in window_months), Decimal(0))
            good = sum(monthly.get(months.index(m), (0, 0, 0))[2] or 0 for m in window_months)
            return items, weight, good

        b_items, b_kg, b_good = sums(before)
        a_items, a_kg, a_good = sums(after)
        per = lambda total, count: (Decimal(total) / count).quantize(Decimal("0.1")) if count else None  # noqa: E731
        before_items, after_items = per(b_items, len(before)), per(a_items, len(after))
        rows.append([name, since, before_items, after_items,
                     (share(after_items, before_items) - 1) if after_items is not None and before_items else None,
                     per(b_kg, len(before)), per(a_kg, len(after)), share(b_good, b_items), share(a_good, a_items)])
    return Table("partner_effect", _l("A partner's effect"), columns, rows, note=note)


# ---------------------------------------------------------------------------------------------- after-sales

def _days_between(session: Session, start, end):
    """Days from one timestamp column to another, in the database (fractions kept)."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", end - start) / 86400
    return sa.func.julianday(end) - sa.func.julianday(start)


def faults(session: Session, filters: Filters, left: int | None = None) -> list[Table]:
    """Faults reported in the period, per category and per source; the time from report to resolution of
    those resolved in the period; the share of the items that left in the period (``left``: sold or handed
    over, the destinations' count when the dashboard has it) that came back under warranty (tickets reported
    in the period, taken back or replaced)."""
    # Its item came back to the workshop: taken back, or replaced (which takes it back first).
    came_back = sa.case((FaultTicket.return_event_id.is_not(None), 1), else_=0)
    rows = session.execute(
        sa.select(Category.name, FaultTicket.source, sa.func.count(FaultTicket.id),
                  sa.func.sum(sa.case((FaultTicket.under_warranty, 1), else_=0)), sa.func.sum(came_back),
                  sa.func.sum(sa.case((FaultTicket.under_warranty, came_back), else_=0)))
        .join(Item, FaultTicket.item_id == Item.id).join(Category, Item.category_id == Category.id)
        .where(moment_in(FaultTicket.created_at, filters), *item_scope(filters))
        .group_by(Category.name, FaultTicket.source)).all()
    by_category: dict = {}
    by_source: dict = {}
    for category, source, count, warranty, back, _back_in_warranty in rows:
        for key, bucket in ((category, by_category), (source, by_source)):
            entry = bucket.setdefault(key, [0, 0, 0])
            entry[0] += count
            entry[1] += warranty or 0
            entry[2] += back or 0
    columns = [Column("faults", _l("Faults reported"), "items"), Column("under_warranty", _l("Under warranty"), "items"),
               Column("came_back", _l("Came back to the workshop"), "items")]
    per_category = Table("faults_by_category", _l("Faults reported, per category"),
                         [Column("category", _l("Category")), *columns],
                         sorted([[name, *values] for name, values in by_category.items()], key=lambda row: (-row[1], row[0])),
                         chart="hbar", series=("faults",))
    per_source = Table("faults_by_source", _l("Faults reported, per source"),
                       [Column("source", _l("Reported by")), *columns],
                       sorted([[str(term("fault_source", source)), *values] for source, values in by_source.items()],
                              key=lambda row: (-row[1], row[0])), chart="bar", series=("faults", "came_back"))

    durations = (sa.select(_days_between(session, FaultTicket.created_at, FaultTicket.resolved_at).label("days"))
                 .join(Item, FaultTicket.item_id == Item.id)
                 .where(FaultTicket.resolved_at.is_not(None), moment_in(FaultTicket.resolved_at, filters),
                        *item_scope(filters)).subquery())
    count, median, p90 = _percentiles(session, durations)
    if left is None:  # sales from their tally, handovers from theirs
        sold = sum(row[3] for row in sale_groups(session, filters, months_between(filters.start, filters.end)))
        left = sold + (session.scalar(sa.select(sa.func.count(Handover.id)).join(Item, Handover.item_id == Item.id)
                                      .where(day_in(Handover.handed_on, filters), *item_scope(filters))) or 0)
    back_in_warranty = sum(row[5] or 0 for row in rows)
    resolution = Table("fault_resolution", _l("After-sales: resolution and returns under warranty"), [
        Column("measure", _l("Measure")), Column("items", _l("Items"), "items"), Column("median", _l("Median"), "days"),
        Column("p90", _l("90th percentile"), "days"), Column("share", _l("Share of the items that left"), "share")], [
        [str(_l("Report → resolution")), count, median, p90, None],
        [str(_l("Came back under warranty")), back_in_warranty, None, None, share(back_in_warranty, left)],
        [str(_l("Sold or handed over")), left, None, None, None]],
        note=_l("Resolution: replaced, or answered and closed, in the period. Came back under warranty: faults "
                "reported in the period on an item under warranty that was taken back or replaced, against the "
                "items sold or handed over in the period."))
    return [per_category, per_source, resolution]


SECTIONS = {
    "collected": ("by_source", "reuse_by_source", "by_category", "by_month", "per_territory", "per_zone"),
    "destinations": ("destinations", "destinations_by_month", "sales_by_category", "sales_by_channel",
                     "handovers_by_landlord", "impact"),
    "stock": ("stock",),
    "lead_times": ("lead_times",),
    "partner_effect": ("partner_effect",),
    "faults": ("faults_by_category", "faults_by_source", "fault_resolution"),
}


def one_table(session: Session, filters: Filters, key: str) -> Table | None:
    """One table of the dashboard (for its CSV), computed by its section alone."""
    if key in SECTIONS["collected"]:
        tables, _ = collected(session, filters)
    elif key in SECTIONS["destinations"]:
        tables, _ = destinations(session, filters)
    elif key == "stock":
        tables = [stock(session, filters)]
    elif key == "lead_times":
        tables = [lead_times(session, filters)]
    elif key == "partner_effect":
        tables = [partner_effect(session, filters)]
    elif key in SECTIONS["faults"]:
        tables = faults(session, filters)
    else:
        return None
    return next(table for table in tables if table.key == key)


@dataclass
class Dashboard:
    tables: dict
    dependency: Dependency
    totals: Totals


def dashboard(session: Session, filters: Filters) -> Dashboard:
    collected_tables, dependency = collected(session, filters)
    destination_tables, totals = destinations(session, filters)
    tables = [*collected_tables, *destination_tables, stock(session, filters), lead_times(session, filters),
              partner_effect(session, filters), *faults(session, filters, left=totals.reused_items)]
    return Dashboard({table.key: table for table in tables}, dependency, totals)
