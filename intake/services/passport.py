"""The public item passport: what anyone scanning a label may read, through an allowlist.

Nothing personal, no internal notes, no prices, no donor, no technician.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ..models import Item, Sale
from ..models.structure import STAFF_ROLES
from ..scoping import all_structures, scoped_to
from .outcomes import latest_outcome, sale_warranty_until
from .status import release_state
from .structure import Identity, identity

PASSPORT_FIELDS = ("code", "category", "icon", "brand", "model", "stage", "second_life", "checks_passed_on",
                   "data_erased_on", "erasure_level", "warranty_until", "refurbished", "structure", "contact",
                   "logo_version")

# What the public is told of where the item stands: the truth for every status (a test walks them all).
# Only a sold or handed-over item is said to live a second life.
PUBLIC_STAGES = {
    "received": "workshop", "diagnosing": "workshop", "repairing": "workshop", "returned": "returned",
    "ready": "ready", "sold": "sold", "handed_over": "handed_over",
    "to_recycle": "to_recycle", "recycled": "recycled", "dismantled": "dismantled", "voided": "voided",
}
SECOND_LIFE_STAGES = ("sold", "handed_over")


def public_passport(session: Session, code: str, settings) -> dict | None:
    """The passport of the item with this code, whichever structure looks after it (codes are unique in
    the instance), told in that structure's name; None when no item has the code."""
    with all_structures():
        item = session.scalar(sa.select(Item).options(joinedload(Item.category)).where(Item.code == code))
    if item is None:
        return None
    with scoped_to(item.structure_id):
        return passport(session, item, identity(session, settings))


def structure_to_open(session: Session, user, code: str) -> tuple[int, str] | None:
    """Another of ``user``'s structures, where they work on items, that looks after the item with this
    code: (id, name), for a "switch and open it" button; None otherwise (the passport is all they see)."""
    with all_structures():
        structure_id = session.scalar(sa.select(Item.structure_id).where(Item.code == code))
    membership = user.membership_in(structure_id) if structure_id else None
    if membership is None or membership.role not in STAFF_ROLES or not membership.structure.active:
        return None
    return structure_id, membership.structure.name


def passport(session: Session, item: Item, structure: Identity | None) -> dict:
    """The passport's fields (PASSPORT_FIELDS); ``structure`` is who looks after the item (services/structure.py)."""
    state = release_state(session, item)
    erasure = state.released_by
    warranty_until = None
    refurbished = False
    if item.status in ("sold", "handed_over"):
        latest = latest_outcome(session, item)
        if isinstance(latest, Sale):
            warranty_until = sale_warranty_until(latest)
        elif latest is not None:
            warranty_until = latest.warranty_until
        refurbished = bool(latest and latest.refurbished)
    checks = state.checklist if state.checklist_passed else None
    return {
        "code": item.code,
        "category": item.category.name,
        "icon": item.category.icon,
        "brand": item.brand,
        "model": item.model,
        "stage": PUBLIC_STAGES[item.status],
        "second_life": PUBLIC_STAGES[item.status] in SECOND_LIFE_STAGES,
        "checks_passed_on": checks.at.date() if checks else None,
        "data_erased_on": erasure.performed_at.date() if erasure else None,
        "erasure_level": erasure.level if erasure else None,
        "warranty_until": warranty_until,
        "refurbished": refurbished,
        "structure": structure.name if structure else None,
        "contact": structure.contact if structure else None,
        "logo_version": structure.logo_version if structure else None,
    }


