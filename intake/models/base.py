"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import timezone

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from ..scoping import structure_for_insert


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones; without this, values read back naive and mix
    badly with aware ones.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass an aware UTC datetime")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


# Every ``create`` given to kept_by_triggers: tests/test_migrations.py holds the migrated schema to them.
TRIGGERS = []


def kept_by_triggers(table: sa.Table, create, drop) -> None:
    """The schema made without migrations (tests) gets the same triggers as a migrated one: ``create`` and
    ``drop`` give a dialect's statements (the migrations call them too)."""

    def run(statements):
        def listener(target, connection, **_):
            for statement in statements(connection.dialect.name):
                connection.exec_driver_sql(statement)
        return listener

    TRIGGERS.append(create)
    # On the whole schema, not the table: the triggers sit on other tables, made before or after this one.
    sa.event.listen(table.metadata, "after_create", run(create))
    sa.event.listen(table.metadata, "before_drop", run(drop))


def one_of(column: str, values, name: str) -> sa.CheckConstraint:
    """A CHECK constraint keeping ``column`` within a fixed list of codes."""
    return sa.CheckConstraint(sa.column(column).in_(values), name=name)


class StructureScoped:
    """A record that belongs to one structure: the wall (``intake.scoping``) shows it only to that
    structure's work. New records take the current structure."""

    # A table read through its parent (an item's events, photos, erasures…) is not indexed on its structure:
    # PostgreSQL would combine that index with the parent's, reading every row of the structure.
    structure_indexed = True

    @declared_attr
    def structure_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("structure.id"), index=cls.structure_indexed,
                             default=structure_for_insert)
