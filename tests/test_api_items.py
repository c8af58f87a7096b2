"""The JSON API: idempotent intake, validation, auth by session+CSRF or bearer token."""

from __future__ import annotations

import uuid

import pytest

from intake.extensions import db
from intake.models import CollectionPoint, Item, ItemEvent, User
from intake.services.accounts import issue_token

from .factories import email_for


@pytest.fixture
def token(app, world):
    with app.app_context():
        return issue_token(db.session, db.session.get(User, world.user_ids["volunteer"]))


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def donation(world, **changes):
    body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": 0.25, "grade": "B",
            "collection_point_id": world.point_id, "source_id": world.partner_id, "brand": "Samsung"}
    body.update(changes)
    return body


def count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def test_create_then_replay_gives_one_item(client, app, world, token):
    body = donation(world)
    first = client.post("/api/v1/items", json=body, headers=bearer(token))
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/items", json=body, headers=bearer(token))
    assert again.status_code == 200
    assert again.get_json()["code"] == first.get_json()["code"]
    assert count(app, Item) == 1
    assert count(app, ItemEvent) == 1


def test_same_uuid_with_other_content_is_rejected(client, app, world, token):
    body = donation(world)
    assert client.post("/api/v1/items", json=body, headers=bearer(token)).status_code == 201
    response = client.post("/api/v1/items", json={**body, "weight_kg": 3}, headers=bearer(token))
    assert response.status_code == 422
    assert "client_uuid" in response.get_json()["errors"]["json"]
    assert count(app, Item) == 1


def test_created_item_reads_back_with_history(client, world, token):
    created = client.post("/api/v1/items", json=donation(world, container_id=None), headers=bearer(token)).get_json()
    assert created["url"].endswith(f"/i/{created['code']}")
    response = client.get(f"/api/v1/items/{created['code'].lower()}", headers=bearer(token))
    assert response.status_code == 200
    item = response.get_json()
    assert item["weight_kg"] == 0.25
    assert item["source"]["name"] == "Orange"
    assert [event["kind"] for event in item["events"]] == ["received"]
    assert item["events"][0]["to_status"] == "received"


def test_tare_is_taken_off_the_scale_reading(client, world, token):
    created = client.post("/api/v1/items", json=donation(world, weight_kg=3.7, container_id=world.crate_id),
                          headers=bearer(token)).get_json()
    assert created["weight_kg"] == 2.5


@pytest.mark.parametrize("changes, field", [
    ({"grade": "E"}, "grade"),
    ({"weight_kg": 0}, "weight_kg"),
    ({"weight_kg": "lourd"}, "weight_kg"),
    ({"client_uuid": "not-a-uuid"}, "client_uuid"),
    ({"brand": "x" * 121}, "brand"),
    ({"category_id": None}, "category_id"),
])
def test_malformed_bodies_get_field_errors(client, app, world, token, changes, field):
    response = client.post("/api/v1/items", json=donation(world, **changes), headers=bearer(token))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert count(app, Item) == 0


@pytest.mark.parametrize("changes, field", [
    ({"category_id": 9999}, "category_id"),
    ({"collection_point_id": 9999}, "collection_point_id"),
    ({"source_id": 9999}, "source_id"),
    ({"container_id": 9999}, "container_id"),
    ({"weight_kg": 1.0, "container_id": "crate"}, "weight_kg"),
])
def test_domain_rules_are_checked_on_the_server(client, app, world, token, changes, field):
    if changes.get("container_id") == "crate":
        changes["container_id"] = world.crate_id  # 1.0 kg on a 1.2 kg crate: nothing left
    response = client.post("/api/v1/items", json=donation(world, **changes), headers=bearer(token))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert count(app, Item) == 0


def test_session_auth_needs_the_csrf_header(client, auth, app, world):
    auth.login_as("volunteer")
    refused = client.post("/api/v1/items", json=donation(world))
    assert refused.status_code == 400
    assert count(app, Item) == 0
    accepted = client.post("/api/v1/items", json=donation(world), headers={"X-CSRFToken": auth.csrf_token()})
    assert accepted.status_code == 201


