"""CSV files of the items and of their events for a filter: French headers, no HTML, cells that would
be spreadsheet formulas neutralised (the shared writer, intake/services/exports.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, aliased

from ...clock import local_date
from ...models import Category, CollectionPoint, Item, ItemEvent, Organisation, User
from ...vocabulary import term
from .filters import Filters, item_scope, moment_in, received_in

ITEM_HEADER = (_l("Code"), _l("Logged on"), _l("Category"), _l("Family"), _l("Brand"), _l("Model"),
               _l("Weight (kg)"), _l("Condition"), _l("Source"), _l("Collection point"), _l("Status"))
EVENT_HEADER = (_l("Code"), _l("Date"), _l("Event"), _l("From"), _l("To"), _l("Note"), _l("Time spent (minutes)"),
                _l("Parts used"), _l("By"))


def item_rows(session: Session, filters: Filters):
    """Items logged in the period, oldest first."""
    query = (sa.select(Item.code, Item.created_at, Category.name, Category.family, Item.brand, Item.model,
                       Item.weight_kg, Item.grade, Organisation.name, CollectionPoint.name, Item.status)
             .join(Category, Item.category_id == Category.id)
             .join(CollectionPoint, Item.collection_point_id == CollectionPoint.id)
             .outerjoin(Organisation, Item.source_id == Organisation.id)
             .where(*received_in(filters)).order_by(Item.created_at, Item.id))
    private = str(_l("Private donor"))
    for code, at, category, family, brand, model, weight, grade, source, point, status in session.execute(
            query.execution_options(yield_per=1000)):
        yield [code, local_date(at), category, str(term("family", family)), brand, model, weight, grade,
               source or private, point, str(term("status", status))]


def event_rows(session: Session, filters: Filters):
    """Events of the period on the filter's items (the period is the events' dates), oldest first."""
    who = aliased(User)
    query = (sa.select(Item.code, ItemEvent.at, ItemEvent.kind, ItemEvent.from_status, ItemEvent.to_status,
                       ItemEvent.note, ItemEvent.minutes, ItemEvent.parts, who.name)
             .join(Item, ItemEvent.item_id == Item.id).outerjoin(who, ItemEvent.user_id == who.id)
             .where(moment_in(ItemEvent.at, filters), *item_scope(filters)).order_by(ItemEvent.at, ItemEvent.id))
    for code, at, kind, before, after, note, minutes, parts, name in session.execute(
            query.execution_options(yield_per=1000)):
        yield [code, local_date(at), str(term("event", kind)), str(term("status", before)) if before else None,
               str(term("status", after)) if after else None, note, minutes, parts, name]
