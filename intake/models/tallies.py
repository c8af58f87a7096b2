"""Small counters the pages read instead of counting items on every request, kept exact by the database
itself in the transaction that writes the item (triggers below):

* ``category_usage``: items logged per collection point, category and day — the intake tiles' "most used
  lately" order. An intake adds one; a correction of the category, the point or the date moves the one; a
  deletion takes it away.
* ``status_count``: items per status in each structure — the workshop's queue tabs. An intake adds one to
  its status, a status change moves it, a deletion takes it away.
* ``intake_tally`` and ``intake_quality``: items and kg per UTC month, collection point, category, source,
  and status (the first) or good grade (the second, voided items left out) — the coordinators' dashboard.
  An intake adds one, a status change or a correction moves it, a deletion takes it away.
* ``sale_tally``: sales, their items' kg and the revenue per month sold, channel and the item's point,
  category and source — the dashboard's sales. A sale adds one; a correction of its item moves it.

A count that falls to 0 is deleted: a row is there only while it counts something.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import StructureScoped, kept_by_triggers


class CategoryUsage(StructureScoped, db.Model):
    """Items of one category logged at one collection point on one day (UTC)."""

    structure_indexed = False

    __tablename__ = "category_usage"

    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    items: Mapped[int]


class StatusCount(StructureScoped, db.Model):
    """How many items of the structure are in one status."""

    structure_indexed = False  # the primary key starts with it

    __tablename__ = "status_count"

    status: Mapped[str] = mapped_column(sa.String(16))
    items: Mapped[int]

    __table_args__ = (sa.PrimaryKeyConstraint("structure_id", "status"),)


_KEY = "(collection_point_id, category_id, day)"


def _add(prefix: str, day: str) -> str:
    return (f"INSERT INTO category_usage (collection_point_id, category_id, day, items, structure_id) "
            f"VALUES ({prefix}.collection_point_id, {prefix}.category_id, {day}, 1, {prefix}.structure_id) "
            f"ON CONFLICT {_KEY} DO UPDATE SET items = category_usage.items + 1")


def _take(prefix: str, day: str) -> str:
    where = (f"WHERE collection_point_id = {prefix}.collection_point_id AND category_id = {prefix}.category_id "
             f"AND day = {day}")
    return f"UPDATE category_usage SET items = items - 1 {where}; DELETE FROM category_usage {where} AND items = 0"


_MOVED = ("OLD.collection_point_id IS NOT NEW.collection_point_id OR OLD.category_id IS NOT NEW.category_id "
          "OR {old_day} IS NOT {new_day}")


def category_usage_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        old_day, new_day = "date(OLD.created_at)", "date(NEW.created_at)"
        return (
            f"CREATE TRIGGER category_usage_added AFTER INSERT ON item BEGIN {_add('NEW', new_day)}; END",
            f"""CREATE TRIGGER category_usage_moved AFTER UPDATE OF collection_point_id, category_id, created_at
                ON item WHEN {_MOVED.format(old_day=old_day, new_day=new_day)}
                BEGIN {_take('OLD', old_day)}; {_add('NEW', new_day)}; END""",
            f"CREATE TRIGGER category_usage_taken AFTER DELETE ON item BEGIN {_take('OLD', old_day)}; END",
        )
    old_day, new_day = "(OLD.created_at AT TIME ZONE 'UTC')::date", "(NEW.created_at AT TIME ZONE 'UTC')::date"
    moved = _MOVED.format(old_day=old_day, new_day=new_day).replace("IS NOT", "IS DISTINCT FROM")
    return (
        f"""CREATE FUNCTION category_usage_follows_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_add('NEW', new_day)};
              ELSIF TG_OP = 'DELETE' THEN
                {_take('OLD', old_day)};
              ELSIF {moved} THEN
                {_take('OLD', old_day)};
                {_add('NEW', new_day)};
              END IF;
              RETURN NULL;
            END $$""",
        """CREATE TRIGGER category_usage_follows_item
            AFTER INSERT OR DELETE OR UPDATE OF collection_point_id, category_id, created_at ON item
            FOR EACH ROW EXECUTE FUNCTION category_usage_follows_item()""",
    )


def _count(prefix: str, change: str) -> str:
    if change == "+ 1":
        return (f"INSERT INTO status_count (structure_id, status, items) VALUES ({prefix}.structure_id, "
                f"{prefix}.status, 1) ON CONFLICT (structure_id, status) DO UPDATE SET items = status_count.items + 1")
    where = f"WHERE structure_id = {prefix}.structure_id AND status = {prefix}.status"
    return f"UPDATE status_count SET items = items - 1 {where}; DELETE FROM status_count {where} AND items = 0"


def status_count_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return (
            f"CREATE TRIGGER status_count_added AFTER INSERT ON item BEGIN {_count('NEW', '+ 1')}; END",
            f"""CREATE TRIGGER status_count_moved AFTER UPDATE OF status, structure_id ON item
                WHEN OLD.status IS NOT NEW.status OR OLD.structure_id IS NOT NEW.structure_id
                BEGIN {_count('OLD', '- 1')}; {_count('NEW', '+ 1')}; END""",
            f"CREATE TRIGGER status_count_taken AFTER DELETE ON item BEGIN {_count('OLD', '- 1')}; END",
        )
    return (
        f"""CREATE FUNCTION status_count_follows_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_count('NEW', '+ 1')};
              ELSIF TG_OP = 'DELETE' THEN
                {_count('OLD', '- 1')};
              ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.structure_id IS DISTINCT FROM NEW.structure_id THEN
                {_count('OLD', '- 1')};
                {_count('NEW', '+ 1')};
              END IF;
              RETURN NULL;
            END $$""",
        """CREATE TRIGGER status_count_follows_item AFTER INSERT OR DELETE OR UPDATE OF status, structure_id ON item
            FOR EACH ROW EXECUTE FUNCTION status_count_follows_item()""",
    )


def drop_status_count_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS status_count_{name}" for name in ("added", "moved", "taken"))
    return ("DROP TRIGGER IF EXISTS status_count_follows_item ON item",
            "DROP FUNCTION IF EXISTS status_count_follows_item()")


def drop_category_usage_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS category_usage_{name}" for name in ("added", "moved", "taken"))
    return ("DROP TRIGGER IF EXISTS category_usage_follows_item ON item",
            "DROP FUNCTION IF EXISTS category_usage_follows_item()")


kept_by_triggers(CategoryUsage.__table__, category_usage_triggers, drop_category_usage_triggers)
kept_by_triggers(StatusCount.__table__, status_count_triggers, drop_status_count_triggers)


# ---------------------------------------------------------------------------------------------- intake tallies

# The grades a source's "quality" counts: reusable as is, or after a repair.
GOOD_GRADES = ("A", "B")


class IntakeTally(StructureScoped, db.Model):
    """Items logged in one UTC month, per collection point, category, source and status, with their kg: the
    dashboard's intake per source and status, and its stock, read these rows instead of the items. A period's
    local days rarely start on a UTC month: the dashboard adds (or takes away) the items between each of its
    boundaries and the nearest UTC month from the items themselves (services/reporting/received.py).

    Kept exact by triggers on the item: an intake adds one, a status change or a correction (category, point,
    source, weight, date) moves it, a deletion takes it away. Voided items stay, in their status."""

    structure_indexed = False  # the primary key starts with it

    __tablename__ = "intake_tally"

    month: Mapped[date] = mapped_column()  # the first day of the UTC month of the items' created_at
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    source_key: Mapped[int] = mapped_column()  # the source organisation's id, 0 for private donors
    status: Mapped[str] = mapped_column(sa.String(16))
    items: Mapped[int]
    kg: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))

    __table_args__ = (sa.PrimaryKeyConstraint("structure_id", "month", "collection_point_id", "category_id",
                                              "source_key", "status"),
                      # Items of one status per category whatever their month (those waiting to be recycled).
                      sa.Index("ix_intake_tally_status", "structure_id", "status", "category_id", "items"),
                      # One source's rows (a partner's page and report, the dashboard filtered on a source).
                      sa.Index("ix_intake_tally_source", "structure_id", "source_key", "month"))


class IntakeQuality(StructureScoped, db.Model):
    """The same items without their status, voided ones left out, per good grade (A or B) or not: fewer rows
    for the figures that need no status (per category, per month with the share graded A or B, a partner's
    effect). Kept by the same triggers' rule; an item voided leaves it, as its deletion would."""

    structure_indexed = False

    __tablename__ = "intake_quality"

    month: Mapped[date] = mapped_column()
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    source_key: Mapped[int] = mapped_column()
    good: Mapped[bool] = mapped_column()
    items: Mapped[int]
    kg: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))

    __table_args__ = (sa.PrimaryKeyConstraint("structure_id", "month", "collection_point_id", "category_id",
                                              "source_key", "good"),
                      sa.Index("ix_intake_quality_source", "structure_id", "source_key", "month"))


