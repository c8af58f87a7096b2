"""Reading items: the item page, lists, and a donation modelled on an item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import clock
from ..formatting import format_weight
from ..models import Category, Item, ItemEvent, Photo
from .codes import normalize_code
from .intake import Donation


def find_item(session: Session, typed_code: str, *options) -> Item | None:
    """The item whose code this is, however it was typed or scanned; None if there is none."""
    code = normalize_code(typed_code)
    if code is None:
        return None
    return session.scalar(sa.select(Item).where(Item.code == code).options(*options))


def item_page(session: Session, typed_code: str, *, whole_history: bool = True) -> Item | None:
    """The item with everything its page shows, in a fixed number of queries.

    ``whole_history=False`` leaves the history out: the page shows its latest
    lines (``latest_history``) and links to the rest.
    """
    options = [
        joinedload(Item.category).joinedload(Category.parent),
        joinedload(Item.source),
        joinedload(Item.collection_point),
        joinedload(Item.created_by),
        # The page only needs to know a photo exists, not its bytes.
        joinedload(Item.photo).load_only(Photo.id, Photo.width, Photo.height),
    ]
    if whole_history:
        options.append(selectinload(Item.events).options(*_EVENT_OPTIONS))
    return find_item(session, typed_code, *options)


_EVENT_OPTIONS = (joinedload(ItemEvent.user), joinedload(ItemEvent.collection_point))


@dataclass(frozen=True)
class History:
    """The latest lines of an item's story, newest first, and how many there are in all."""

    latest: list[ItemEvent]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.latest)


def latest_history(session: Session, item: Item, limit: int) -> History:
    """The item's ``limit`` latest events and the count of all, in one query."""
    rows = session.execute(
        sa.select(ItemEvent, sa.func.count().over().label("total")).where(ItemEvent.item_id == item.id)
        .options(*_EVENT_OPTIONS).order_by(ItemEvent.id.desc()).limit(limit)
    ).all()
    return History(latest=[row.ItemEvent for row in rows], total=rows[0].total if rows else 0)


def recent_items(collection_point_id: int | None) -> sa.Select:
    """Newest first, at one collection point or everywhere."""
    query = (sa.select(Item).options(joinedload(Item.category)).where(Item.status != "voided")
             .order_by(Item.created_at.desc(), Item.id.desc()))
    if collection_point_id is not None:
        query = query.where(Item.collection_point_id == collection_point_id)
    return query


def donation_like(item: Item, client_uuid: uuid.UUID) -> Donation:
    """Another item like this one: same category, weight, condition, source and place; no photo."""
    return Donation(
        client_uuid=client_uuid,
        category_id=item.category_id,
        weight_kg=item.weight_kg,
        grade=item.grade,
        collection_point_id=item.collection_point_id,
        source_id=item.source_id,
        brand=item.brand,
        model=item.model,
        description=item.description,
    )


def copy_summary(item: Item) -> str:
    """What "Same again" copied, as the volunteer reads it: category · weight · condition · source."""
    return " · ".join(part for part in (item.category.name, format_weight(item.weight_kg), item.grade,
                                        item.source.name if item.source else None) if part)


def undo_seconds_left(item: Item, user, window_seconds: int) -> int:
    """How long the person who just logged this item may still undo it (0: not, or no longer)."""
    if item.status != "received" or item.created_by_id != user.id:
        return 0
    elapsed = (clock.now_utc() - item.created_at).total_seconds()
    return max(0, int(window_seconds - elapsed))
