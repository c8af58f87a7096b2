"""The public results page: totals and charts only, nothing about a person; a partner is named only if
its record says it agreed (the others are counted together)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Category, Item, Organisation
from ...vocabulary import term
from .dashboard import Totals, destinations
from .filters import Filters, received_in
from .tables import Column, Table, kg


@dataclass
class PublicResults:
    filters: Filters
    items: int
    kg: Decimal
    totals: Totals
    tables: list[Table]


def public_results(session: Session, filters: Filters) -> PublicResults:
    """A year's results for everyone: collected per family and per month, where items went, the partners
    who agreed to be named. Filters are the period only: no place, no person can be singled out."""
    filters = Filters(filters.start, filters.end)
    items, weight = session.execute(sa.select(sa.func.count(Item.id), sa.func.sum(Item.weight_kg))
                                    .where(*received_in(filters))).one()
    families = session.execute(
        sa.select(Category.family, sa.func.count(Item.id), sa.func.sum(Item.weight_kg))
        .join(Category, Item.category_id == Category.id).where(*received_in(filters))
        .group_by(Category.family).order_by(sa.func.sum(Item.weight_kg).desc())).all()
    named = sa.case((Organisation.public_name_consent, Organisation.name), else_=None)
    partners = session.execute(
        sa.select(named, sa.func.count(Item.id), sa.func.sum(Item.weight_kg))
        .join(Organisation, Item.source_id == Organisation.id).where(*received_in(filters))
        .group_by(named).order_by(sa.func.sum(Item.weight_kg).desc())).all()
    destination_tables, totals = destinations(session, filters)
    by_key = {table.key: table for table in destination_tables}
    others = str(_l("Other partners"))
    tables = [
        Table("families", _l("Collected, per kind of item"), [
            Column("family", _l("Kind")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg")],
            [[str(term("family", family)), count, kg(total)] for family, count, total in families],
            chart="hbar", series=("kg",)),
        by_key["destinations"],
        by_key["destinations_by_month"],
        Table("partners", _l("Our partners"), [
            Column("partner", _l("Partner")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg")],
            sorted([[name or others, count, kg(total)] for name, count, total in partners],
                   key=lambda row: (row[0] == others, -row[2])), chart="hbar", series=("kg",),
            note=_l("Partners are named only with their agreement; the others are counted together.")),
    ]
    return PublicResults(filters, items or 0, kg(weight), totals, tables)