def _month(column: str, dialect: str, *, moment: bool = False) -> str:
    """The first day of the month of ``column``: a date, or a moment (``moment``: its UTC month)."""
    if dialect == "sqlite":
        return f"date({column}, 'start of month')"
    return f"date_trunc('month', {column}{' AT TIME ZONE ' + repr('UTC') if moment else ''})::date"


def _good(prefix: str) -> str:
    return f"({prefix}.grade IN ({', '.join(repr(grade) for grade in GOOD_GRADES)}))"


# Each intake tally: its table, its last key column and how an item gives it, which items it counts.
_INTAKE_TALLIES = {
    "intake_tally": ("status", lambda prefix: f"{prefix}.status", None),
    "intake_quality": ("good", _good, "{p}.status != 'voided'"),
}
_TALLY_COLUMNS = ("structure_id", "created_at", "collection_point_id", "category_id", "source_id", "status", "grade",
                  "weight_kg")


def _key_values(table: str, prefix: str, dialect: str) -> list[tuple[str, str]]:
    column, value, _ = _INTAKE_TALLIES[table]
    return [("structure_id", f"{prefix}.structure_id"), ("month", _month(f"{prefix}.created_at", dialect, moment=True)),
            ("collection_point_id", f"{prefix}.collection_point_id"), ("category_id", f"{prefix}.category_id"),
            ("source_key", f"coalesce({prefix}.source_id, 0)"), (column, value(prefix))]


