"""Reading items: the item page, lists, and a donation modelled on an item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from ..formatting import format_weight
from ..models import Category, CollectionPoint, Item, ItemEvent, Photo, User
from .codes import normalize_code
from .intake import Donation
from .paging import Page, keyset_page


def find_item(session: Session, typed_code: str, *options) -> Item | None:
    """The item whose code this is, however it was typed or scanned; None if there is none."""
    code = normalize_code(typed_code)
    if code is None:
        return None
    return session.scalar(sa.select(Item).where(Item.code == code).options(*options))


# The loader options are built once: building them is a good part of the ORM's work on every page.
_ITEM_PAGE_OPTIONS = (
    joinedload(Item.category).joinedload(Category.parent),
    joinedload(Item.source),
    joinedload(Item.collection_point),
    joinedload(Item.created_by),
    # The page only needs to know a photo exists, not its bytes.
    joinedload(Item.photo).load_only(Photo.id, Photo.width, Photo.height),
)
_EVENT_OPTIONS = (joinedload(ItemEvent.user), joinedload(ItemEvent.collection_point))
_ITEM_PAGE_WITH_HISTORY = (*_ITEM_PAGE_OPTIONS, selectinload(Item.events).options(*_EVENT_OPTIONS))


# The page's statements are built once, their values bound at each call: building a statement and its
# cache key costs more than running it.
_ITEM_PAGE = {
    whole: sa.select(Item).where(Item.code == sa.bindparam("code"))
    .options(*(_ITEM_PAGE_WITH_HISTORY if whole else _ITEM_PAGE_OPTIONS))
    for whole in (True, False)
}


def item_page(session: Session, typed_code: str, *, whole_history: bool = True) -> Item | None:
    """The item with everything its page shows, in a fixed number of queries.

    ``whole_history=False`` leaves the history out: the page shows its lines (``history_lines``).
    """
    code = normalize_code(typed_code)
    if code is None:
        return None
    return session.scalar(_ITEM_PAGE[whole_history], {"code": code})


# What a line of an item's story shows, read as plain rows (no ORM objects: a line never changes, and
# its HTML is kept once rendered, see formatting.history_lines). ORM attributes, so that criteria the
# session adds to every query of an entity still apply.
_LINE_COLUMNS = (ItemEvent.id, ItemEvent.kind, ItemEvent.from_status, ItemEvent.to_status, ItemEvent.note,
                 ItemEvent.minutes, ItemEvent.parts, ItemEvent.data, ItemEvent.at,
                 User.name.label("user_name"), CollectionPoint.name.label("point_name"))


@dataclass(frozen=True)
class History:
    """Lines of an item's story, newest first (rows: id, kind, from_status, to_status, note, minutes,
    parts, data, at, user_name, point_name), and how many there are in all."""

    latest: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.latest)


class newest_first(FunctionElement):
    """``ORDER BY <id> DESC`` of one item's lines, read through the item's index on both databases.

    SQLite's index on ``item_id`` holds each item's rows in id order: it gives the newest at once.
    PostgreSQL's does not, and for ``WHERE item_id = ? ORDER BY id DESC LIMIT 10`` it walks the primary
    key backwards from the newest event of all, filtering: quick for a new item, the whole table for an
    old one (48 ms at 300,000 events). Ordering by ``id + 0`` there makes it read the item's rows by
    its index and sort them (the count reads them anyway)."""

    inherit_cache = True
    name = "newest_first"


@compiles(newest_first)
def _newest_first(element, compiler, **kw):
    return f"{compiler.process(element.clauses, **kw)} DESC"


@compiles(newest_first, "postgresql")
def _newest_first_postgresql(element, compiler, **kw):
    return f"{compiler.process(element.clauses, **kw)} + 0 DESC"


def _history_statement(limited: bool) -> sa.Select:
    # The count is a subquery, not a window over the rows: a window makes the database read the whole
    # history to return ten lines.
    total = (sa.select(sa.func.count()).where(ItemEvent.item_id == sa.bindparam("item_id"))
             .correlate(None).scalar_subquery())
    statement = (sa.select(*_LINE_COLUMNS, total.label("total"))
                 .outerjoin(User, User.id == ItemEvent.user_id)
                 .outerjoin(CollectionPoint, CollectionPoint.id == ItemEvent.collection_point_id)
                 .where(ItemEvent.item_id == sa.bindparam("item_id")).order_by(newest_first(ItemEvent.id)))
    return statement.limit(sa.bindparam("limit", type_=sa.Integer)) if limited else statement


_HISTORY = {limited: _history_statement(limited) for limited in (True, False)}


def history_lines(session: Session, item: Item, limit: int | None = None) -> History:
    """The item's ``limit`` latest lines (all if None), newest first, and the count of all, in one query."""
    parameters = {"item_id": item.id} if limit is None else {"item_id": item.id, "limit": limit}
    rows = session.execute(_HISTORY[limit is not None], parameters).all()
    return History(latest=rows, total=rows[0].total if rows else 0)


