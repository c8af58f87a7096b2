"""Recycling batches: items to recycle, gathered and handed to an eco-organism.

Closing a batch marks all its items ``recycled`` in one transaction: after a
crash, either every item of the batch is recycled or none is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from ..models import (BatchContent, Category, CollectionPoint, IntakeTally, Item, ItemEvent, LotExit, Organisation,
                      RecyclingBatch, User)
from ..clock import now_utc
from ..models.category import WASTE_STREAMS, WEEE_FLOWS, waste_stream_of
from ..vocabulary import term
from .codes import normalize_code
from .outcomes import OutcomeRejected
from .paging import Page, keyset_page
from .status import MAY_MOVE_TO, TransitionRefused

# More than any truck takes away at once.
MAX_BATCH_KG = Decimal(100_000)


# WEEE in the European list of wastes (annex of décision 2000/532/CE): from households 20 01 21* (lamps),
# 20 01 23* (with CFCs: GEM froid), 20 01 35* (with hazardous components: screens, many small appliances),
# 20 01 36 (other), and the 16 02 chapter from businesses. A WEEE flow's batch is declared under one of
# them; a batch of any other stream under none of them.
WEEE_CODE_DIGITS = ("200121", "200123", "200135", "200136", "1602")
# The code a new batch of each WEEE flow is most often declared under, when none is typed.
DEFAULT_WASTE_CODE = {"cooling": "20 01 23*", "large": "20 01 36", "small": "20 01 36", "screens": "20 01 35*",
                      "lamps": "20 01 21*", "pv_panels": "20 01 36"}


def is_weee_code(waste_code: str) -> bool:
    return re.sub(r"\D", "", waste_code).startswith(WEEE_CODE_DIGITS)


def open_batch(session: Session, *, user: User, eco_organism_id: int, pickup_on: date, stream: str,
               waste_code: str | None = None, slip_number: str | None = None,
               weighed_kg: Decimal | None = None) -> RecyclingBatch:
    """A new, empty batch of one stream for an eco-organism; the waste code matches the stream. Commits."""
    errors: dict = {}
    eco_organism = session.get(Organisation, eco_organism_id) if eco_organism_id else None
    if eco_organism is None or eco_organism.kind != "eco_organism":
        errors["eco_organism_id"] = _l("Choose an eco-organism.")
    if stream not in WASTE_STREAMS:
        errors["stream"] = _l("Choose the batch's stream.")
    waste_code = " ".join((waste_code or "").split()) or DEFAULT_WASTE_CODE.get(stream, "")
    if not waste_code or len(waste_code) > 16:
        errors["waste_code"] = _l("Give the waste code, e.g. 20 01 36.")
    elif stream in WASTE_STREAMS and is_weee_code(waste_code) != (stream in WEEE_FLOWS):
        errors["waste_code"] = _l("This waste code does not match the batch's stream: WEEE codes (20 01 21*, "
                                  "20 01 23*, 20 01 35*, 20 01 36) for a WEEE flow, other codes for other waste.")
    if weighed_kg is not None and not 0 < weighed_kg <= MAX_BATCH_KG:
        errors["weighed_kg"] = _l("A batch weighs more than 0 and at most %(max)s kg.", max=MAX_BATCH_KG)
    if errors:
        raise OutcomeRejected(errors)
    batch = RecyclingBatch(eco_organism_id=eco_organism.id, pickup_on=pickup_on, stream=stream,
                           waste_code=waste_code, slip_number=(slip_number or "").strip() or None,
                           weighed_kg=weighed_kg, created_by_id=user.id)
    session.add(batch)
    session.commit()
    return batch


@dataclass(frozen=True)
class Added:
    added: list[str]
    refused: dict[str, str]  # code -> why


def add_items(session: Session, batch: RecyclingBatch, typed_codes: list[str]) -> Added:
    """Put items waiting for recycling into an open batch; say why for the others. Commits."""
    _must_be_open(batch)
    codes = [code for code in (normalize_code(typed) for typed in typed_codes) if code]
    refused = {typed: str(_l("This code is not valid.")) for typed in typed_codes if not normalize_code(typed)}
    items = {item.code: item for item in session.scalars(sa.select(Item).where(Item.code.in_(codes))
                                                        .options(joinedload(Item.category)))}
    added = []
    for code in dict.fromkeys(codes):
        item = items.get(code)
        if item is None:
            refused[code] = str(_l("No item has this code."))
        elif item.recycling_batch_id == batch.id:
            added.append(code)
        elif item.status != "to_recycle":
            refused[code] = str(_l("Only items “to recycle” go in a batch."))
        elif item.recycling_batch_id is not None:
            refused[code] = str(_l("Already in another batch."))
        elif item.category.waste_stream != batch.stream:
            refused[code] = str(_l("Not in this batch's stream (%(stream)s).",
                                   stream=term("batch_stream", item.category.waste_stream)))
        else:
            item.recycling_batch_id = batch.id
            added.append(code)
    session.commit()
    return Added(added, refused)


def _waiting():
    return sa.and_(Item.status == "to_recycle", Item.recycling_batch_id.is_(None))


def waiting_by_stream(session: Session) -> dict[str, int]:
    """How many items to recycle are in no batch yet, per stream: every item to recycle, per category, from
    the intake tally (kept by the database), less those already in a batch. An item goes into a batch only
    while it is to recycle and leaves that status only when its batch closes, so those are the items of the
    open batches, read through the batch index: nothing scans the items waiting, however many."""
    per_category = dict(session.execute(
        sa.select(IntakeTally.category_id, sa.func.sum(IntakeTally.items))
        .where(IntakeTally.status == "to_recycle").group_by(IntakeTally.category_id)).all())
    open_batches = sa.select(RecyclingBatch.id).where(RecyclingBatch.state == "open")
    for category_id, count in session.execute(
            sa.select(Item.category_id, sa.func.count(Item.id))
            .where(Item.recycling_batch_id.in_(open_batches), Item.status == "to_recycle")
            .group_by(Item.category_id)):
        per_category[category_id] = per_category.get(category_id, 0) - count
    deee = dict(session.execute(sa.select(Category.id, Category.deee_category)
                                .where(Category.id.in_(list(per_category)))).all())
    counts: dict[str, int] = {}
    for category_id, count in per_category.items():
        if count:
            stream = waste_stream_of(deee[category_id])
            counts[stream] = counts.get(stream, 0) + count
    return counts


def add_all_waiting(session: Session, batch: RecyclingBatch) -> int:
    """Every item of the batch's stream to recycle that is in no batch yet goes into this one. Commits."""
    _must_be_open(batch)
    of_stream = sa.select(Category.id).where(Category.waste_stream == batch.stream)
    moved = session.execute(sa.update(Item).where(_waiting(), Item.category_id.in_(of_stream))
                            .values(recycling_batch_id=batch.id).execution_options(synchronize_session=False))
    session.commit()
    _forget_items_of(session, batch)
    return moved.rowcount