def _tally_add(table: str, prefix: str, dialect: str) -> str:
    keys = _key_values(table, prefix, dialect)
    counted = _INTAKE_TALLIES[table][2]
    where = f" WHERE {counted.format(p=prefix)}" if counted else " WHERE true"
    return (f"INSERT INTO {table} ({', '.join(name for name, _ in keys)}, items, kg) "
            f"SELECT {', '.join(value for _, value in keys)}, 1, {prefix}.weight_kg{where} "
            f"ON CONFLICT ({', '.join(name for name, _ in keys)}) DO UPDATE SET "
            f"items = {table}.items + 1, kg = {table}.kg + excluded.kg")


def _tally_take(table: str, prefix: str, dialect: str) -> str:
    where = "WHERE " + " AND ".join(f"{name} = {value}" for name, value in _key_values(table, prefix, dialect))
    counted = _INTAKE_TALLIES[table][2]
    if counted:  # an item the tally does not count takes nothing from the row of its key
        where += f" AND {counted.format(p=prefix)}"
    return (f"UPDATE {table} SET items = items - 1, kg = kg - {prefix}.weight_kg {where}; "
            f"DELETE FROM {table} {where} AND items = 0")


def _intake_tally_triggers(table: str, dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _TALLY_COLUMNS)
        return (
            f"CREATE TRIGGER {table}_added AFTER INSERT ON item BEGIN {_tally_add(table, 'NEW', dialect)}; END",
            f"""CREATE TRIGGER {table}_moved AFTER UPDATE OF {', '.join(_TALLY_COLUMNS)} ON item WHEN {moved}
                BEGIN {_tally_take(table, 'OLD', dialect)}; {_tally_add(table, 'NEW', dialect)}; END""",
            f"CREATE TRIGGER {table}_taken AFTER DELETE ON item BEGIN {_tally_take(table, 'OLD', dialect)}; END",
        )
    moved = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _TALLY_COLUMNS)
    return (
        f"""CREATE FUNCTION {table}_follows_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_tally_add(table, 'NEW', dialect)};
              ELSIF TG_OP = 'DELETE' THEN
                {_tally_take(table, 'OLD', dialect)};
              ELSIF {moved} THEN
                {_tally_take(table, 'OLD', dialect)};
                {_tally_add(table, 'NEW', dialect)};
              END IF;
              RETURN NULL;
            END $$""",
        f"""CREATE TRIGGER {table}_follows_item
            AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_TALLY_COLUMNS)} ON item
            FOR EACH ROW EXECUTE FUNCTION {table}_follows_item()""",
    )


