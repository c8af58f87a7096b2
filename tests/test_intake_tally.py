"""The intake tally (models/tallies.py) the dashboard reads instead of the items: kept equal to the items by
the database through intakes, status changes, corrections, undos and deletions; and the dashboard's figures
read from it equal the same figures counted on the items, whatever the period and the filters — local months
that start before their UTC month included."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from intake.clock import local_days
from intake.extensions import db
from intake.models import CollectionPoint, Item, Organisation, Sale, Territory
from intake.models.item import IN_STOCK
from intake.services.amendments import Amendment, amend_item
from intake.services.reporting.dashboard import GOOD_GRADES, _source_names, collected, partner_effect, stock
from intake.services.outcomes import record_sale
from intake.services.reporting.filters import (PRIVATE, Filters, day_in, item_scope, month_of_day, month_of_moment,
                                              months_between, scope)
from intake.services.reporting.received import grouped, nearest_month, sale_groups
from intake.services.reporting.tables import kg, money
from intake.services.status import change_status, void_intake

from .factories import make_item, make_ready, pass_checks, user

UTC = timezone.utc


def tally_from_items(table: str = "intake_tally") -> dict:
    """What a tally must hold, counted the slow way, in Python: per status, or per good grade (not voided)."""
    expected: dict = {}
    for item in db.session.scalars(sa.select(Item)):
        if table == "intake_quality" and item.status == "voided":
            continue
        created = item.created_at.astimezone(UTC)
        key = (item.structure_id, date(created.year, created.month, 1), item.collection_point_id, item.category_id,
               item.source_id or 0, item.status if table == "intake_tally" else item.grade in GOOD_GRADES)
        entry = expected.setdefault(key, [0, Decimal(0)])
        entry[0] += 1
        entry[1] += item.weight_kg
    return {key: (count, weight.quantize(Decimal("0.001"))) for key, (count, weight) in expected.items()}


def tally_counted(table: str = "intake_tally") -> dict:
    last = "status" if table == "intake_tally" else "good"
    rows = db.session.execute(sa.text(
        f"SELECT structure_id, month, collection_point_id, category_id, source_key, {last}, items, kg FROM {table}"))
    return {(structure, date.fromisoformat(str(month)[:10]), point, category, source,
             value if last == "status" else bool(value)): (count, Decimal(str(weight)).quantize(Decimal("0.001")))
            for structure, month, point, category, source, value, count, weight in rows}


def tallies_hold_the_items() -> bool:
    return all(tally_counted(table) == tally_from_items(table) for table in ("intake_tally", "intake_quality"))


def test_the_tally_follows_intakes_moves_corrections_undos_and_deletions(app, world, freeze_clock):
    with app.app_context():
        freeze_clock(datetime(2026, 3, 31, 21, 0, tzinfo=UTC))  # 23:00 in Paris: March, locally and in UTC
        phones = [make_item(world, grade=grade) for grade in "ABCD"]
        bike = make_item(world, category_id=world.bike_id, weight_kg=Decimal("12.5"), source_id=world.partner_id)
        assert tallies_hold_the_items()
        assert sum(count for count, _ in tally_counted().values()) == 5

        freeze_clock(datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 00:30 on 1 April in Paris, still March in UTC
        change_status(db.session, phones[0], "diagnosing", user=user(world, "technician"))
        change_status(db.session, phones[1], "to_recycle", user=user(world, "technician"))
        late = make_item(world, source_id=world.partner_id)
        make_item(world, source_id=world.partner_id)  # its twin, counted in the same rows
        assert tallies_hold_the_items()

        coordinator = user(world, "coordinator")
        for changes in ({"category_id": world.bike_id, "weight_kg": Decimal("9.9")}, {"grade": "D"},
                        {"source_id": None}, {"collection_point_id": world.other_point_id}):
            amend_item(db.session, bike, Amendment(changes, reason="erreur"), user=coordinator,
                       author_window=timedelta(days=1))
            assert tallies_hold_the_items()
        amend_item(db.session, phones[2], Amendment({"weight_kg": Decimal("0.35")}, reason="pesé"), user=coordinator,
                   author_window=timedelta(days=1))

        void_intake(db.session, late, user=user(world, "volunteer"), window=timedelta(minutes=5))
        assert tallies_hold_the_items()
        assert ("voided" in {key[5] for key in tally_counted()})
        # A voided item deleted takes nothing from its twin's row of the tally per grade, which never counted it.
        for table in ("lead_time", "item_event", "issued_code"):
            db.session.execute(sa.text(f"DELETE FROM {table} WHERE item_id = :id"), {"id": late.id})
        db.session.execute(sa.delete(Item.__table__).where(Item.id == late.id))
        db.session.commit()
        assert tallies_hold_the_items()

        db.session.execute(sa.update(Item).where(Item.id == phones[3].id)
                           .values(created_at=datetime(2026, 1, 15, 9, 0, tzinfo=UTC)))  # a date corrected
        db.session.commit()
        assert tallies_hold_the_items()

        for table in ("lead_time", "item_event", "issued_code"):
            db.session.execute(sa.text(f"DELETE FROM {table} WHERE item_id = :id"), {"id": phones[3].id})
        db.session.execute(sa.delete(Item.__table__).where(Item.id == phones[3].id))
        db.session.commit()
        assert tallies_hold_the_items()
        assert all(count > 0 for count, _ in tally_counted().values()), "a count that falls to 0 is deleted"


def test_a_failed_transaction_leaves_the_tally_as_it_was(app, world):
    with app.app_context():
        make_item(world)
        before = tally_counted()
        db.session.execute(sa.update(Item).values(status="diagnosing"))
        assert tally_counted() != before
        db.session.rollback()
        assert tally_counted() == before and tallies_hold_the_items()


# ---------------------------------------------------------------------------------------------- figures

def direct(filters: Filters, keys: tuple, months: list | None = None, statuses=None, period: bool = True) -> dict:
    """The figures counted on the items (what the dashboard did before the tally)."""
    item_keys = {"point": Item.collection_point_id, "category": Item.category_id, "source": Item.source_id,
                 "status": Item.status, "good": Item.grade.in_(GOOD_GRADES)}
    columns = [item_keys[name] for name in keys]
    if months:
        columns.insert(0, month_of_moment(Item.created_at, months))
    where = [Item.status != "voided", *scope(filters, Item)]
    if period:
        start, end = local_days(filters.start, filters.end)
        where += [Item.created_at >= start, Item.created_at < end]
    if statuses:
        where.append(Item.status.in_(statuses))
    statement = sa.select(*columns, sa.func.count(Item.id), sa.func.sum(Item.weight_kg)).where(*where)
    if columns:
        statement = statement.group_by(*columns)
    return {tuple(row[:-2]): (row[-2], Decimal(str(row[-1])).quantize(Decimal("0.001")))
            for row in db.session.execute(statement) if row[-2]}


def from_tally(filters: Filters, keys: tuple, months: list | None = None) -> dict:
    start, end = local_days(filters.start, filters.end)
    boundaries = [start, *[local_days(month, month)[0] for month in (months or [None])[1:]], end]
    return {(key if months else key[1:]): (count, weight.quantize(Decimal("0.001")))
            for key, (count, weight) in grouped(db.session, filters, boundaries, keys)}


@pytest.fixture
def spread(app, world, freeze_clock):
    """Items on every side of the month boundaries of 2025, in UTC and in Paris, from two points, two
    sources and private donors, in several statuses; one voided."""
    with app.app_context():
        territory = Territory(name="Bourg", population=100, zone_type="rural")
        point = CollectionPoint(name="Point Bourg", territory=territory)
        other = Organisation(name="Décathlon", kind="retailer", partner_since=date(2025, 6, 1))
        db.session.add_all([territory, point, other])
        db.session.commit()
        points, sources = (world.point_id, point.id), (world.partner_id, other.id, None)
        moments = []
        for month in range(1, 13):
            first = datetime(2025, month, 1, tzinfo=UTC)
            # Paris midnight of the 1st is 23:00 or 22:00 UTC the day before: items just before and after it,
            # and just before and after the UTC midnight, and mid-month.
            moments += [first - timedelta(hours=2, minutes=30), first - timedelta(minutes=30),
                        first + timedelta(minutes=30), first + timedelta(days=14, hours=10)]
        moments += [datetime(2024, 12, 31, 22, 45, tzinfo=UTC), datetime(2026, 1, 1, 0, 15, tzinfo=UTC)]
        technician = user(world, "technician")
        for number, moment in enumerate(moments):
            freeze_clock(moment)
            item = make_item(world, collection_point_id=points[number % 2], source_id=sources[number % 3],
                             category_id=(world.phone_id, world.bike_id)[number % 5 == 0],
                             grade="ABCD"[number % 4], weight_kg=Decimal("0.2") + Decimal(number) / 100, weight_confirmed=True,
                             logged_at=moment)
            if number % 3 == 1:
                change_status(db.session, item, "diagnosing", user=technician)
            if number % 7 == 2:
                change_status(db.session, item, "to_recycle", user=technician)
            if number == 5:
                void_intake(db.session, item, user=user(world, "volunteer"), window=timedelta(minutes=5))
        freeze_clock(datetime(2026, 1, 20, 12, 0, tzinfo=UTC))
        return {"point": point.id, "territory": territory.id, "other": other.id}


def filter_cases(world, spread):
    periods = [(date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
               (date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 2, 10), date(2025, 8, 17)),
               (date(2025, 3, 31), date(2025, 4, 1)), (date(2024, 1, 1), date(2026, 1, 20))]
    others = [{}, {"point_id": spread["point"]}, {"territory_id": spread["territory"]}, {"zone_type": "rural"},
              {"family": "electrical"}, {"category_id": world.bike_id}, {"source": spread["other"]},
              {"source": PRIVATE}]
    return [Filters(start, end, **other) for start, end in periods for other in others]


def test_intake_groups_from_the_tally_equal_the_items(app, world, spread):
    with app.app_context():
        assert any(moment.day == 31 for moment in db.session.scalars(sa.select(Item.created_at)))
        for filters in filter_cases(world, spread):
            months = months_between(filters.start, filters.end)
            for keys in (("source", "status", "point"), ("category",), ("good",)):
                assert from_tally(filters, keys) == direct(filters, keys), (filters, keys)
            assert from_tally(filters, ("good",), months) == direct(filters, ("good",), months), filters


def test_the_dashboard_figures_equal_the_items(app, world, spread):
    """The sections that read the tally give what they gave when they counted the items."""
    from intake.vocabulary import term

    with app.app_context():
        for filters in filter_cases(world, spread)[:16]:
            tables, dependency = collected(db.session, filters)
            by_source = {row[0]: row[1:3] for row in tables[0].rows}
            totals = direct(filters, ("source",))
            names = _source_names(db.session)
            assert {names[key[0]]: [count, weight] for key, (count, weight) in totals.items()} == \
                {name: [count, Decimal(str(weight)).quantize(Decimal("0.001"))] for name, (count, weight)
                 in by_source.items()}
            monthly = {row[0]: row[1] for row in tables[3].rows if row[1]}
            months = months_between(filters.start, filters.end)
            per_month: dict = {}
            for (index, _good), (count, _weight) in direct(filters, ("good",), months).items():
                per_month[months[index].strftime("%Y-%m")] = per_month.get(months[index].strftime("%Y-%m"), 0) + count
            assert monthly == per_month, filters
            on_hand = {row[0]: row[-2] for row in stock(db.session, filters).rows if row[-2]}
            expected = direct(filters, ("status",), statuses=IN_STOCK, period=False)
            assert on_hand == {str(term("status", key[0])): count for key, (count, _) in expected.items()}
        effect = partner_effect(db.session, Filters(date(2025, 1, 1), date(2025, 12, 31)))
        assert [row[0] for row in effect.rows] == ["Décathlon"]
        # Décathlon started on 1 June 2025: the 6 months before, every source (Dec. 2024 to May 2025), against
        # June to December (the last complete month before the clock's January 2026).
        before = direct(Filters(date(2024, 12, 1), date(2025, 5, 31)), ())[()]
        after = direct(Filters(date(2025, 6, 1), date(2025, 11, 30)), ())[()]
        assert effect.rows[0][2:4] == [(Decimal(before[0]) / 6).quantize(Decimal("0.1")),
                                       (Decimal(after[0]) / 6).quantize(Decimal("0.1"))]
        assert effect.rows[0][5:7] == [(before[1] / 6).quantize(Decimal("0.1")),
                                       (after[1] / 6).quantize(Decimal("0.1"))]


def test_boundaries_move_to_the_nearest_utc_month():
    assert nearest_month(datetime(2025, 3, 31, 22, 0, tzinfo=UTC)) == datetime(2025, 4, 1, tzinfo=UTC)
    assert nearest_month(datetime(2025, 4, 10, tzinfo=UTC)) == datetime(2025, 4, 1, tzinfo=UTC)
    assert nearest_month(datetime(2025, 4, 20, tzinfo=UTC)) == datetime(2025, 5, 1, tzinfo=UTC)
    assert nearest_month(None) is None


# ---------------------------------------------------------------------------------------------- sales

def sale_tally_from_sales() -> dict:
    expected: dict = {}
    for sale, item in db.session.execute(sa.select(Sale, Item).join(Item, Sale.item_id == Item.id)):
        key = (sale.structure_id, sale.sold_on.replace(day=1), item.collection_point_id, item.category_id,
               item.source_id or 0, sale.channel)
        entry = expected.setdefault(key, [0, Decimal(0), Decimal(0)])
        entry[0] += 1
        entry[1] += item.weight_kg
        entry[2] += sale.price
    return {key: (count, weight.quantize(Decimal("0.001")), price.quantize(Decimal("0.01")))
            for key, (count, weight, price) in expected.items()}


def sale_tally_counted() -> dict:
    rows = db.session.execute(sa.text("SELECT structure_id, month, collection_point_id, category_id, source_key, "
                                      "channel, sales, kg, revenue FROM sale_tally"))
    return {(structure, date.fromisoformat(str(month)[:10]), point, category, source, channel):
            (count, Decimal(str(weight)).quantize(Decimal("0.001")), Decimal(str(revenue)).quantize(Decimal("0.01")))
            for structure, month, point, category, source, channel, count, weight, revenue in rows}


def test_the_sale_tally_follows_sales_and_their_items(app, world):
    with app.app_context():
        technician = user(world, "technician")
        items = [make_ready(world) for _ in range(3)]
        for number, item in enumerate(items):
            record_sale(db.session, item, user=technician, price=Decimal("10.50") + number, channel="shop",
                        sold_on=date(2026, 3, 30 + number % 2) if number < 2 else date(2026, 4, 2))
        assert sale_tally_counted() == sale_tally_from_sales()
        assert sum(count for count, _, _ in sale_tally_counted().values()) == 3
        # The item of a sale corrected: its sales move with it (the receipt's fields, by the database's hand).
        db.session.execute(sa.update(Item).where(Item.id == items[0].id)
                           .values(source_id=None, weight_kg=Decimal("0.75"), collection_point_id=world.other_point_id))
        db.session.commit()
        assert sale_tally_counted() == sale_tally_from_sales()
        db.session.execute(sa.update(Sale).where(Sale.item_id == items[1].id)
                           .values(channel="online", sold_on=date(2026, 5, 1), price=Decimal("3")))
        db.session.commit()
        assert sale_tally_counted() == sale_tally_from_sales()
        db.session.execute(sa.delete(Sale).where(Sale.item_id == items[2].id))
        db.session.commit()
        assert sale_tally_counted() == sale_tally_from_sales()
        assert all(count > 0 for count, _, _ in sale_tally_counted().values())


def direct_sales(filters: Filters, months: list) -> dict:
    sale_month = month_of_day(Sale.sold_on, months)
    return {tuple(row[:3]): (row[3], kg(row[4]), money(row[5])) for row in db.session.execute(
        sa.select(sale_month, Item.category_id, Sale.channel, sa.func.count(Sale.id), sa.func.sum(Item.weight_kg),
                  sa.func.sum(Sale.price))
        .join(Item, Sale.item_id == Item.id).where(day_in(Sale.sold_on, filters), *item_scope(filters))
        .group_by(sale_month, Item.category_id, Sale.channel))}


def test_sales_from_the_tally_equal_the_sales(app, world, spread):
    with app.app_context():
        technician = user(world, "technician")
        items = db.session.scalars(sa.select(Item).where(Item.status == "received").order_by(Item.id)).all()
        for number, item in enumerate(items):
            change_status(db.session, item, "diagnosing", user=technician)
            pass_checks(world, item)
            change_status(db.session, item, "ready", user=technician)
            record_sale(db.session, item, user=technician, price=Decimal(5 + number), channel=("shop", "online")[number % 2],
                        sold_on=date(2025, 1, 1) + timedelta(days=17 * number))
        assert len(items) > 10
        for filters in filter_cases(world, spread):
            months = months_between(filters.start, filters.end)
            found: dict = {}
            for index, category, channel, count, weight, revenue in sale_groups(db.session, filters, months):
                entry = found.setdefault((index, category, channel), [0, Decimal(0), Decimal(0)])
                entry[0] += count
                entry[1] += kg(weight)
                entry[2] += money(revenue)
            assert {key: tuple(value) for key, value in found.items()} == direct_sales(filters, months), filters
