"""What a social landlord may see: its own handovers, through an allowlist of fields, every look logged.

Rows are plain dicts built here from named fields only, so no page, API
answer or CSV can show a donor, a note, a technician, a price or a tenant's
name by accident.

A landlord may work with several structures: one membership in each (role ``landlord``, organisation =
that structure's record of the landlord). Its portal reads across structures (``scoping.all_structures(session)``)
and keeps only the handovers of those (structure, organisation) pairs (``visible_to``: the one filter, used
by the list, a handover's page, its receipt, the CSV, the API and the label's URL). Every row says which
structure handed the device over.

The access log (``LandlordAccess``) is behind the wall like any record: each structure's coordinators read
their own rows. A granted look goes to the structure whose handover was seen; a list goes to every structure
the landlord works with, each row naming only that structure's handovers shown; a refused look (another
landlord's handover, an id or code that does not exist) goes to every structure the landlord works with,
since none of them can be told apart as "the one it was aimed at" and each should see its account probing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from .. import scoping
from ..models import Handover, Item, ItemEvent, LandlordAccess, User
from . import partner_portals as portals
from .paging import Page, keyset_page
from .partner_portals import Partnership

# The only fields a landlord ever receives, in this order (also the CSV's columns); "structure" is the
# name of the structure that handed the device over.
LANDLORD_FIELDS = ("handover_id", "residence", "tenant_ref", "code", "category", "brand", "model", "handed_on",
                   "warranty_until", "erasure_level", "erasure_certificate_ref", "sessions_planned",
                   "sessions_attended", "returned_on", "return_reason", "structure")


def partnerships(user: User) -> list[Partnership]:
    """The structures ``user`` is a landlord of (active ones), with its organisation in each."""
    return portals.partnerships(user, "landlord")


def visible_to(user: User):
    """The one filter of what a landlord sees: the handovers of its (structure, organisation) pairs."""
    return portals.pairs_filter(partnerships(user), Handover.structure_id, Handover.landlord_id)


# The portal's order: by residence, then tenant reference, then as handed over.
PORTAL_ORDER = (Handover.residence, Handover.tenant_ref, Handover.id)
PORTAL_PAGE_SIZE = 50


def _handovers(user: User):
    return (sa.select(Handover).where(visible_to(user))
            .options(joinedload(Handover.item).joinedload(Item.category), joinedload(Handover.landlord)))


def _returns(session: Session, handovers: list[Handover]) -> dict[int, ItemEvent]:
    """The first return after each handover, if any."""
    if not handovers:
        return {}
    by_item: dict[int, list[ItemEvent]] = {}
    for event in session.scalars(sa.select(ItemEvent).where(
            ItemEvent.item_id.in_({handover.item_id for handover in handovers}), ItemEvent.to_status == "returned")
            .order_by(ItemEvent.at)):
        by_item.setdefault(event.item_id, []).append(event)
    found = {}
    for handover in handovers:
        after = next((event for event in by_item.get(handover.item_id, ()) if event.at >= handover.created_at), None)
        if after is not None:
            found[handover.id] = after
    return found


def _row(handover: Handover, returned: ItemEvent | None, structure: str | None) -> dict:
    item = handover.item
    row = {
        "handover_id": handover.id,
        "residence": handover.residence,
        "tenant_ref": handover.tenant_ref,
        "code": item.code,
        "category": item.category.name,
        "brand": item.brand,
        "model": item.model,
        "handed_on": handover.handed_on,
        "warranty_until": handover.warranty_until,
        "erasure_level": handover.erasure_level,
        "erasure_certificate_ref": handover.erasure_certificate_ref,
        "sessions": [{"topic": s.topic, "partner": s.partner.name if s.partner else None,
                      "planned_on": s.planned_on, "attended_on": s.attended_on} for s in handover.sessions],
        "returned_on": returned.at.date() if returned else None,
        "return_reason": (returned.data or {}).get("reason") if returned else None,
        "structure": structure,
    }
    row["sessions_planned"] = len(row["sessions"])
    row["sessions_attended"] = sum(1 for s in row["sessions"] if s["attended_on"])
    return row


def _rows(session: Session, handovers: list[Handover]) -> list[dict]:
    returns = _returns(session, handovers)
    names = portals.structure_names(session, {handover.structure_id for handover in handovers})
    return [_row(handover, returns.get(handover.id), names[handover.structure_id]) for handover in handovers]


def listed_for(session: Session, user: User, residence: str | None, *, route: str, after=None,
               size: int | None = None) -> Page:
    """The rows a landlord user lists (``size`` at a time, after the handover ``after``) or exports (all);
    the look is logged, one line per structure it works with naming that structure's handovers shown
    (``object_ref``: the residence asked for, if any)."""
    with scoping.all_structures(session):
        query = _handovers(user)
        if residence:
            query = query.where(Handover.residence == residence)
        if size is None:
            page = Page(rows=list(session.scalars(query.order_by(*PORTAL_ORDER)).unique()), after=None,
                        next_after=None)
        else:
            page = keyset_page(session, query, PORTAL_ORDER, after=after, size=size)
        handovers = page.rows
        rows = _rows(session, handovers)
        for pair in partnerships(user):
            shown = [handover.id for handover in handovers if handover.structure_id == pair.structure_id]
            session.add(LandlordAccess(structure_id=pair.structure_id, user_id=user.id,
                                       organisation_id=pair.organisation_id, object_kind="list",
                                       object_ref=(residence or "")[:60], granted=True, route=route[:80],
                                       shown_ids=shown))
        session.commit()
    return Page(rows=rows, after=page.after, next_after=page.next_after)


def residences(session: Session, user: User) -> list[str]:
    with scoping.all_structures(session):
        return list(session.scalars(sa.select(Handover.residence).where(visible_to(user))
                                    .distinct().order_by(Handover.residence)))


def log_look(session: Session, user: User, handover: Handover | None, *, kind: str, ref: str, route: str) -> None:
    """Write down a look at one object: under the structure of the handover seen, or, refused, under each
    structure the landlord works with. Commits; called inside ``all_structures``."""
    pairs = partnerships(user)
    if handover is not None:
        pairs = [pair for pair in pairs if pair.structure_id == handover.structure_id]
    for pair in pairs:
        session.add(LandlordAccess(structure_id=pair.structure_id, user_id=user.id,
                                   organisation_id=pair.organisation_id, object_kind=kind, object_ref=str(ref)[:60],
                                   granted=handover is not None, route=route[:80]))
    session.commit()


def own_handover(session: Session, user: User, handover_id: int, *, route: str) -> tuple[Handover, dict] | None:
    """One of the landlord's own handovers (any of its structures) with its row, or None for any other (the
    attempt is logged). The handover comes with its landlord loaded (the receipt names it)."""
    with scoping.all_structures(session):
        handover = session.scalar(sa.select(Handover).where(Handover.id == handover_id, visible_to(user))
                                  .options(joinedload(Handover.item).joinedload(Item.category),
                                           joinedload(Handover.landlord)))
        row = _rows(session, [handover])[0] if handover is not None else None
        log_look(session, user, handover, kind="handover", ref=str(handover_id), route=route)
    if handover is None:
        return None
    return handover, row


def row_of(session: Session, handover: Handover) -> dict:
    """One handover's row, as its landlord sees it (the tenant's receipt is made from it too)."""
    return _rows(session, [handover])[0]


def own_handover_of_item(session: Session, user: User, code: str, *, route: str) -> Handover | None:
    """The landlord's latest handover of the item with this code, in any of its structures, or None (logged
    either way)."""
    with scoping.all_structures(session):
        handover = session.scalar(sa.select(Handover).join(Item).where(Item.code == code, visible_to(user))
                                  .order_by(Handover.id.desc()).limit(1))
        log_look(session, user, handover, kind="item", ref=code, route=route)
    return handover
