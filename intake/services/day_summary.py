"""The coordinator's day at a glance: what came in today, what waits in the workshop, what just happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..models import Item, ItemEvent
from ..models.item import IN_STOCK
from .workshop import items_per_status

# Statuses an item waits in, in the order of its life (the others are ends, or outcomes it may come back from).
LATEST_EVENTS = 12


@dataclass(frozen=True)
class DaySummary:
    day: date
    items: int  # logged today (items undone at once not counted)
    kg: Decimal
    waiting: list[tuple[str, int]]  # (status, items) for every waiting status, zeros included
    events: list[ItemEvent]  # the latest, newest first, with their item, user and collection point


def day_summary(session: Session, day: date, bounds: tuple[datetime, datetime], *,
                latest: int = LATEST_EVENTS) -> DaySummary:
    """Three queries: today's intake, the waiting counts (kept by the database), the latest events."""
    start, end = bounds  # midnight to midnight where the organisation is (clock.local_days)
    items, kg = session.execute(
        sa.select(sa.func.count(Item.id), sa.func.sum(Item.weight_kg))
        .where(Item.created_at >= start, Item.created_at < end, Item.status != "voided")
    ).one()
    counts = items_per_status(session)  # the counter the database keeps, not a count of the stock
    events = session.scalars(
        sa.select(ItemEvent)
        .options(joinedload(ItemEvent.item), joinedload(ItemEvent.user), joinedload(ItemEvent.collection_point))
        .order_by(ItemEvent.id.desc()).limit(latest)  # history is append-only: the newest have the highest ids
    ).all()
    return DaySummary(day=day, items=items, kg=Decimal(kg or 0),
                      waiting=[(status, counts.get(status, 0)) for status in IN_STOCK], events=list(events))
