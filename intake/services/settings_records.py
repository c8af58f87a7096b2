"""Reference records that coordinators keep (partners, places, categories, containers, accounts): lists."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session


def records_by_name(session: Session, model) -> list:
    """Every record of a kind that has a name, by name (the choices of a form's select)."""
    return list(session.scalars(sa.select(model).order_by(model.name)))


def records_listed(session: Session, model, *, order, options=()) -> list:
    """Every record of a kind, in the settings list's order, with what the list shows loaded."""
    order = order if isinstance(order, tuple) else (order,)
    return list(session.scalars(sa.select(model).options(*options).order_by(*order)))