def test_anonymous_and_bad_tokens_get_401(client, world):
    assert client.get("/api/v1/categories").status_code == 401
    assert client.post("/api/v1/items", json=donation(world)).status_code == 401
    assert client.get("/api/v1/categories", headers=bearer("forged")).status_code == 401


def test_landlord_cannot_use_the_items_api(client, app, world):
    with app.app_context():
        landlord_token = issue_token(db.session, db.session.get(User, world.user_ids["landlord"]))
    assert client.get("/api/v1/categories", headers=bearer(landlord_token)).status_code == 403
    assert client.post("/api/v1/items", json=donation(world), headers=bearer(landlord_token)).status_code == 403


def test_deactivated_account_token_stops_working(client, app, world, token):
    with app.app_context():
        db.session.get(User, world.user_ids["volunteer"]).active = False
        db.session.commit()
    assert client.get("/api/v1/categories", headers=bearer(token)).status_code == 401


def test_lists_for_the_intake_form(client, world, token):
    categories = client.get("/api/v1/categories", headers=bearer(token)).get_json()
    # Only leaves are offered: "Électrique" is a parent.
    assert {c["name"] for c in categories} == {"Téléphone mobile", "Vélo"}
    phone = next(c for c in categories if c["name"] == "Téléphone mobile")
    assert phone["data_bearing"] is True and phone["default_weight_kg"] == 0.2
    points = client.get("/api/v1/collection-points", headers=bearer(token)).get_json()
    assert [p["name"] for p in points] == ["Déchèterie nord", "Ressourcerie centre"]
    organisations = client.get("/api/v1/organisations", headers=bearer(token)).get_json()
    assert {"name": "Orange", "kind": "telecom_operator", "id": world.partner_id} in organisations
    containers = client.get("/api/v1/containers", headers=bearer(token)).get_json()
    assert containers == [{"id": world.crate_id, "name": "Caisse", "tare_kg": 1.2}]


def test_categories_most_used_here_come_first_where_the_coordinator_chose_it(app, client, world, token):
    with app.app_context():
        db.session.get(CollectionPoint, world.point_id).most_used_first = True
        db.session.get(CollectionPoint, world.other_point_id).most_used_first = True
        db.session.commit()
    for _ in range(2):
        client.post("/api/v1/items", json=donation(world, category_id=world.bike_id, weight_kg=12), headers=bearer(token))
    here = client.get(f"/api/v1/categories?collection_point_id={world.point_id}", headers=bearer(token)).get_json()
    elsewhere = client.get(f"/api/v1/categories?collection_point_id={world.other_point_id}", headers=bearer(token)).get_json()
    assert here[0]["name"] == "Vélo"
    assert elsewhere[0]["name"] != "Vélo"


def test_unknown_code_is_404(client, world, token):
    assert client.get("/api/v1/items/ZZZZZZ", headers=bearer(token)).status_code == 404


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/items" in spec["paths"]
    post = spec["paths"]["/api/v1/items"]["post"]
    assert {"200", "201", "422"} <= set(post["responses"])
    assert "bearer" in spec["components"]["securitySchemes"]


def test_description_with_markup_comes_back_as_plain_json(client, world, token):
    body = donation(world, description='<img src=x onerror=alert(1)>')
    created = client.post("/api/v1/items", json=body, headers=bearer(token))
    assert created.get_json()["description"] == '<img src=x onerror=alert(1)>'
    assert created.content_type == "application/json"
    assert email_for("volunteer")  # the token's owner is recorded as the author:
    item = client.get(f"/api/v1/items/{created.get_json()['code']}", headers=bearer(token)).get_json()
    assert item["events"][0]["user"] == "Volunteer Test"


def test_replay_still_answers_after_the_category_is_retired(client, app, world, token):
    from intake.models import Category

    body = donation(world)
    first = client.post("/api/v1/items", json=body, headers=bearer(token)).get_json()
    with app.app_context():
        db.session.get(Category, world.phone_id).active = False
        db.session.commit()
    replay = client.post("/api/v1/items", json=body, headers=bearer(token))
    assert replay.status_code == 200 and replay.get_json()["code"] == first["code"]
    fresh = client.post("/api/v1/items", json=donation(world), headers=bearer(token))
    assert fresh.status_code == 422 and "category_id" in fresh.get_json()["errors"]["json"]
