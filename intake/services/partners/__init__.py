"""Partners and the other organisations a structure deals with, as the forms offer them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...models import Organisation

# Who may give a tenant's training session: any partner but landlords and eco-organisms.
NOT_TRAINERS = ("social_landlord", "eco_organism")


def active_organisations(session: Session, *, kind: str | None = None,
                         excluding: tuple[str, ...] = ()) -> list[Organisation]:
    """Active organisations by name: all, one kind of them, or all but some kinds."""
    query = sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    if excluding:
        query = query.where(Organisation.kind.not_in(excluding))
    return list(session.scalars(query))
