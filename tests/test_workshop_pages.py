"""The workshop's pages as a technician uses them: the queue, scanning several items, the item page."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item
from intake.services.codes import new_code

from .factories import make_item, pass_checks


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
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert f"point={world.point_id}" in next_link and "after=" in next_link
    second = client.get(next_link).get_data(as_text=True)
    shown = set(re.findall(r'href="/i/([A-Z0-9]+)"', first)) | set(re.findall(r'href="/i/([A-Z0-9]+)"', second))
    assert shown == here and not shown & elsewhere


def test_scan_many_has_a_field_to_type_a_code(app, client, auth, world):
    with app.app_context():
        scanned, typed = make_item(world).code, make_item(world).code
    auth.login_as("technician")
    page = client.get("/scan/many").get_data(as_text=True)
    assert re.search(r'<label for="typed">[^<]*saisissez le code', page) and 'name="typed"' in page
    # Typed as people type it (lower case, a space), sent with what the camera gathered; a wrong one is named.
    response = client.post("/scan/many", data={"csrf_token": auth.csrf_token("/scan/many"), "to": "diagnosing",
                                               "codes": scanned, "typed": f"{typed[:3].lower()} {typed[3:]}"})
    result = response.get_data(as_text=True)
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(Item.status).where(Item.code.in_([scanned, typed]))))
    assert statuses == {"diagnosing"}, result
    wrong = client.post("/scan/many", data={"csrf_token": auth.csrf_token("/scan/many"), "to": "repairing",
                                            "typed": "K7M2QZ"}).get_data(as_text=True)
    assert "K7M2QZ n’est pas un code valide" in wrong


@pytest.mark.parametrize("role", ["volunteer", "technician", "coordinator"])
def test_after_a_passed_erasure_the_item_page_no_longer_warns_of_personal_data(app, client, auth, world, role):
    with app.app_context():
        item = make_item(world)  # a phone
        code = item.code
    auth.login_as(role)
    warning = "Peut contenir des données personnelles"
    assert warning in client.get(f"/i/{code}").get_data(as_text=True)
    with app.app_context():
        pass_checks(world, db.session.get(Item, item.id))  # a verified Purge
    page = client.get(f"/i/{code}").get_data(as_text=True)
    assert warning not in page and "Effacées le" in page