def _drop_intake_tally_triggers(table: str, dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS {table}_{name}" for name in ("added", "moved", "taken"))
    return (f"DROP TRIGGER IF EXISTS {table}_follows_item ON item", f"DROP FUNCTION IF EXISTS {table}_follows_item()")


def intake_tally_triggers(dialect: str) -> tuple[str, ...]:
    return _intake_tally_triggers("intake_tally", dialect)


def intake_quality_triggers(dialect: str) -> tuple[str, ...]:
    return _intake_tally_triggers("intake_quality", dialect)


def drop_intake_tally_triggers(dialect: str) -> tuple[str, ...]:
    return _drop_intake_tally_triggers("intake_tally", dialect)


def drop_intake_quality_triggers(dialect: str) -> tuple[str, ...]:
    return _drop_intake_tally_triggers("intake_quality", dialect)


def intake_tally_backfill(table: str, dialect: str) -> str:
    """The tally of the items already there, by the triggers' rule (the migration's backfill)."""
    keys = _key_values(table, "item", dialect)
    counted = _INTAKE_TALLIES[table][2]
    where = f"WHERE {counted.format(p='item')} " if counted else ""
    return (f"INSERT INTO {table} ({', '.join(name for name, _ in keys)}, items, kg) "
            f"SELECT {', '.join(value for _, value in keys)}, count(*), sum(weight_kg) FROM item {where}"
            f"GROUP BY {', '.join(value for _, value in keys)}")


kept_by_triggers(IntakeTally.__table__, intake_tally_triggers, drop_intake_tally_triggers)
kept_by_triggers(IntakeQuality.__table__, intake_quality_triggers, drop_intake_quality_triggers)


# ---------------------------------------------------------------------------------------------- sale tally

class SaleTally(StructureScoped, db.Model):
    """Sales of one month (their ``sold_on``, a local date), per channel and per the item's collection point,
    category and source, with the items' kg and the revenue: the dashboard's sales. Kept exact by triggers:
    a sale adds one, a changed sale moves it, a deleted one takes it away; a correction of its item (point,
    category, source, weight) moves the item's sales."""

    structure_indexed = False  # the primary key starts with it

    __tablename__ = "sale_tally"

    month: Mapped[date] = mapped_column()  # the first day of the month of ``sold_on``
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    source_key: Mapped[int] = mapped_column()  # the item's source organisation, 0 for private donors
    channel: Mapped[str] = mapped_column(sa.String(16))
    sales: Mapped[int]
    kg: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))
    revenue: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))

    __table_args__ = (sa.PrimaryKeyConstraint("structure_id", "month", "collection_point_id", "category_id",
                                              "source_key", "channel"),)


_SALE_KEY = "(structure_id, month, collection_point_id, category_id, source_key, channel)"
_ITEM_OF_SALE = ("collection_point_id", "category_id", "source_id", "weight_kg")


