"""What the partners' portals share: a landlord's or an eco-organism's account works with several
structures, one membership in each naming the partner's record there (Organisation rows are per structure).

Their portals read across structures (``scoping.all_structures(session)``) and keep only the rows of the account's
(structure, organisation) pairs: ``pairs_filter`` makes that one condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from .. import scoping
from ..models import User
from .structure import identity


@dataclass(frozen=True)
class Partnership:
    """One structure a partner's account works with, and the partner's record (Organisation) there."""

    structure_id: int
    organisation_id: int


def partnerships(user: User, role: str) -> list[Partnership]:
    """The active structures ``user`` holds ``role`` in, with the organisation it speaks for in each."""
    return [Partnership(m.structure_id, m.organisation_id) for m in user.memberships
            if m.role == role and m.organisation_id is not None and m.structure.active]


def pairs_filter(pairs: list[Partnership], structure_column, organisation_column):
    """Rows of one of the pairs (none without any)."""
    if not pairs:
        return sa.false()
    return sa.or_(*(sa.and_(structure_column == pair.structure_id, organisation_column == pair.organisation_id)
                    for pair in pairs))


def structure_names(session: Session, structure_ids) -> dict[int, str | None]:
    """Each structure's name as receipts show it (the settings' for one not filled in yet, else None)."""
    names = {}
    for structure_id in sorted(set(structure_ids)):
        with scoping.scoped_to(structure_id):
            found = identity(session, current_app.config)
        names[structure_id] = found.name if found else None
    return names
