"""The workshop's pages as a technician uses them: the queue, scanning several items, the item page."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item
from intake.services.codes import new_code

from .factories import make_item


def items_at(world, point_id: int, count: int) -> set[str]:
    """``count`` received items at one collection point, inserted in one statement."""
    template = make_item(world, collection_point_id=point_id)
    codes = [new_code() for _ in range(count - 1)]
    db.session.execute(sa.insert(Item), [
        {"code": code, "client_uuid": uuid.uuid4(), "intake_digest": "0" * 64, "category_id": world.phone_id,
         "weight_kg": Decimal("0.2"), "grade": "B", "collection_point_id": point_id, "status": "received"}
        for code in codes])
    db.session.commit()
    return {template.code, *codes}


def test_the_queue_pages_keep_their_filters(app, client, auth, world):
    with app.app_context():
        here = items_at(world, world.point_id, 55)
        elsewhere = items_at(world, world.other_point_id, 60)
    auth.login_as("technician")
    first = client.get(f"/workshop?status=received&point={world.point_id}").get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)">→</a>', first).group(1).replace("&amp;", "&")
    assert f"point={world.point_id}" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    shown = set(re.findall(r'href="/i/([A-Z0-9]+)"', first)) | set(re.findall(r'href="/i/([A-Z0-9]+)"', second))
    assert shown == here and not shown & elsewhere
