"""Where the volunteer works today: chosen once, kept in the session until sign-out."""

from __future__ import annotations

from flask import request, session

from ..extensions import db
from ..models import CollectionPoint

POINT_KEY = "intake_point_id"
SOURCE_KEY = "intake_source_id"


def current_point() -> CollectionPoint | None:
    point_id = session.get(POINT_KEY)
    point = db.session.get(CollectionPoint, point_id) if point_id else None
    return point if point is not None and point.active else None


def intake_point() -> CollectionPoint | None:
    """The point an intake page is for: the one in its address (``/intake?point=3``: the phone keeps that
    page for each point, so that the point can be chosen with no network), else today's point."""
    point_id = request.args.get("point", type=int)
    if point_id is None:
        return current_point()
    point = db.session.get(CollectionPoint, point_id)
    return point if point is not None and point.active else None