def recent_items(collection_point_id: int | None) -> sa.Select:
    """Items of one collection point or everywhere, to be shown newest first (``NEWEST_FIRST``)."""
    query = sa.select(Item).options(joinedload(Item.category)).where(Item.status != "voided")
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
        # The weight is the one on the item, already stored (confirmed then if it was unusual): the copy
        # does not ask again.
        weight_confirmed=True,
    )


def copy_summary(item: Item) -> str:
    """What "Same again" copied, as the volunteer reads it: category · weight · condition · source."""
    return " · ".join(part for part in (item.category.name, format_weight(item.weight_kg), item.grade,
                                        item.source.name if item.source else None) if part)


SEARCH_PAGE_SIZE = 50
NEWEST_FIRST = (Item.created_at, Item.id)


@dataclass(frozen=True)
class ItemSearch:
    """What someone looks for in the items list; every part optional."""

    text: str | None = None  # a code, part of one, or the start of a brand, model or serial number
    category_id: int | None = None
    source_id: int | None = None
    private_donor: bool = False  # only items from private donors
    collection_point_id: int | None = None
    since: datetime | None = None  # logged at or after (UTC)
    before: datetime | None = None  # logged before (UTC)


def search_items(session: Session, search: ItemSearch, after: str | None = None) -> Page:
    """Items matching the search, newest first, one page at a time (by keyset: no count, no offset)."""
    query = recent_items(search.collection_point_id)
    text = (search.text or "").strip()
    if text:
        code = normalize_code(text)
        if code is not None:
            query = query.where(Item.code == code)
        else:
            query = query.where(_text_matches(text))
    if search.category_id is not None:
        query = query.where(Item.category_id == search.category_id)
    if search.private_donor:
        query = query.where(Item.source_id.is_(None))
    elif search.source_id is not None:
        query = query.where(Item.source_id == search.source_id)
    if search.since is not None:
        query = query.where(Item.created_at >= search.since)
    if search.before is not None:
        query = query.where(Item.created_at < search.before)
    return keyset_page(session, query, NEWEST_FIRST, after=after, size=SEARCH_PAGE_SIZE, descending=True)


def _text_matches(text: str):
    """Part of a code (as printed: upper case, no spaces), or the start of a brand, model or serial."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    starts = f"{escaped}%"
    conditions = [sa.func.lower(column).like(starts, escape="\\")
                  for column in (Item.brand, Item.model, Item.serial_number)]
    compact = "".join(text.split()).upper()
    if compact.isalnum() and len(compact) <= 6:
        conditions.append(Item.code.like(f"%{compact}%"))
    return sa.or_(*conditions)


def items_with_codes(session: Session, codes: list[str]) -> list[Item]:
    """The items whose codes these are (canonical codes), with their category; unknown codes left out."""
    return list(session.scalars(sa.select(Item).where(Item.code.in_(codes)).options(joinedload(Item.category))))


def photo_content(session: Session, item: Item) -> bytes | None:
    return session.scalar(sa.select(Photo.content).where(Photo.item_id == item.id))
