"""What goes on a label: the permanent URL, the code, and a few words for people."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import format_date

from ..models import IssuedCode, Item
from ..services.labels import LabelContent


def item_url(code: str) -> str:
    """The QR target: PUBLIC_BASE_URL (or the address the app is reached at) + /i/<code>."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    return f"{base.rstrip('/')}/i/{code}"


def content_for_item(item: Item) -> LabelContent:
    organisation = current_app.config["LABEL_ORGANISATION"]
    lines = [item.category.name,
             f"{format_date(item.created_at, 'short')} · {item.collection_point.name}"]
    # Shown where there is room, shortened with an ellipsis: what tells two similar items apart.
    details = " ".join(part for part in (item.brand, item.model) if part) or item.description
    if details:
        lines.append(details)
    if organisation:
        lines.append(organisation)
    return LabelContent(item_url(item.code), item.code, tuple(lines))


def content_for_blank(issued: IssuedCode) -> LabelContent:
    """A pre-printed label: its code and the organisation, bound to an item at intake."""
    organisation = current_app.config["LABEL_ORGANISATION"]
    return LabelContent(item_url(issued.code), issued.code, (organisation,) if organisation else ())