def _item_key(item: str) -> str:
    return f"{item}.collection_point_id, {item}.category_id, coalesce({item}.source_id, 0)"


_SALE_UPSERT = (f"ON CONFLICT {_SALE_KEY} DO UPDATE SET sales = sale_tally.sales + excluded.sales, "
                "kg = sale_tally.kg + excluded.kg, revenue = sale_tally.revenue + excluded.revenue")
_SALE_INSERT = ("INSERT INTO sale_tally (structure_id, month, collection_point_id, category_id, source_key, channel, "
                "sales, kg, revenue)")


def _one_sale_add(dialect: str) -> str:
    return (f"{_SALE_INSERT} SELECT NEW.structure_id, {_month('NEW.sold_on', dialect)}, {_item_key('i')}, "
            f"NEW.channel, 1, i.weight_kg, NEW.price FROM item i WHERE i.id = NEW.item_id {_SALE_UPSERT}")


def _one_sale_take(dialect: str) -> str:
    where = (f"WHERE structure_id = OLD.structure_id AND month = {_month('OLD.sold_on', dialect)} "
             f"AND channel = OLD.channel AND (collection_point_id, category_id, source_key) = "
             f"(SELECT {_item_key('i')} FROM item i WHERE i.id = OLD.item_id)")
    return (f"UPDATE sale_tally SET sales = sales - 1, kg = kg - (SELECT i.weight_kg FROM item i WHERE i.id = "
            f"OLD.item_id), revenue = revenue - OLD.price {where}; DELETE FROM sale_tally {where} AND sales = 0")


def _item_sales_take(dialect: str) -> str:
    """An item's sales, counted under its old point, category, source and weight, taken away."""
    same = (f"s.item_id = OLD.id AND s.structure_id = sale_tally.structure_id AND s.channel = sale_tally.channel "
            f"AND {_month('s.sold_on', dialect)} = sale_tally.month")
    where = (f"WHERE (collection_point_id, category_id, source_key) = ({_item_key('OLD')}) "
             f"AND EXISTS (SELECT 1 FROM sale s WHERE {same})")
    return (f"UPDATE sale_tally SET sales = sales - (SELECT count(*) FROM sale s WHERE {same}), "
            f"kg = kg - OLD.weight_kg * (SELECT count(*) FROM sale s WHERE {same}), "
            f"revenue = revenue - (SELECT sum(s.price) FROM sale s WHERE {same}) {where}; "
            f"DELETE FROM sale_tally WHERE (collection_point_id, category_id, source_key) = ({_item_key('OLD')}) "
            f"AND sales = 0")


def _item_sales_add(dialect: str) -> str:
    month = _month("s.sold_on", dialect)
    return (f"{_SALE_INSERT} SELECT s.structure_id, {month}, {_item_key('NEW')}, s.channel, count(*), "
            f"count(*) * NEW.weight_kg, sum(s.price) FROM sale s WHERE s.item_id = NEW.id "
            f"GROUP BY s.structure_id, {month}, s.channel {_SALE_UPSERT}")


_SALE_COLUMNS = ("structure_id", "item_id", "sold_on", "channel", "price")


