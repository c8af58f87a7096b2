"""What an eco-organism may see: the recycling batches handed to it, from every structure it works with.

An eco-organism's account has one membership per structure it collects from (role ``eco_organism``,
organisation = that structure's record of the eco-organism, kind ``eco_organism``). Its portal reads
across structures (``scoping.all_structures(session)``) and keeps only the batches of those (structure,
organisation) pairs (``visible_to``: the one filter, for the page and the CSV).

A batch counts once it is handed over (closed: the eco-organism took it away); an open batch is still
being filled in the workshop and is not theirs yet. Rows are plain dicts of named fields only: the
structure, the pickup date, the stream, the waste code, the tracking slip, the weight (weighed at pickup,
else the sum of its items' logged weights). No item code, no price, no person: a slip is matched by its
number, not by what was in the batch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import scoping
from ..models import Item, RecyclingBatch, User
from ..models.category import WASTE_STREAMS
from . import partner_portals as portals
from .partner_portals import Partnership

# The only fields an eco-organism ever receives, in this order (also the CSV's columns).
ECO_FIELDS = ("structure", "pickup_on", "stream", "waste_code", "slip_number", "weight_kg", "weighed")


def partnerships(user: User) -> list[Partnership]:
    """The structures ``user`` speaks for an eco-organism in (active ones), with its organisation in each."""
    return portals.partnerships(user, "eco_organism")


def visible_to(user: User):
    """The one filter of what an eco-organism sees: the handed-over batches of its (structure, organisation)
    pairs."""
    return sa.and_(RecyclingBatch.state == "closed", portals.pairs_filter(
        partnerships(user), RecyclingBatch.structure_id, RecyclingBatch.eco_organism_id))


@dataclass
class Collected:
    """What an eco-organism collected over a period: its batches and the tonnage per structure and stream."""

    rows: list[dict]
    streams: list[str]  # the streams collected, in the vocabulary's order
    # structure name -> stream -> kg; and each structure's total
    by_structure: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    structure_totals: dict[str, Decimal] = field(default_factory=dict)
    stream_totals: dict[str, Decimal] = field(default_factory=dict)
    total_kg: Decimal = Decimal(0)


def collected(session: Session, user: User, start: date, end: date) -> Collected:
    """The batches handed to ``user``'s eco-organism from ``start`` to ``end`` (pickup dates, both included),
    newest first, with the collected tonnage per structure and per stream."""
    with scoping.all_structures(session):
        logged = (sa.select(Item.recycling_batch_id, sa.func.sum(Item.weight_kg).label("kg"))
                  .group_by(Item.recycling_batch_id).subquery())
        batches = session.execute(
            sa.select(RecyclingBatch.structure_id, RecyclingBatch.pickup_on, RecyclingBatch.stream,
                      RecyclingBatch.waste_code, RecyclingBatch.slip_number, RecyclingBatch.weighed_kg, logged.c.kg)
            .outerjoin(logged, logged.c.recycling_batch_id == RecyclingBatch.id)
            .where(visible_to(user), RecyclingBatch.pickup_on >= start, RecyclingBatch.pickup_on <= end)
            .order_by(RecyclingBatch.pickup_on.desc(), RecyclingBatch.id.desc())).all()
        names = portals.structure_names(session, {batch.structure_id for batch in batches})
    result = Collected(rows=[], streams=[])
    by_structure: dict = defaultdict(lambda: defaultdict(Decimal))
    for batch in batches:
        weighed = batch.weighed_kg is not None
        weight = Decimal(batch.weighed_kg if weighed else (batch.kg or 0))
        structure = names[batch.structure_id] or ""
        result.rows.append({"structure": structure, "pickup_on": batch.pickup_on, "stream": batch.stream,
                            "waste_code": batch.waste_code, "slip_number": batch.slip_number, "weight_kg": weight,
                            "weighed": weighed})
        by_structure[structure][batch.stream] += weight
        result.stream_totals[batch.stream] = result.stream_totals.get(batch.stream, Decimal(0)) + weight
        result.total_kg += weight
    result.streams = [stream for stream in WASTE_STREAMS if stream in result.stream_totals]
    result.by_structure = {name: dict(streams) for name, streams in sorted(by_structure.items())}
    result.structure_totals = {name: sum(streams.values(), Decimal(0)) for name, streams in result.by_structure.items()}
    return result
