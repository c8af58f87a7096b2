"""Where the volunteer works today: chosen once, kept in the session until sign-out."""

from __future__ import annotations

from flask import session

from ..extensions import db
from ..models import CollectionPoint

POINT_KEY = "intake_point_id"
SOURCE_KEY = "intake_source_id"


def current_point() -> CollectionPoint | None:
    point_id = session.get(POINT_KEY)
    point = db.session.get(CollectionPoint, point_id) if point_id else None
    return point if point is not None and point.active else None
