"""An API request is either token-authenticated (a valid token, the cookie ignored) or
cookie-authenticated (with its CSRF header checked): never a cookie whose CSRF check a Bearer
header switched off."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item
from intake.services.accounts import issue_token

from .factories import user


def donation(world):
    return {"client_uuid": str(uuid.uuid4()), "category_id": world.bike_id, "weight_kg": 12, "grade": "B",
            "collection_point_id": world.point_id}


def authors(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(Item.created_by_id)))


def test_an_invalid_bearer_header_does_not_switch_off_csrf_for_a_cookie(client, auth, app, world):
    auth.login_as("volunteer")
    response = client.post("/api/v1/items", json=donation(world), headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert authors(app) == []


def test_an_invalid_bearer_header_is_refused_even_for_reads(client, auth, world):
    auth.login_as("volunteer")
    assert client.get("/api/v1/categories", headers={"Authorization": "Bearer forged"}).status_code == 401
    auth.login_as("landlord")
    assert client.get("/api/v1/landlord/handovers", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_a_valid_token_speaks_for_its_owner_whatever_the_cookie(client, auth, app, world):
    with app.app_context():
        token = issue_token(db.session, user(world, "technician"))
    auth.login_as("volunteer")
    response = client.post("/api/v1/items", json=donation(world), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert authors(app) == [world.user_ids["technician"]]


def test_a_cookie_alone_still_needs_its_csrf_header(client, auth, app, world):
    auth.login_as("volunteer")
    assert client.post("/api/v1/items", json=donation(world)).status_code == 400
    accepted = client.post("/api/v1/items", json=donation(world), headers={"X-CSRFToken": auth.csrf_token()})
    assert accepted.status_code == 201
    assert authors(app) == [world.user_ids["volunteer"]]