def sale_tally_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        sale_moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _SALE_COLUMNS)
        item_moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _ITEM_OF_SALE)
        return (
            f"CREATE TRIGGER sale_tally_added AFTER INSERT ON sale BEGIN {_one_sale_add(dialect)}; END",
            f"""CREATE TRIGGER sale_tally_moved AFTER UPDATE OF {', '.join(_SALE_COLUMNS)} ON sale WHEN {sale_moved}
                BEGIN {_one_sale_take(dialect)}; {_one_sale_add(dialect)}; END""",
            f"CREATE TRIGGER sale_tally_taken AFTER DELETE ON sale BEGIN {_one_sale_take(dialect)}; END",
            f"""CREATE TRIGGER sale_tally_follows_item AFTER UPDATE OF {', '.join(_ITEM_OF_SALE)} ON item
                WHEN ({item_moved}) AND EXISTS (SELECT 1 FROM sale WHERE item_id = NEW.id)
                BEGIN {_item_sales_take(dialect)}; {_item_sales_add(dialect)}; END""",
        )
    sale_moved = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _SALE_COLUMNS)
    item_moved = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _ITEM_OF_SALE)
    return (
        f"""CREATE FUNCTION sale_tally_follows_sale() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_one_sale_add(dialect)};
              ELSIF TG_OP = 'DELETE' THEN
                {_one_sale_take(dialect)};
              ELSIF {sale_moved} THEN
                {_one_sale_take(dialect)};
                {_one_sale_add(dialect)};
              END IF;
              RETURN NULL;
            END $$""",
        f"""CREATE TRIGGER sale_tally_follows_sale AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_SALE_COLUMNS)}
            ON sale FOR EACH ROW EXECUTE FUNCTION sale_tally_follows_sale()""",
        f"""CREATE FUNCTION sale_tally_follows_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF ({item_moved}) AND EXISTS (SELECT 1 FROM sale WHERE item_id = NEW.id) THEN
                {_item_sales_take(dialect)};
                {_item_sales_add(dialect)};
              END IF;
              RETURN NULL;
            END $$""",
        f"""CREATE TRIGGER sale_tally_follows_item AFTER UPDATE OF {', '.join(_ITEM_OF_SALE)} ON item
            FOR EACH ROW EXECUTE FUNCTION sale_tally_follows_item()""",
    )


def drop_sale_tally_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS sale_tally_{name}"
                     for name in ("added", "moved", "taken", "follows_item"))
    return ("DROP TRIGGER IF EXISTS sale_tally_follows_sale ON sale",
            "DROP TRIGGER IF EXISTS sale_tally_follows_item ON item",
            "DROP FUNCTION IF EXISTS sale_tally_follows_sale()",
            "DROP FUNCTION IF EXISTS sale_tally_follows_item()")


def sale_tally_backfill(dialect: str) -> str:
    month = _month("s.sold_on", dialect)
    return (f"{_SALE_INSERT} SELECT s.structure_id, {month}, {_item_key('i')}, s.channel, count(*), "
            f"sum(i.weight_kg), sum(s.price) FROM sale s JOIN item i ON i.id = s.item_id "
            f"GROUP BY s.structure_id, {month}, {_item_key('i')}, s.channel")


kept_by_triggers(SaleTally.__table__, sale_tally_triggers, drop_sale_tally_triggers)


# ---------------------------------------------------------------------------------------------- batch contents

class BatchContent(StructureScoped, db.Model):
    """What a recycling batch holds, per collection point, category and source of its items: their count and
    logged kg. The waste register's lines and the dashboard's recycled weight read these few rows per batch
    instead of the batches' items. Kept exact by triggers on the item: an item put in a batch (or logged in
    one) adds one, taken out of it (or deleted) takes it away, a correction of its point, category, source or
    weight moves it. Items outside any batch fire nothing here."""

    structure_indexed = False  # the primary key starts with it

    __tablename__ = "batch_content"

    recycling_batch_id: Mapped[int] = mapped_column(sa.ForeignKey("recycling_batch.id"))
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    source_key: Mapped[int] = mapped_column()  # the source organisation's id, 0 for private donors
    items: Mapped[int]
    kg: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))

    __table_args__ = (sa.PrimaryKeyConstraint("structure_id", "recycling_batch_id", "collection_point_id",
                                              "category_id", "source_key"),)


_CONTENT_KEY = ("structure_id", "recycling_batch_id", "collection_point_id", "category_id", "source_key")
_CONTENT_COLUMNS = ("structure_id", "recycling_batch_id", "collection_point_id", "category_id", "source_id",
                    "weight_kg")


def _content_values(prefix: str) -> list[str]:
    return [f"{prefix}.structure_id", f"{prefix}.recycling_batch_id", f"{prefix}.collection_point_id",
            f"{prefix}.category_id", f"coalesce({prefix}.source_id, 0)"]