def remove_item(session: Session, batch: RecyclingBatch, code: str) -> None:
    _must_be_open(batch)
    session.execute(sa.update(Item).where(Item.recycling_batch_id == batch.id, Item.code == normalize_code(code))
                    .values(recycling_batch_id=None).execution_options(synchronize_session=False))
    session.commit()


@dataclass(frozen=True)
class BatchTotals:
    items: int
    items_kg: Decimal


def totals(session: Session, batch: RecyclingBatch) -> BatchTotals:
    count, weight = session.execute(sa.select(sa.func.coalesce(sa.func.sum(BatchContent.items), 0),
                                              sa.func.coalesce(sa.func.sum(BatchContent.kg), 0))
                                    .where(BatchContent.recycling_batch_id == batch.id)).one()
    return BatchTotals(count, Decimal(weight))


def logged_weight():
    """The logged weights of the items of the batch a statement is about, added up."""
    return (sa.select(sa.func.coalesce(sa.func.sum(Item.weight_kg), 0))
            .where(Item.recycling_batch_id == RecyclingBatch.id).correlate(RecyclingBatch).scalar_subquery())


def close_batch(session: Session, batch: RecyclingBatch, *, user: User) -> int:
    """The eco-organism took the batch: every item in it becomes ``recycled``, in one transaction. Commits.

    Returns the number of items recycled.
    """
    if user.role not in MAY_MOVE_TO["recycled"]:
        raise TransitionRefused(_l("Your role cannot make this change."), status=403)
    _must_be_open(batch)
    count = session.scalar(sa.select(sa.func.count(Item.id)).where(Item.recycling_batch_id == batch.id))
    # kg of weighed lots put in the batch (services/lots.py) fill it too.
    if not count and not session.scalar(sa.select(sa.exists().where(LotExit.batch_id == batch.id))):
        raise TransitionRefused(_l("The batch is empty."))
    now = now_utc()
    in_batch = sa.select(Item.id).where(Item.recycling_batch_id == batch.id, Item.status == "to_recycle")
    # The history first (from the items' current status), then the statuses, then the batch: one transaction.
    session.execute(sa.insert(ItemEvent).from_select(
        ["item_id", "kind", "from_status", "to_status", "note", "user_id", "at"],
        sa.select(Item.id, sa.literal("status"), Item.status, sa.literal("recycled"),
                  sa.literal(f"batch {batch.id}"), sa.literal(user.id), sa.literal(now, ItemEvent.at.type))
        .where(Item.id.in_(in_batch))))
    moved = session.execute(sa.update(Item).where(Item.id.in_(in_batch))
                            .values(status="recycled", status_changed_at=now, handled_by_id=user.id)
                            .execution_options(synchronize_session=False))
    closed = session.execute(sa.update(RecyclingBatch).where(RecyclingBatch.id == batch.id,
                                                             RecyclingBatch.state == "open")
                             .values(state="closed", closed_at=now, closed_by_id=user.id, logged_kg=logged_weight())
                             .execution_options(synchronize_session=False))
    if moved.rowcount != count or closed.rowcount != 1:
        session.rollback()
        raise TransitionRefused(_l("Some items of the batch moved meanwhile: check the batch and close it again."))
    session.commit()
    session.refresh(batch)
    _forget_items_of(session, batch)
    return count


