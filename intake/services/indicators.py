"""The figures partners and funders ask for: per supply source, reuse versus recycling, sold, returns.

Handovers count here whether or not the tenant's identity was kept: the
indicators never need it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Handover, Item, ItemEvent, Organisation, RecyclingBatch, Sale


def _year(column, year: int):
    return sa.and_(column >= date(year, 1, 1), column < date(year + 1, 1, 1))


def _year_of_times(column, year: int):
    return sa.and_(column >= datetime(year, 1, 1, tzinfo=timezone.utc),
                   column < datetime(year + 1, 1, 1, tzinfo=timezone.utc))


def _figure(row) -> dict:
    return {"items": int(row[0] or 0), "kg": Decimal(row[1] or 0)}


def outcomes_by_kind(session: Session, year: int) -> dict[str, dict]:
    """Items and kg sold, handed over, recycled and returned in the year."""
    sold = session.execute(sa.select(sa.func.count(Sale.id), sa.func.sum(Item.weight_kg))
                           .join(Item, Sale.item_id == Item.id).where(_year(Sale.sold_on, year))).one()
    handed = session.execute(sa.select(sa.func.count(Handover.id), sa.func.sum(Item.weight_kg))
                             .join(Item, Handover.item_id == Item.id).where(_year(Handover.handed_on, year))).one()
    recycled = session.execute(
        sa.select(sa.func.count(Item.id), sa.func.sum(Item.weight_kg))
        .join(RecyclingBatch, Item.recycling_batch_id == RecyclingBatch.id)
        .where(RecyclingBatch.state == "closed", _year(RecyclingBatch.pickup_on, year))).one()
    returned = session.execute(
        sa.select(sa.func.count(ItemEvent.id), sa.func.sum(Item.weight_kg)).join(Item, ItemEvent.item_id == Item.id)
        .where(ItemEvent.to_status == "returned", _year_of_times(ItemEvent.at, year))).one()
    figures = {"sold": _figure(sold), "handed_over": _figure(handed), "recycled": _figure(recycled),
               "returned": _figure(returned)}
    reuse = figures["sold"]["kg"] + figures["handed_over"]["kg"]
    total = reuse + figures["recycled"]["kg"]
    figures["reuse_share"] = (reuse / total) if total else None
    return figures


def intake_by_source(session: Session, year: int) -> list[dict]:
    """Items and kg received per supply source (None: private donors), biggest first, with each one's share."""
    rows = session.execute(
        sa.select(Organisation.name, sa.func.count(Item.id), sa.func.sum(Item.weight_kg))
        .select_from(Item).outerjoin(Organisation, Item.source_id == Organisation.id)
        .where(_year_of_times(Item.created_at, year), Item.status != "voided")
        .group_by(Organisation.name).order_by(sa.func.sum(Item.weight_kg).desc())).all()
    total = sum((Decimal(row[2] or 0) for row in rows), Decimal(0))
    return [{"source": row[0], "items": row[1], "kg": Decimal(row[2] or 0),
             "share": (Decimal(row[2] or 0) / total) if total else None} for row in rows]
