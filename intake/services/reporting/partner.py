"""The partner report: what one partner brought over a period and what it became ("valorisation des
partenaires"), with its effect on the whole collection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...clock import local_days
from ...models import Category, Item, Organisation, RecyclingBatch
from ...vocabulary import term
from .dashboard import SECOND_LIFE, partner_effect, recycled_weight
from .filters import Filters, received_in
from .received import grouped, summed_by
from .tables import Column, Table, kg

# What became of an item, from its status now.
BECAME = (("sold", ("sold",)), ("handed_over", ("handed_over",)), ("recycled", ("recycled",)),
          ("to_recycle", ("to_recycle",)), ("dismantled", ("dismantled",)),
          ("in_workshop", ("received", "diagnosing", "repairing", "ready", "returned")))


@dataclass
class PartnerReport:
    partner: Organisation
    filters: Filters
    items: int
    kg: Decimal
    reused_items: int
    reused_kg: Decimal
    became: Table
    categories: Table
    effect: list | None  # the partner's row of the partner effect, if it started within reach


def partner_report(session: Session, partner: Organisation, filters: Filters) -> PartnerReport:
    """Items the partner brought in the period (its other filters apply) and what each became by now.
    Recycled kg follow the register's rule (the weight measured at pickup, shared by logged weight)."""
    brought = filters.but(source=partner.id)
    period = list(local_days(filters.start, filters.end))
    by_status = {status: (count, kg(weight))
                 for (_, status), (count, weight) in grouped(session, brought, period, ("status",))}
    # Its items recycled (logged in the period, their batch closed), each at its batch's pickup weight: read
    # through the partner's own index, never the other items of their batches.
    recycled = kg(session.scalar(
        sa.select(sa.func.sum(recycled_weight()))
        .join(RecyclingBatch, Item.recycling_batch_id == RecyclingBatch.id)
        .where(RecyclingBatch.state == "closed", Item.status == "recycled", *received_in(brought))))
    rows = []
    for key, statuses in BECAME:
        count = sum(by_status.get(status, (0, 0))[0] for status in statuses)
        weight_kg = sum((by_status.get(status, (0, Decimal(0)))[1] for status in statuses), Decimal(0))
        rows.append([str(_became_name(key)), count, recycled if key == "recycled" else weight_kg])
    items = sum(count for count, _ in by_status.values())
    total_kg = sum((weight for _, weight in by_status.values()), Decimal(0))
    reused = [by_status.get(status, (0, Decimal(0))) for status in SECOND_LIFE]
    became = Table("became", _l("What it became"), [Column("became", _l("Now")), Column("items", _l("Items"), "items"),
                                                    Column("kg", _l("Weight"), "kg")], rows, chart="hbar",
                   series=("items",))
    names = dict(session.execute(sa.select(Category.id, Category.name)).all())
    per_name = summed_by(grouped(session, brought, period, ("category",)), lambda values: names[values[1]])
    category_rows = sorted(((name, count, weight) for name, (count, weight) in per_name.items()),
                           key=lambda row: (-row[1], row[0]))
    categories = Table("brought", _l("What it brought"), [
        Column("category", _l("Category")), Column("items", _l("Items"), "items"), Column("kg", _l("Weight"), "kg")],
        [[name, count, kg(weight)] for name, count, weight in category_rows])
    effect = partner_effect(session, filters.but(source=None))
    mine = next((row for row in effect.rows if row[0] == partner.name), None)
    return PartnerReport(partner, filters, items, total_kg, sum(count for count, _ in reused),
                         sum((weight for _, weight in reused), Decimal(0)), became, categories,
                         [effect.columns, mine] if mine else None)


def _became_name(key: str):
    return {"in_workshop": _l("Still in the workshop")}.get(key) or term("status", key)


def report_period_label(start: date, end: date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def brought_by_family(session: Session, filters: Filters) -> dict[str, tuple[int, Decimal]]:
    """Items and kg collected in the period with the filters (a partner's: ``source``), per product family,
    counted as every collected figure is (``received_in``)."""
    # From the intake tally kept by the database (received.py), per category, then summed per family.
    families = dict(session.execute(sa.select(Category.id, Category.family)).all())
    brought: dict[str, tuple[int, Decimal]] = {}
    for (_, category_id), (count, weight) in grouped(session, filters, list(local_days(filters.start, filters.end)),
                                                     ("category",)):
        items, kgs = brought.get(families[category_id], (0, Decimal(0)))
        brought[families[category_id]] = (items + count, kgs + kg(weight))
    return brought
