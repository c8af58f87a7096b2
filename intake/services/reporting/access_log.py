"""The landlords' access log, as coordinators read it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...models import LandlordAccess
from ..paging import Page, keyset_page

PER_PAGE = 100


def page_of(session, *, refused: bool, after) -> Page:
    """One page of looks, newest first, after the look ``after``; only the refused ones if asked."""
    query = sa.select(LandlordAccess).options(joinedload(LandlordAccess.user), joinedload(LandlordAccess.organisation))
    if refused:
        query = query.where(LandlordAccess.granted.is_(False))
    return keyset_page(session, query, (LandlordAccess.id,), after=after, size=PER_PAGE, descending=True)
