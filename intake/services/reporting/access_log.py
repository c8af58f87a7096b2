"""The landlords' access log, as coordinators read it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import LandlordAccess

PER_PAGE = 100


def page_of(session, *, refused: bool, page: int | None):
    """One page of looks, newest first; only the refused ones if asked."""
    query = (sa.select(LandlordAccess).options(joinedload(LandlordAccess.user), joinedload(LandlordAccess.organisation))
             .order_by(LandlordAccess.id.desc()))
    if refused:
        query = query.where(LandlordAccess.granted.is_(False))
    return db.paginate(query, page=page or 1, per_page=PER_PAGE, error_out=False)
