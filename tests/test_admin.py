"""Coordinators manage partners, places, categories, containers and accounts in the UI."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Membership, Category, CollectionPoint, Organisation, User

from .conftest import csrf_token_from


@pytest.fixture
def coordinator(client, auth, world):
    auth.login_as("coordinator")
    return client


def submit(client, url, **data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_add_a_partner_then_see_it_in_the_list(coordinator, app):
    response = submit(coordinator, "/admin/organisations/new", name="Décathlon Clichy", kind="retailer",
                      siren="500569405", city="Clichy", latitude="48,9042", longitude="2,3059", active="y")
    assert response.status_code == 302
    listing = coordinator.get("/admin/organisations/").get_data(as_text=True)
    assert "Décathlon Clichy" in listing and "Entreprise ou distributeur" in listing
    with app.app_context():
        shop = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Décathlon Clichy"))
        assert str(shop.latitude) == "48.904200"


def test_invalid_partner_is_explained(coordinator, app):
    response = submit(coordinator, "/admin/organisations/new", name="", kind="retailer", siren="12")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Neuf chiffres." in html
    duplicate = submit(coordinator, "/admin/organisations/new", name="Orange", kind="telecom_operator")
    assert "Un autre enregistrement porte déjà ce nom." in duplicate.get_data(as_text=True)


def test_a_partners_email_can_be_entered_and_changed(coordinator, app, world):
    url = f"/admin/organisations/{world.partner_id}"
    page = coordinator.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="email"[^>]*type="email"|<input[^>]*type="email"[^>]*name="email"', page)
    assert ">None<" not in page
    response = submit(coordinator, url, name="Orange", kind="telecom_operator", email="reemploi@orange.example",
                      active="y")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, world.partner_id).email == "reemploi@orange.example"
    assert 'value="reemploi@orange.example"' in coordinator.get(url).get_data(as_text=True)


def test_collection_point_with_host_and_territory(coordinator, app, world):
    response = submit(coordinator, f"/admin/collection-points/{world.point_id}", name="Ressourcerie du centre",
                      organisation_id=world.partner_id, territory_id=0, address="1 place du Ralliement", active="y",
                      printer_uri="", printer_stock="", label_offset_x_mm="0", label_offset_y_mm="0")
    assert response.status_code == 302
    with app.app_context():
        point = db.session.get(CollectionPoint, world.point_id)
        assert point.name == "Ressourcerie du centre" and point.organisation_id == world.partner_id
        assert point.territory_id is None


def test_category_can_be_added_and_is_offered_at_intake(coordinator, app, world):
    response = submit(coordinator, "/admin/categories/new", name="Trottinette électrique", parent_id=0,
                      family="leisure", deee_category="small", data_bearing="", default_weight_kg="12,5",
                      icon="🛴", active="y")
    assert response.status_code == 302
    with app.app_context():
        scooter = db.session.scalar(sa.select(Category).where(Category.name == "Trottinette électrique"))
        assert str(scooter.default_weight_kg) == "12.500" and scooter.deee_category == "small"
    coordinator.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                            "csrf_token": csrf_token_from(coordinator.get("/intake/setup").get_data(as_text=True))})
    assert "Trottinette électrique" in coordinator.get("/intake").get_data(as_text=True)


def test_category_cannot_be_its_own_parent(coordinator, world):
    html = coordinator.get(f"/admin/categories/{world.phone_id}").get_data(as_text=True)
    parent_select = re.search(r'<select[^>]*name="parent_id".*?</select>', html, re.S).group(0)
    assert f'value="{world.phone_id}"' not in parent_select


def test_create_accounts_for_each_role(coordinator, app, world):
    response = submit(coordinator, "/admin/users/new", email="nina@example.org", name="Nina", role="technician",
                      organisation_id=0, password="assez long oui", active="y")
    assert response.status_code == 302
    refused = submit(coordinator, "/admin/users/new", email="bail@example.org", name="Bail", role="landlord",
                     organisation_id=world.partner_id, password="assez long oui", active="y")
    assert "bailleur social" in refused.get_data(as_text=True)
    accepted = submit(coordinator, "/admin/users/new", email="bail@example.org", name="Bail", role="landlord",
                      organisation_id=world.landlord_org_id, password="assez long oui", active="y")
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Membership.role).join(User.memberships).where(User.email == "bail@example.org")) == "landlord"


def test_the_last_coordinator_cannot_lock_everyone_out(coordinator, app, world):
    url = f"/admin/users/{world.user_ids['coordinator']}"
    response = submit(coordinator, url, email="coordinator@example.org", name="Me", role="volunteer",
                      organisation_id=0, active="y")
    assert "dernier compte coordinateur" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.user_ids["coordinator"]).role == "coordinator"


def test_deactivated_account_is_signed_out(coordinator, app, world, client):
    url = f"/admin/users/{world.user_ids['volunteer']}"
    response = submit(coordinator, url, email="volunteer@example.org", name="Volunteer Test", role="volunteer",
                      organisation_id=0)  # the "active" box left unticked
    assert response.status_code == 302
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    refused = other.post("/login", data={"email": "volunteer@example.org", "password": "correct horse battery",
                                         "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 200


def test_unknown_section_is_404(coordinator):
    assert coordinator.get("/admin/nothing/").status_code == 404
    assert coordinator.get("/admin/users/9999").status_code == 404
