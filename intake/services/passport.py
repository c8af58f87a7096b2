"""The public item passport: what anyone scanning a label may read, through an allowlist.

Nothing personal, no internal notes, no prices, no donor, no technician.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Item, Sale
from .outcomes import latest_outcome, sale_warranty_until
from .status import release_state

PASSPORT_FIELDS = ("code", "category", "icon", "brand", "model", "stage", "checks_passed_on", "data_erased_on",
                   "erasure_level", "warranty_until", "refurbished", "contact")

# What the public is told of where the item stands.
PUBLIC_STAGES = {
    "received": "workshop", "diagnosing": "workshop", "repairing": "workshop", "returned": "workshop",
    "ready": "ready", "sold": "second_life", "handed_over": "second_life",
    "to_recycle": "recycling", "recycled": "recycling", "dismantled": "recycling",
}


def passport(session: Session, item: Item, contact: str | None) -> dict:
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
        "checks_passed_on": checks.at.date() if checks else None,
        "data_erased_on": erasure.performed_at.date() if erasure else None,
        "erasure_level": erasure.level if erasure else None,
        "warranty_until": warranty_until,
        "refurbished": refurbished,
        "contact": contact,
    }


