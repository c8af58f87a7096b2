"""Goods counted by weight: lots brought in bulk, and each category's kg leaving (sold by weight, given to
another structure, recycled in a batch of its stream, discarded as final waste) or corrected.

A category's stock is collected − left + corrections. ``LotStock`` keeps it as each write goes, with a
CHECK that it never falls below zero: an exit larger than the stock is refused, whoever else writes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from ..models import Category, CollectionPoint, Container, Lot, LotExit, LotStock, Organisation, RecyclingBatch, User
from ..vocabulary import term
from .outcomes import MAX_PRICE, OutcomeRejected
from .photos import EncodedPhoto

MAX_LOT_KG = Decimal("5000")
EXIT_REASONS = ("sold", "given", "recycled", "discarded")
KG = Decimal("0.001")


class StockShort(OutcomeRejected):
    """Less kg of the category on hand than what would leave."""


@dataclass(frozen=True)
class LotEntry:
    category_id: int | None
    gross_kg: Decimal | None
    collection_point_id: int
    container_id: int | None = None
    source_id: int | None = None
    note: str | None = None
    photo: EncodedPhoto | None = None


def record_lot(session: Session, entry: LotEntry, *, user: User) -> Lot:
    """A lot weighed in: its net weight (gross − the container's tare) goes into its category's stock. Commits."""
    errors: dict = {}
    category = session.get(Category, entry.category_id) if entry.category_id else None
    if category is None or not category.active:
        errors["category_id"] = _l("Choose a category.")
    container = session.get(Container, entry.container_id) if entry.container_id else None
    if entry.container_id and container is None:
        errors["container_id"] = _l("Choose a container.")
    tare = container.tare_kg if container else Decimal(0)
    gross = entry.gross_kg
    if gross is None or not 0 < gross <= MAX_LOT_KG:
        errors["gross_kg"] = _l("Type the weight the scale shows, more than 0 and at most %(max)s kg.", max=MAX_LOT_KG)
    elif gross.quantize(KG) - tare <= 0:
        errors["gross_kg"] = _l("The weight is not more than the container's tare.")
    if entry.source_id and session.get(Organisation, entry.source_id) is None:
        errors["source_id"] = _l("Choose a source.")
    point = session.get(CollectionPoint, entry.collection_point_id)
    if point is None:
        errors["collection_point_id"] = _l("Choose a collection point.")
    note = (entry.note or "").strip() or None
    if note and len(note) > 1000:
        errors["note"] = _l("At most %(count)s characters.", count=1000)
    if errors:
        raise OutcomeRejected(errors)
    gross = gross.quantize(KG)
    lot = Lot(category_id=category.id, gross_kg=gross, tare_kg=tare, container_id=container.id if container else None,
              weight_kg=gross - tare, source_id=entry.source_id or None, collection_point_id=point.id, note=note,
              photo_jpeg=entry.photo.content if entry.photo else None, created_by_id=user.id)
    session.add(lot)
    _move_stock(session, category.id, lot.weight_kg)
    session.commit()
    return lot


@dataclass(frozen=True)
class ExitEntry:
    kind: str
    category_id: int | None
    weight_kg: Decimal | None
    lot_id: int | None = None
    price: Decimal | None = None
    recipient: str | None = None
    batch_id: int | None = None
    waste_code: str | None = None
    note: str | None = None


def record_exit(session: Session, entry: ExitEntry, *, user: User, till_line_id: int | None = None,
                commit: bool = True) -> LotExit:
    """kg of a category leaving (or a correction of its stock, signed, with a note). Refused when the stock
    would fall below zero. Commits (``commit=False``: flushes, for the till's basket)."""
    errors: dict = {}
    category = session.get(Category, entry.category_id) if entry.category_id else None
    if category is None:
        errors["category_id"] = _l("Choose a category.")
    weight = entry.weight_kg.quantize(KG) if entry.weight_kg is not None else None
    correction = entry.kind == "correction"
    if weight is None or abs(weight) > MAX_LOT_KG or weight == 0 or (weight < 0 and not correction):
        errors["weight_kg"] = _l("Type the weight in kg, more than 0 and at most %(max)s.", max=MAX_LOT_KG)
    note = (entry.note or "").strip() or None
    recipient = " ".join((entry.recipient or "").split()) or None
    waste_code = " ".join((entry.waste_code or "").split()) or None
    batch = None
    if entry.kind not in (*EXIT_REASONS, "correction"):
        errors["kind"] = _l("Choose where the goods go.")
    elif entry.kind == "given" and (not recipient or len(recipient) > 200):
        errors["recipient"] = _l("Name the structure they are given to.")
    elif entry.kind == "discarded" and (not waste_code or len(waste_code) > 16):
        errors["waste_code"] = _l("Give the waste code, e.g. 20 03 07.")
    elif entry.kind == "recycled":
        batch = session.get(RecyclingBatch, entry.batch_id) if entry.batch_id else None
        if batch is None or batch.state != "open":
            errors["batch_id"] = _l("Choose an open recycling batch.")
        elif category is not None and category.waste_stream != batch.stream:
            errors["batch_id"] = _l("Not in this batch's stream (%(stream)s).",
                                    stream=term("batch_stream", category.waste_stream))
    elif correction and not note:
        errors["note"] = _l("Say why the stock is corrected.")
    if entry.price is not None and not 0 <= entry.price <= MAX_PRICE:
        errors["price"] = _l("Type the price in euros, 0 or more, for example 89,90.")
    lot = session.get(Lot, entry.lot_id) if entry.lot_id else None
    if entry.lot_id and (lot is None or category is None or lot.category_id != category.id):
        errors["lot_id"] = _l("This lot is not of that category.")
    if errors:
        raise OutcomeRejected(errors)
    record = LotExit(kind=entry.kind, category_id=category.id, weight_kg=weight, lot_id=lot.id if lot else None,
                     price=entry.price if entry.kind == "sold" else None,
                     recipient=recipient if entry.kind == "given" else None,
                     batch_id=batch.id if batch else None,
                     waste_code=waste_code if entry.kind == "discarded" else None,
                     collection_point_id=lot.collection_point_id if lot else None,
                     till_line_id=till_line_id, note=note, by_id=user.id)
    _move_stock(session, category.id, weight if correction else -weight, category=category)
    session.add(record)
    session.commit() if commit else session.flush()
    return record


def _move_stock(session: Session, category_id: int, delta: Decimal, *, category: Category | None = None) -> None:
    """Add ``delta`` kg to the category's stock in one conditional statement; refused below zero. The
    category's first lot makes its row."""
    if _add_to_stock(session, category_id, delta):
        return
    if delta > 0 and session.scalar(sa.select(LotStock.id).where(LotStock.category_id == category_id)) is None:
        try:
            with session.begin_nested():
                session.add(LotStock(category_id=category_id, kg=0))
        except sa.exc.IntegrityError:
            pass  # made meanwhile by another writer
        if _add_to_stock(session, category_id, delta):
            return
    on_hand = session.scalar(sa.select(LotStock.kg).where(LotStock.category_id == category_id)) or Decimal(0)
    name = (category or session.get(Category, category_id)).name
    session.rollback()
    raise StockShort({"weight_kg": _l("Only %(kg)s kg of “%(category)s” in stock: record the lot, or correct "
                                      "the stock, first.", kg=on_hand, category=name)})


def _add_to_stock(session: Session, category_id: int, delta: Decimal) -> bool:
    moved = session.execute(sa.update(LotStock).where(LotStock.category_id == category_id, LotStock.kg + delta >= 0)
                            .values(kg=LotStock.kg + delta).execution_options(synchronize_session=False))
    return moved.rowcount == 1


@dataclass(frozen=True)
class StockLine:
    category_id: int
    category: str
    collected_kg: Decimal
    left_kg: Decimal
    corrected_kg: Decimal
    on_hand_kg: Decimal


def stock(session: Session) -> list[StockLine]:
    """Each category's kg from its ledger: collected, left, corrected, on hand (= the kept stock)."""
    collected = dict(session.execute(sa.select(Lot.category_id, sa.func.sum(Lot.weight_kg))
                                     .group_by(Lot.category_id)).all())
    left, corrected = {}, {}
    for category_id, kind, weight in session.execute(
            sa.select(LotExit.category_id, LotExit.kind, sa.func.sum(LotExit.weight_kg))
            .group_by(LotExit.category_id, LotExit.kind)):
        into = corrected if kind == "correction" else left
        into[category_id] = into.get(category_id, Decimal(0)) + Decimal(weight)
    names = dict(session.execute(sa.select(Category.id, Category.name)
                                 .where(Category.id.in_(set(collected) | set(left) | set(corrected)))).all())
    lines = []
    for category_id, name in sorted(names.items(), key=lambda pair: pair[1]):
        came, went, fixed = (Decimal(source.get(category_id) or 0) for source in (collected, left, corrected))
        lines.append(StockLine(category_id, name, came, went, fixed, came - went + fixed))
    return lines


def kept_stock(session: Session) -> dict[int, Decimal]:
    """The stock as the writes kept it, per category."""
    return {category_id: Decimal(kg) for category_id, kg in session.execute(sa.select(LotStock.category_id,
                                                                                      LotStock.kg))}


def recent_lots(session: Session, limit: int = 30) -> list[Lot]:
    return list(session.scalars(sa.select(Lot).options(joinedload(Lot.category), joinedload(Lot.collection_point))
                                .order_by(Lot.id.desc()).limit(limit)))


def recent_exits(session: Session, limit: int = 30) -> list[LotExit]:
    return list(session.scalars(sa.select(LotExit).options(joinedload(LotExit.category))
                                .order_by(LotExit.id.desc()).limit(limit)))


def lot_page(session: Session, lot_id: int) -> Lot | None:
    return session.scalar(sa.select(Lot).where(Lot.id == lot_id).options(
        joinedload(Lot.category), joinedload(Lot.collection_point), joinedload(Lot.source)))


def lot_photo(session: Session, lot_id: int) -> bytes | None:
    return session.scalar(sa.select(Lot.photo_jpeg).where(Lot.id == lot_id))


def open_batches(session: Session) -> list[RecyclingBatch]:
    """Batches a lot's kg may go into."""
    return list(session.scalars(sa.select(RecyclingBatch).where(RecyclingBatch.state == "open")
                                .order_by(RecyclingBatch.pickup_on)))


def discarded_rows(session: Session, start, end) -> list:
    """Final waste discarded from the stock in the period (local days): date, category, waste code, kg, points."""
    from ..clock import local_days

    first, last = local_days(start, end)
    return session.execute(
        sa.select(LotExit.at, Category.name, LotExit.waste_code, LotExit.weight_kg, CollectionPoint.name)
        .join(Category, LotExit.category_id == Category.id)
        .outerjoin(CollectionPoint, LotExit.collection_point_id == CollectionPoint.id)
        .where(LotExit.kind == "discarded", LotExit.at >= first, LotExit.at < last)
        .order_by(LotExit.at, LotExit.id)).all()


def batch_lot_contents(session: Session, batch_ids) -> list:
    """(batch id, category name, kg) of lot kg put in these recycling batches."""
    return session.execute(
        sa.select(LotExit.batch_id, Category.name, sa.func.sum(LotExit.weight_kg))
        .join(Category, LotExit.category_id == Category.id)
        .where(LotExit.batch_id.in_(list(batch_ids))).group_by(LotExit.batch_id, Category.name)).all()