def _content_add(prefix: str) -> str:
    return (f"INSERT INTO batch_content ({', '.join(_CONTENT_KEY)}, items, kg) "
            f"SELECT {', '.join(_content_values(prefix))}, 1, {prefix}.weight_kg "
            f"WHERE {prefix}.recycling_batch_id IS NOT NULL "
            f"ON CONFLICT ({', '.join(_CONTENT_KEY)}) DO UPDATE SET "
            f"items = batch_content.items + 1, kg = batch_content.kg + excluded.kg")


def _content_take(prefix: str) -> str:
    where = "WHERE " + " AND ".join(f"{name} = {value}" for name, value in zip(_CONTENT_KEY, _content_values(prefix)))
    return (f"UPDATE batch_content SET items = items - 1, kg = kg - {prefix}.weight_kg {where}; "
            f"DELETE FROM batch_content {where} AND items = 0")


_IN_A_BATCH = "(OLD.recycling_batch_id IS NOT NULL OR NEW.recycling_batch_id IS NOT NULL)"


def batch_content_triggers(dialect: str) -> tuple[str, ...]:
    columns = ", ".join(_CONTENT_COLUMNS)
    if dialect == "sqlite":
        moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _CONTENT_COLUMNS)
        return (
            f"""CREATE TRIGGER batch_content_added AFTER INSERT ON item WHEN NEW.recycling_batch_id IS NOT NULL
                BEGIN {_content_add('NEW')}; END""",
            f"""CREATE TRIGGER batch_content_moved AFTER UPDATE OF {columns} ON item WHEN {_IN_A_BATCH} AND ({moved})
                BEGIN {_content_take('OLD')}; {_content_add('NEW')}; END""",
            f"""CREATE TRIGGER batch_content_taken AFTER DELETE ON item WHEN OLD.recycling_batch_id IS NOT NULL
                BEGIN {_content_take('OLD')}; END""",
        )
    moved = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _CONTENT_COLUMNS)
    # Three triggers with their own condition: an item outside any batch (every intake) calls no function.
    return (
        f"""CREATE FUNCTION batch_content_follows_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_content_add('NEW')};
              ELSIF TG_OP = 'DELETE' THEN
                {_content_take('OLD')};
              ELSIF {moved} THEN
                {_content_take('OLD')};
                {_content_add('NEW')};
              END IF;
              RETURN NULL;
            END $$""",
        """CREATE TRIGGER batch_content_added AFTER INSERT ON item FOR EACH ROW
            WHEN (NEW.recycling_batch_id IS NOT NULL) EXECUTE FUNCTION batch_content_follows_item()""",
        f"""CREATE TRIGGER batch_content_moved AFTER UPDATE OF {columns} ON item FOR EACH ROW
            WHEN {_IN_A_BATCH} EXECUTE FUNCTION batch_content_follows_item()""",
        """CREATE TRIGGER batch_content_taken AFTER DELETE ON item FOR EACH ROW
            WHEN (OLD.recycling_batch_id IS NOT NULL) EXECUTE FUNCTION batch_content_follows_item()""",
    )


def drop_batch_content_triggers(dialect: str) -> tuple[str, ...]:
    names = ("added", "moved", "taken")
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS batch_content_{name}" for name in names)
    return (*(f"DROP TRIGGER IF EXISTS batch_content_{name} ON item" for name in names),
            "DROP FUNCTION IF EXISTS batch_content_follows_item()")


def batch_content_backfill() -> str:
    """The contents of the batches already there, by the triggers' rule (the migration's backfill)."""
    values = ", ".join(_content_values("item"))
    return (f"INSERT INTO batch_content ({', '.join(_CONTENT_KEY)}, items, kg) "
            f"SELECT {values}, count(*), sum(weight_kg) FROM item WHERE recycling_batch_id IS NOT NULL "
            f"GROUP BY {values}")


kept_by_triggers(BatchContent.__table__, batch_content_triggers, drop_batch_content_triggers)
