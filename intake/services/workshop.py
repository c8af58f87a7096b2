"""What an item's page offers to move it on: its allowed moves, what `ready` still needs, how it left."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..models import Erasure, Item, StatusCount
from ..models.user import WORKSHOP_ROLES
from .paging import Page, keyset_page
from . import status as machine
from .outcomes import latest_outcome



@dataclass(frozen=True)
class WorkshopPanel:
    moves: list[str]  # statuses reached through the plain "move it on" form
    exits: list[str]  # statuses that have a form of their own (sale, handover, return, recycling)
    release: machine.ReleaseState | None  # checklist and erasures, read once
    ready_problems: list  # why the item cannot be `ready` yet, if that is a move on offer
    outcome: object | None  # the sale or handover of an item that left
    data_erased_by: Erasure | None  # the erasure that makes its data known to be gone (since its last return)


def workshop_panel(session: Session, item: Item, role: str) -> WorkshopPanel:
    """Everything the item page needs to move the item on, in a fixed number of queries."""
    allowed = machine.allowed_transitions(item.status, role)
    needs_state = role in WORKSHOP_ROLES or "ready" in allowed or item.category.data_bearing
    state = machine.release_state(session, item) if needs_state else None
    return WorkshopPanel(
        moves=[target for target in allowed if target not in machine.HAS_ITS_OWN_FORM],
        exits=[target for target in allowed if target in machine.HAS_ITS_OWN_FORM],
        release=state,
        ready_problems=machine.readiness_problems(state, item, "ready") if "ready" in allowed else [],
        outcome=latest_outcome(session, item) if item.status in ("sold", "handed_over") else None,
        data_erased_by=state.released_by if state and machine.erasure_problem(state.erasures) is None else None,
    )


QUEUE_PAGE_SIZE = 50


def waiting_in(session: Session, status: str, *, after: str | None = None, handled_by_id: int | None = None,
               category_id: int | None = None, collection_point_id: int | None = None) -> Page:
    """One page of the items waiting in ``status``, the longest waiting first, narrowed by the queue's filters."""
    query = (sa.select(Item).where(Item.status == status)
             .options(joinedload(Item.category), joinedload(Item.collection_point)))
    if handled_by_id:
        query = query.where(Item.handled_by_id == handled_by_id)
    if category_id:
        query = query.where(Item.category_id == category_id)
    if collection_point_id:
        query = query.where(Item.collection_point_id == collection_point_id)
    return keyset_page(session, query, (Item.status_changed_at, Item.id), after=after, size=QUEUE_PAGE_SIZE)


def items_per_status(session: Session) -> dict[str, int]:
    """The queue tabs' counts, from the counter the database keeps (models/tallies.py), not a count of items."""
    return dict(session.execute(sa.select(StatusCount.status, StatusCount.items)).all())


def erasure_records(session: Session, item: Item) -> list[Erasure]:
    """Every erasure record of the item, oldest first, with its operator (superseded ones stay)."""
    return list(session.scalars(sa.select(Erasure).where(Erasure.item_id == item.id)
                                .options(joinedload(Erasure.operator)).order_by(Erasure.id)))
