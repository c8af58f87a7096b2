"""What goes on a label: the permanent URL, the code, and a few words for people."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date

from ..extensions import db
from ..models import IssuedCode, Item
from ..services.labels import LabelContent
from ..services.structure import identity
from ..web.urls import item_url


def organisation_line() -> str | None:
    """The structure's name, if it chose to have it on labels (read once per job, not per label)."""
    structure = identity(db.session, current_app.config)
    return structure.label_line if structure else None


def content_for_item(item: Item, organisation: str | None) -> LabelContent:
    lines = [item.category.name,
             f"{format_date(item.created_at, 'short')} · {item.collection_point.name}"]
    # Shown where there is room, shortened with an ellipsis: what tells two similar items apart.
    details = " ".join(part for part in (item.brand, item.model) if part) or item.description
    if details:
        lines.append(details)
    if organisation:
        lines.append(organisation)
    return LabelContent(item_url(item.code), item.code, tuple(lines))


def content_for_blank(issued: IssuedCode, organisation: str | None) -> LabelContent:
    """A pre-printed label: its code and the organisation, bound to an item at intake."""
    return LabelContent(item_url(issued.code), issued.code, (organisation,) if organisation else ())
