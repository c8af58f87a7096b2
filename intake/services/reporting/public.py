"""The public results page: totals and charts only, nothing about a person; a partner is named only if
its record says it agreed (the others are counted together)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Category, Organisation
from ...vocabulary import term
from .dashboard import Totals, destinations
from .filters import Filters, local_days
from .received import grouped, summed_by
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
    period = list(local_days(filters.start, filters.end))
    family_of = dict(session.execute(sa.select(Category.id, Category.family)).all())
    families = summed_by(grouped(session, filters, period, ("category",)), lambda values: family_of[values[1]])
    # Private donors are not a partner.
    sources = [group for group in grouped(session, filters, period, ("source",)) if group[0][1] is not None]
    named_ids = {source_id for (_, source_id), _ in sources}
    names = dict(session.execute(sa.select(Organisation.id, Organisation.name)
                                 .where(Organisation.id.in_(named_ids), Organisation.public_name_consent)).all())
    partners = summed_by(sources, lambda values: names.get(values[1]))  # None: one who did not agree
    items = sum(count for count, _ in families.values())
    weight = sum((total for _, total in families.values()), Decimal(0))
    destination_tables, totals = destinations(session, filters)
    by_key = {table.key: table for table in destination_tables}
    others = str(_l("Other partners"))
    tables = [
        Table("families", _l("Collected, per kind of item"), [
            Column("family", _l("Kind")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg")],
            [[str(term("family", family)), count, kg(total)]
             for family, (count, total) in sorted(families.items(), key=lambda entry: -entry[1][1])],
            chart="hbar", series=("kg",)),
        by_key["destinations"],
        by_key["destinations_by_month"],
        Table("partners", _l("Our partners"), [
            Column("partner", _l("Partner")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg")],
            sorted([[name or others, count, kg(total)] for name, (count, total) in partners.items()],
                   key=lambda row: (row[0] == others, -row[2])), chart="hbar", series=("kg",),
            note=_l("Partners are named only with their agreement; the others are counted together.")),
    ]
    return PublicResults(filters, items or 0, kg(weight), totals, tables)
