"""Correcting a logged item: windows per role, the trail, ETag / If-Match, what has left stays as signed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from intake import clock
from intake.extensions import db
from intake.models import Category, Item, ItemEvent, Organisation, User
from intake.services.accounts import issue_token
from intake.services.outcomes import record_sale
from intake.services.recycling import add_items, close_batch, open_batch

from .factories import make_item, make_ready, user


@pytest.fixture
def tokens(app, world):
    with app.app_context():
        return {role: issue_token(db.session, db.session.get(User, world.user_ids[role]))
                for role in ("volunteer", "technician", "coordinator")}


def bearer(token, etag=None):
    headers = {"Authorization": f"Bearer {token}"}
    if etag is not None:
        headers["If-Match"] = etag
    return headers


def logged(app, world, role="volunteer", **values) -> str:
    with app.app_context():
        return make_item(world, role=role, **values).code


def etag_of(client, token, code) -> str:
    response = client.get(f"/api/v1/items/{code}", headers=bearer(token))
    assert response.status_code == 200
    return response.headers["ETag"]


def stored(app, code) -> Item:
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        db.session.expunge(item)
        return item


def amendments_of(app, code) -> list[ItemEvent]:
    with app.app_context():
        return db.session.scalars(sa.select(ItemEvent).join(Item).where(Item.code == code,
                                                                         ItemEvent.kind == "amended")).all()


def later(freeze_clock, minutes):
    moment = clock.now_utc() + timedelta(minutes=minutes)
    freeze_clock(moment)


def test_the_author_corrects_within_the_window_and_the_trail_holds_old_and_new(app, client, world, tokens):
    code = logged(app, world)
    etag = etag_of(client, tokens["volunteer"], code)
    response = client.patch(f"/api/v1/items/{code}", json={"weight_kg": "0.35", "brand": "Fairphone"},
                            headers=bearer(tokens["volunteer"], etag))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["weight_kg"], body["brand"], body["version"]) == (0.35, "Fairphone", 2)
    assert response.headers["ETag"] != etag and body["amended_at"]
    trail = body["events"][-1]
    assert trail["kind"] == "amended" and trail["user"]
    assert trail["data"]["changes"] == [{"field": "weight_kg", "old": "0.2", "new": "0.35"},
                                        {"field": "brand", "old": None, "new": "Fairphone"}]
    assert stored(app, code).weight_kg == Decimal("0.35")


def test_the_author_window_closes_after_the_setting(app, client, world, tokens, freeze_clock):
    code = logged(app, world)
    etag = etag_of(client, tokens["volunteer"], code)
    later(freeze_clock, 16)
    response = client.patch(f"/api/v1/items/{code}", json={"grade": "C"}, headers=bearer(tokens["volunteer"], etag))
    assert response.status_code == 403
    assert stored(app, code).grade == "B" and not amendments_of(app, code)


def test_someone_else_may_not_correct_and_a_coordinator_needs_a_reason(app, client, world, tokens, freeze_clock):
    code = logged(app, world)
    etag = etag_of(client, tokens["technician"], code)
    assert client.patch(f"/api/v1/items/{code}", json={"grade": "C"},
                        headers=bearer(tokens["technician"], etag)).status_code == 403
    later(freeze_clock, 60 * 24 * 30)  # a month later
    no_reason = client.patch(f"/api/v1/items/{code}", json={"grade": "C"}, headers=bearer(tokens["coordinator"], etag))
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]["json"]
    fixed = client.patch(f"/api/v1/items/{code}", json={"grade": "C", "reason": "Écran fêlé vu à l'atelier"},
                         headers=bearer(tokens["coordinator"], etag))
    assert fixed.status_code == 200
    assert fixed.get_json()["events"][-1]["note"] == "Écran fêlé vu à l'atelier"
    assert stored(app, code).grade == "C"


def test_a_stale_version_answers_412_and_changes_nothing(app, client, world, tokens):
    code = logged(app, world)
    etag = etag_of(client, tokens["volunteer"], code)
    assert client.patch(f"/api/v1/items/{code}", json={"brand": "A"},
                        headers=bearer(tokens["volunteer"], etag)).status_code == 200
    stale = client.patch(f"/api/v1/items/{code}", json={"brand": "B"}, headers=bearer(tokens["volunteer"], etag))
    assert stale.status_code == 412
    missing = client.patch(f"/api/v1/items/{code}", json={"brand": "B"}, headers=bearer(tokens["volunteer"]))
    assert missing.status_code == 428
    assert stored(app, code).brand == "A" and len(amendments_of(app, code)) == 1


def test_a_status_change_makes_the_etag_stale(app, client, world, tokens):
    code = logged(app, world)
    etag = etag_of(client, tokens["coordinator"], code)
    moved = client.post(f"/api/v1/items/{code}/transitions", json={"to": "diagnosing"},
                        headers=bearer(tokens["technician"]))
    assert moved.status_code == 200
    assert client.patch(f"/api/v1/items/{code}", json={"brand": "B", "reason": "x"},
                        headers=bearer(tokens["coordinator"], etag)).status_code == 412


def test_a_corrected_tare_keeps_the_scale_reading(app, client, world, tokens):
    code = logged(app, world, weight_kg=Decimal("1.5"), container_id=world.crate_id)  # 1,5 − 1,2 = 0,3 kg net
    assert stored(app, code).tare_kg == Decimal("1.2")
    response = client.patch(f"/api/v1/items/{code}", json={"tare_kg": "1.0"},
                            headers=bearer(tokens["volunteer"], etag_of(client, tokens["volunteer"], code)))
    assert response.status_code == 200, response.get_json()
    item = stored(app, code)
    assert (item.tare_kg, item.weight_kg) == (Decimal("1.0"), Decimal("0.5"))
    fields = [line["field"] for line in response.get_json()["events"][-1]["data"]["changes"]]
    assert fields == ["weight_kg", "tare_kg"]


def test_a_sold_item_keeps_what_its_receipt_says_but_its_source_can_be_fixed(app, client, world, tokens):
    with app.app_context():
        item = make_ready(world)
        record_sale(db.session, item, user=user(world, "technician"), price=Decimal("45"), sold_on=date(2026, 11, 2),
                    channel="shop")
        code = item.code
    etag = etag_of(client, tokens["coordinator"], code)
    refused = client.patch(f"/api/v1/items/{code}", json={"serial_number": "X1", "reason": "typo"},
                           headers=bearer(tokens["coordinator"], etag))
    assert refused.status_code == 409
    assert "reçu signé" in refused.get_json()["message"] and "numéro de série" in refused.get_json()["message"]
    assert stored(app, code).serial_number is None
    allowed = client.patch(f"/api/v1/items/{code}", json={"source_id": None, "reason": "Don d'un particulier"},
                           headers=bearer(tokens["coordinator"], etag))
    assert allowed.status_code == 200 and stored(app, code).source_id is None


def test_an_item_in_a_closed_recycling_batch_keeps_its_weight(app, client, world, tokens):
    with app.app_context():
        eco = Organisation(name="Ecosystem", kind="eco_organism", siren="813431513")
        db.session.add(eco)
        db.session.commit()
        item = make_item(world)
        from intake.services.status import change_status
        change_status(db.session, item, "to_recycle", user=user(world, "technician"))
        batch = open_batch(db.session, user=user(world, "coordinator"), eco_organism_id=eco.id,
                           pickup_on=date(2026, 11, 20), stream="small", waste_code="20 01 35*")
        assert add_items(db.session, batch, [item.code]).added
        close_batch(db.session, batch, user=user(world, "coordinator"))
        code = item.code
    etag = etag_of(client, tokens["coordinator"], code)
    refused = client.patch(f"/api/v1/items/{code}", json={"weight_kg": "0.3", "reason": "pesée refaite"},
                           headers=bearer(tokens["coordinator"], etag))
    assert refused.status_code == 409
    assert stored(app, code).weight_kg == Decimal("0.2")


def test_an_implausible_weight_is_asked_again_on_the_api_and_recorded_when_confirmed(app, client, world, tokens):
    with app.app_context():
        laptop = Category(name="Ordinateur portable", family="electrical", default_weight_kg=Decimal("2.2"))
        db.session.add(laptop)
        db.session.commit()
        laptop_id = laptop.id
    body = {"client_uuid": str(uuid.uuid4()), "category_id": laptop_id, "weight_kg": "1250.5", "grade": "B",
            "collection_point_id": world.point_id}
    asked = client.post("/api/v1/items", json=body, headers=bearer(tokens["volunteer"]))
    assert asked.status_code == 422
    question = asked.get_json()["errors"]["json"]["weight_kg"][0]
    assert "1\u202f250,5 kg" in question or "1 250,5 kg" in question
    assert "Ordinateur portable" in question
    confirmed = client.post("/api/v1/items", json={**body, "weight_confirmed": True},
                            headers=bearer(tokens["volunteer"]))
    assert confirmed.status_code == 201
    code = confirmed.get_json()["code"]
    with app.app_context():
        received = db.session.scalar(sa.select(ItemEvent).join(Item).where(Item.code == code))
        assert received.data["weight_confirmed"] is True
    # A plausible weight needs no confirmation; a correction to an implausible one does.
    etag = etag_of(client, tokens["volunteer"], code)
    fixed = client.patch(f"/api/v1/items/{code}", json={"weight_kg": "1.25"}, headers=bearer(tokens["volunteer"], etag))
    assert fixed.status_code == 200 and fixed.get_json()["weight_kg"] == 1.25
    etag = fixed.headers["ETag"]
    again = client.patch(f"/api/v1/items/{code}", json={"weight_kg": "125"}, headers=bearer(tokens["volunteer"], etag))
    assert again.status_code == 422 and stored(app, code).weight_kg == Decimal("1.25")


def test_unknown_values_are_refused_with_their_field(app, client, world, tokens):
    code = logged(app, world)
    etag = etag_of(client, tokens["volunteer"], code)
    response = client.patch(f"/api/v1/items/{code}", json={"category_id": 999999},
                            headers=bearer(tokens["volunteer"], etag))
    assert response.status_code == 422 and "category_id" in response.get_json()["errors"]["json"]
    assert client.patch(f"/api/v1/items/{code}", json={"status": "sold"},
                        headers=bearer(tokens["volunteer"], etag)).status_code == 422
