"""What enters at the edges: text without control characters, numbers within bounds, never a 5xx.

PostgreSQL cannot store NUL and its integers stop at 2³¹; SQLite's at 2⁶³.
Every surface (JSON, forms, query strings, paths) answers 4xx with a reason.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from intake.extensions import db
from intake.models import Container, Item, Organisation, Territory, User
from intake.services import intake as intake_service
from intake.services.accounts import issue_token
from intake.services.intake import Donation, register_donation

from .conftest import csrf_token_from
from .factories import make_item, user
from .test_api_items import bearer, token  # noqa: F401 (a fixture)

CONTROL_TEXTS = ["Sam\x00sung", "bell\x07", "\x1b[31mred", "del\x7f", "lone \ud800 surrogate"]
HUGE = [2**31, 2**63, 2**64 + 1]


def donation(world, **changes):
    return {"client_uuid": str(uuid.uuid4()), "category_id": world.bike_id, "weight_kg": 12, "grade": "B",
            "collection_point_id": world.point_id, **changes}


def items(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Item.id)))


def post_intake(client, auth, world, fields: dict):
    """A volunteer at the collection point sends the intake form with these fields (a bike otherwise)."""
    auth.login_as("volunteer")
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    page = client.get("/intake").get_data(as_text=True)
    return client.post("/intake", data={"csrf_token": csrf_token_from(page), "client_uuid": str(uuid.uuid4()),
                                        "category_id": world.bike_id, "grade": "B", "source_id": 0,
                                        "container_id": 0, **fields})


# --- Control characters ------------------------------------------------------------------------


@pytest.mark.parametrize("text", CONTROL_TEXTS)
@pytest.mark.parametrize("field", ["brand", "model", "serial_number", "description", "code"])
def test_api_refuses_control_characters_naming_the_field(client, app, world, token, field, text):
    response = client.post("/api/v1/items", json=donation(world, **{field: text}), headers=bearer(token))
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert field in response.get_json()["errors"]["json"]
    assert items(app) == 0


def test_api_keeps_tabs_and_line_breaks(client, world, token):
    response = client.post("/api/v1/items", json=donation(world, description="Cadre 54\tcm\r\nsans selle"),
                           headers=bearer(token))
    assert response.status_code == 201
    assert response.get_json()["description"] == "Cadre 54\tcm\r\nsans selle"


def test_api_transition_note_with_nul_is_refused(client, app, world, token):
    with app.app_context():
        code = make_item(world).code
    response = client.post(f"/api/v1/items/{code}/transitions", json={"to": "diagnosing", "note": "a\x00b"},
                           headers=bearer(token))
    assert response.status_code == 422
    assert "note" in response.get_json()["errors"]["json"]


def test_intake_form_refuses_nul_with_a_page_that_says_why(client, auth, app, world):
    response = post_intake(client, auth, world, {"weight_kg": "12", "description": "Vélo\x00 rouge"})
    assert response.status_code == 422
    assert "caractères de contrôle" in response.get_data(as_text=True)
    assert items(app) == 0


@pytest.mark.parametrize("url", ["/admin/organisations/new", "/admin/territories/new"])
def test_admin_forms_refuse_nul(client, auth, app, world, url):
    auth.login_as("coordinator")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "name": "Emmaüs\x00", "kind": "association",
                                      "population": "100", "zone_type": "rural"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation).where(Organisation.name.like("Emma%"))) is None
        assert db.session.scalar(sa.select(Territory).where(Territory.name.like("Emma%"))) is None


@pytest.mark.parametrize("role, url", [
    ("landlord", "/landlord/?residence=R%00"),
    ("technician", "/labels/print?codes=AB%00CD"),
    ("technician", "/labels/sheet.pdf?batch=%00"),
    ("technician", "/i/AB%00CD"),
    ("technician", "/workshop?status=%00"),
])
def test_query_strings_and_paths_with_nul_are_refused(client, auth, world, role, url):
    auth.login_as(role)
    assert client.get(url).status_code in (400, 404, 422)


# --- Numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["category_id", "collection_point_id", "container_id", "source_id"])
def test_api_ids_beyond_the_database_are_field_errors(client, app, world, token, field, value):
    response = client.post("/api/v1/items", json=donation(world, **{field: value}), headers=bearer(token))
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("value", HUGE)
def test_ids_in_paths_beyond_the_database_are_404(client, auth, app, world, value):
    with app.app_context():
        landlord_token = issue_token(db.session, user(world, "landlord"))
    assert client.get(f"/api/v1/landlord/handovers/{value}", headers=bearer(landlord_token)).status_code == 404
    auth.login_as("landlord")
    assert client.get(f"/landlord/handovers/{value}").status_code == 404
    auth.login_as("coordinator")
    for url in (f"/handovers/{value}", f"/recycling/{value}", f"/admin/collection-points/{value}",
                f"/sales/{value}/receipt"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("url", [
    "/items?page={n}", "/workshop?page={n}", "/workshop?category={n}&point={n}", "/landlord-access?page={n}",
    "/indicators?year={n}", "/indicators?year=-1", "/indicators?year=0",
])
@pytest.mark.parametrize("value", HUGE)
def test_numbers_in_query_strings_never_fail(client, auth, world, url, value):
    auth.login_as("coordinator")
    assert client.get(url.format(n=value)).status_code == 200


@pytest.mark.parametrize("value", HUGE)
def test_api_query_numbers_never_fail(client, world, token, value):
    response = client.get(f"/api/v1/categories?collection_point_id={value}", headers=bearer(token))
    assert response.status_code in (200, 422)


@pytest.mark.parametrize("url, data", [
    ("/admin/containers/new", {"name": "Benne", "tare_kg": "1000000000000", "active": "y"}),
    ("/admin/territories/new", {"name": "Nulle part", "population": "1000000000000", "zone_type": "rural"}),
    ("/admin/categories/new", {"name": "Lourd", "parent_id": 0, "family": "other", "deee_category": "",
                               "default_weight_kg": "1000000000000", "active": "y"}),
])
def test_admin_numbers_beyond_their_columns_are_form_errors(client, auth, app, world, url, data):
    auth.login_as("coordinator")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "has-error" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Container).where(Container.name == "Benne")) is None
        assert db.session.scalar(sa.select(Territory).where(Territory.name == "Nulle part")) is None


def test_recycling_batch_weight_beyond_its_column_is_a_form_error(client, auth, app, world):
    with app.app_context():
        db.session.add(Organisation(name="ecosystem", kind="eco_organism"))
        db.session.commit()
        eco_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "ecosystem"))
    auth.login_as("technician")
    token = csrf_token_from(client.get("/recycling/new").get_data(as_text=True))
    response = client.post("/recycling/new", data={"csrf_token": token, "eco_organism_id": eco_id,
                                                   "pickup_on": date(2026, 11, 30).isoformat(),
                                                   "stream": "small", "waste_code": "20 01 36",
                                                   "weighed_kg": "1000000000000"})
    assert response.status_code == 422
    assert "Un lot pèse plus de 0 et au plus 100000 kg." in response.get_data(as_text=True)



def test_a_weight_that_rounds_to_nothing_is_refused_not_retried(client, auth, app, world):
    response = post_intake(client, auth, world, {"weight_kg": "0,0001", "weight_confirmed": "y"})
    assert response.status_code == 422
    assert "Le poids doit être supérieur à 0 kg." in response.get_data(as_text=True)
    assert items(app) == 0


def test_api_weight_that_rounds_to_nothing_is_refused(client, app, world, token):
    response = client.post("/api/v1/items", json=donation(world, weight_kg=0.0001, weight_confirmed=True),
                           headers=bearer(token))
    assert response.status_code == 422
    assert "weight_kg" in response.get_json()["errors"]["json"]


def test_an_integrity_error_that_is_no_code_collision_is_not_retried(app, world, monkeypatch):
    drawn = []
    real_new_code = intake_service.new_code
    monkeypatch.setattr(intake_service, "new_code", lambda: drawn.append(1) or real_new_code())
    with app.app_context():
        ghost = User(id=999_999, email="ghost@example.org", name="Ghost", role="volunteer", password_hash="x")
        donation_values = Donation(client_uuid=uuid.uuid4(), category_id=world.bike_id, weight_kg=12, grade="B",
                                   collection_point_id=world.point_id)
        with pytest.raises(IntegrityError):  # the author does not exist: no code would fix that
            register_donation(db.session, donation_values, user=ghost)
    assert len(drawn) == 1

