"""What a social landlord may see: its own handovers, through an allowlist of fields, every look logged.

Rows are plain dicts built here from named fields only, so no page, API
answer or CSV can show a donor, a note, a technician, a price or a tenant's
name by accident.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..models import Handover, Item, ItemEvent, LandlordAccess, User

# The only fields a landlord ever receives, in this order (also the CSV's columns).
LANDLORD_FIELDS = ("handover_id", "residence", "tenant_ref", "code", "category", "brand", "model", "handed_on",
                   "warranty_until", "erasure_level", "erasure_certificate_ref", "sessions_planned",
                   "sessions_attended", "returned_on", "return_reason")


def _handovers(session: Session, organisation_id: int):
    return (sa.select(Handover).where(Handover.landlord_id == organisation_id)
            .options(joinedload(Handover.item).joinedload(Item.category))
            .order_by(Handover.residence, Handover.tenant_ref, Handover.handed_on.desc(), Handover.id.desc()))


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


def _row(handover: Handover, returned: ItemEvent | None) -> dict:
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
    }
    row["sessions_planned"] = len(row["sessions"])
    row["sessions_attended"] = sum(1 for s in row["sessions"] if s["attended_on"])
    return row


def handover_rows(session: Session, organisation_id: int, residence: str | None = None) -> list[dict]:
    """The landlord's own handovers, by residence and tenant reference (see ``listed_for`` to log the look)."""
    query = _handovers(session, organisation_id)
    if residence:
        query = query.where(Handover.residence == residence)
    handovers = session.scalars(query).unique().all()
    returns = _returns(session, handovers)
    return [_row(handover, returns.get(handover.id)) for handover in handovers]


def listed_for(session: Session, user: User, residence: str | None, *, route: str) -> list[dict]:
    """The rows a landlord user lists or exports; the look is logged, one line naming every handover shown
    (``object_ref``: the residence asked for, if any)."""
    rows = handover_rows(session, user.organisation_id, residence)
    session.add(LandlordAccess(user_id=user.id, organisation_id=user.organisation_id, object_kind="list",
                               object_ref=(residence or "")[:60], granted=True, route=route[:80],
                               shown_ids=[row["handover_id"] for row in rows]))
    session.commit()
    return rows


def residences(session: Session, organisation_id: int) -> list[str]:
    return list(session.scalars(sa.select(Handover.residence).where(Handover.landlord_id == organisation_id)
                                .distinct().order_by(Handover.residence)))


def log_access(session: Session, user: User, *, kind: str, ref: str, granted: bool, route: str) -> None:
    """Write down a landlord user's look at one object, granted or refused. Commits."""
    session.add(LandlordAccess(user_id=user.id, organisation_id=user.organisation_id, object_kind=kind,
                               object_ref=str(ref)[:60], granted=granted, route=route[:80]))
    session.commit()


def own_handover(session: Session, user: User, handover_id: int, *, route: str) -> tuple[Handover, dict] | None:
    """One of the landlord's own handovers with its row, or None for any other (the attempt is logged)."""
    handover = session.scalar(sa.select(Handover).where(Handover.id == handover_id,
                                                        Handover.landlord_id == user.organisation_id))
    log_access(session, user, kind="handover", ref=str(handover_id), granted=handover is not None, route=route)
    if handover is None:
        return None
    return handover, row_of(session, handover)


def row_of(session: Session, handover: Handover) -> dict:
    """One handover's row, as its landlord sees it (the tenant's receipt is made from it too)."""
    return _row(handover, _returns(session, [handover]).get(handover.id))


def own_handover_of_item(session: Session, user: User, code: str, *, route: str) -> Handover | None:
    """The landlord's latest handover of the item with this code, or None (logged either way)."""
    handover = session.scalar(sa.select(Handover).join(Item).where(Item.code == code,
                                                                   Handover.landlord_id == user.organisation_id)
                              .order_by(Handover.id.desc()).limit(1))
    log_access(session, user, kind="item", ref=code, granted=handover is not None, route=route)
    return handover