def _forget_items_of(session: Session, batch: RecyclingBatch) -> None:
    """Items changed by a bulk statement are read again next time rather than trusted from memory."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Item) and (loaded.recycling_batch_id == batch.id or loaded.status == "to_recycle"):
            session.expire(loaded)


def _must_be_open(batch: RecyclingBatch) -> None:
    if batch.state != "open":
        raise TransitionRefused(_l("This batch is closed: it cannot change any more."))


def register_rows(session: Session) -> list[list]:
    """The waste register (code de l'environnement R.541-43): one line per batch handed over, oldest first.

    Date, usual name, waste code, quantity (weighed, else the items' sum),
    origin, eco-organism and its SIREN, tracking slip, number of items.
    """
    batches = session.scalars(sa.select(RecyclingBatch).where(RecyclingBatch.state == "closed")
                              .options(joinedload(RecyclingBatch.eco_organism))
                              .order_by(RecyclingBatch.pickup_on, RecyclingBatch.id)).all()
    details = session.execute(
        sa.select(BatchContent.recycling_batch_id, Category.name, CollectionPoint.name, sa.func.sum(BatchContent.items),
                  sa.func.sum(BatchContent.kg))
        .join(Category, BatchContent.category_id == Category.id)
        .join(CollectionPoint, BatchContent.collection_point_id == CollectionPoint.id)
        .where(BatchContent.recycling_batch_id.in_([batch.id for batch in batches]))
        .group_by(BatchContent.recycling_batch_id, Category.name, CollectionPoint.name)).all()
    rows = []
    for batch in batches:
        mine = [row for row in details if row[0] == batch.id]
        names = sorted({row[1] for row in mine})
        origins = sorted({row[2] for row in mine})
        weight = batch.weighed_kg if batch.weighed_kg is not None else sum((Decimal(r[4]) for r in mine), Decimal(0))
        rows.append([batch.pickup_on, ", ".join(names), batch.waste_code, weight, ", ".join(origins),
                     batch.eco_organism.name, batch.eco_organism.siren, batch.slip_number,
                     sum(row[3] for row in mine)])
    return rows


BATCH_PAGE_SIZE = 30


def batches_with_totals(session: Session, *, after=None) -> tuple[list, Page]:
    """The open batches (all: a few at a time), then a page of the others, newest pickup first; each row a
    batch with its eco-organism, item count and logged kg (summed for the batches shown only)."""
    listed = sa.select(RecyclingBatch).options(joinedload(RecyclingBatch.eco_organism))
    opened = list(session.scalars(listed.where(RecyclingBatch.state == "open")
                                  .order_by(RecyclingBatch.pickup_on.desc(), RecyclingBatch.id.desc())))
    closed = keyset_page(session, listed.where(RecyclingBatch.state != "open"),
                         (RecyclingBatch.pickup_on, RecyclingBatch.id), after=after, size=BATCH_PAGE_SIZE,
                         descending=True)
    shown = opened + closed.rows if closed.is_first else closed.rows
    totals = dict(((batch_id, (count, weight)) for batch_id, count, weight in session.execute(
        sa.select(BatchContent.recycling_batch_id, sa.func.sum(BatchContent.items), sa.func.sum(BatchContent.kg))
        .where(BatchContent.recycling_batch_id.in_([batch.id for batch in shown]))
        .group_by(BatchContent.recycling_batch_id))))
    return [(batch, *totals.get(batch.id, (0, 0))) for batch in shown], closed


def batch_with_eco_organism(session: Session, batch_id: int) -> RecyclingBatch | None:
    return session.scalar(sa.select(RecyclingBatch).where(RecyclingBatch.id == batch_id)
                          .options(joinedload(RecyclingBatch.eco_organism)))


def items_in_batch(session: Session, batch: RecyclingBatch) -> list[Item]:
    """The batch's items by code, with their category."""
    return list(session.scalars(sa.select(Item).where(Item.recycling_batch_id == batch.id)
                                .options(joinedload(Item.category)).order_by(Item.code)))
