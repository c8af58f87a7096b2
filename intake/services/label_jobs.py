"""A label job: which codes, what each label says, and the history line of a label sent to a printer.

The pages choose the stock and the output (PNG, PDF, print page, network printer); what goes on the
labels and what is recorded is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import Session, joinedload

from ..models import CollectionPoint, IssuedCode, Item, ItemEvent, User
from . import labels, printers
from .codes import item_address
from .label_stock import Stock
from .labels import LabelContent


class UnknownCode(LookupError):
    """A code that is neither an item's nor a pre-printed blank still free."""


@dataclass(frozen=True)
class LabelText:
    """Where the labels point to (the QR base URL) and the structure's line, if it wants one."""

    base_url: str
    organisation: str | None = None

    def url(self, code: str) -> str:
        return item_address(self.base_url, code)


def content_for_item(item: Item, text: LabelText) -> LabelContent:
    lines = [item.category.name,
             f"{format_date(item.created_at, 'short')} · {item.collection_point.name}"]
    # Shown where there is room, shortened with an ellipsis: what tells two similar items apart.
    details = " ".join(part for part in (item.brand, item.model) if part) or item.description
    if details:
        lines.append(details)
    if text.organisation:
        lines.append(text.organisation)
    return LabelContent(text.url(item.code), item.code, tuple(lines))


def content_for_blank(issued: IssuedCode, text: LabelText) -> LabelContent:
    """A pre-printed label: its code and the organisation, bound to an item at intake."""
    return LabelContent(text.url(issued.code), issued.code, (text.organisation,) if text.organisation else ())


def label_contents(session: Session, codes: list[str], text: LabelText) -> list[LabelContent]:
    """Each code's label, in the order given: an item's, or a pre-printed blank; UnknownCode otherwise."""
    items = _items_by_code(session, codes)
    blanks = {issued.code: issued for issued in session.scalars(
        sa.select(IssuedCode).where(IssuedCode.code.in_(set(codes) - set(items)), IssuedCode.item_id.is_(None)))}
    contents = []
    for code in codes:
        if code in items:
            contents.append(content_for_item(items[code], text))
        elif code in blanks:
            contents.append(content_for_blank(blanks[code], text))
        else:
            raise UnknownCode(code)
    return contents


def _items_by_code(session: Session, codes: list[str]) -> dict[str, Item]:
    """The items of these codes with what their labels say (category, point), by code."""
    return {item.code: item for item in session.scalars(
        sa.select(Item).where(Item.code.in_(codes))
        .options(joinedload(Item.category), joinedload(Item.collection_point)))}


def codes_of_run(session: Session, run: str) -> list[str]:
    """The codes of one print run of pre-printed labels, in the order they were reserved."""
    return list(session.scalars(sa.select(IssuedCode.code).where(IssuedCode.batch == run)
                                .order_by(IssuedCode.created_at, IssuedCode.code)))


def codes_logged(session: Session, point: CollectionPoint, start: datetime, end: datetime) -> list[str]:
    """The codes of the items logged at ``point`` from ``start`` to ``end``, in the order they were logged."""
    return list(session.scalars(
        sa.select(Item.code).where(Item.collection_point_id == point.id, Item.created_at >= start,
                                   Item.created_at < end).order_by(Item.created_at, Item.id)))


def print_labels(session: Session, items: list[Item], *, point: CollectionPoint, stock: Stock, text: LabelText,
                 reach: printers.Reach, timeout: float, font_path: str | None, user: User) -> list[ItemEvent]:
    """Send the items' labels to the point's network printer as one job, and write "label printed" in each
    one's history.

    Commits. Raises printers.PrinterUnavailable / PrinterMisconfigured or labels.LabelTooSmall, having
    written nothing.
    """
    printer = printers.Printer.from_uri(point.printer_uri, reach)
    job = b"".join(printers.printer_job(printer, stock, labels.render_label(stock, content_for_item(item, text),
                                                                            font_path=font_path))
                   for item in items)
    printers.send(printer, job, reach=reach, timeout=timeout)
    events = [ItemEvent(item_id=item.id, kind="label_printed", user_id=user.id, collection_point_id=point.id,
                        data={"stock": stock.id, "printer": printer.host}) for item in items]
    session.add_all(events)
    session.commit()
    return events


def items_to_label(session: Session, codes: list[str]) -> list[Item]:
    """The items of these codes, in the order given (UnknownCode for one that is no item of ours)."""
    found = _items_by_code(session, codes)
    missing = next((code for code in codes if code not in found), None)
    if missing:
        raise UnknownCode(missing)
    return [found[code] for code in codes]


@dataclass(frozen=True)
class PreprintedRun:
    run: str
    total: int
    bound: int
    created_at: datetime | None = None


def preprinted_runs(session: Session, *, latest: int = 20) -> list[PreprintedRun]:
    """The latest print runs of pre-printed labels, with how many of their codes are bound to items."""
    rows = session.execute(
        sa.select(IssuedCode.batch, sa.func.count(), sa.func.count(IssuedCode.item_id), sa.func.min(IssuedCode.created_at))
        # Pre-printed codes are the ones with a print run: read through the run's index, not the whole
        # register (a code per item ever logged).
        .where(IssuedCode.batch.is_not(None), IssuedCode.kind == "preprinted").group_by(IssuedCode.batch)
        .order_by(sa.func.min(IssuedCode.created_at).desc()).limit(latest)).all()
    return [PreprintedRun(*row) for row in rows]


def preprinted_run(session: Session, run: str) -> PreprintedRun | None:
    total, bound = session.execute(
        sa.select(sa.func.count(), sa.func.count(IssuedCode.item_id)).where(IssuedCode.batch == run)).one()
    return PreprintedRun(run, total, bound) if total else None
