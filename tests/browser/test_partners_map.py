"""The map of the territory's actors at phone size: markers from the GeoJSON endpoint over the tiles, and
the list view that still holds every place when tile requests are blocked (offline, a firewall)."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from intake.extensions import db
from intake.models import CollectionPoint, ContactPerson, Convention, Organisation, Territory

from .conftest import NO_NETWORK
from .steps import sign_in

pytestmark = pytest.mark.browser

TILES = "https://tiles.example.test/{z}/{x}/{y}.png"


def tile_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (226, 232, 228)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def placed(app, world):
    """Three partners (two placed, one not) and a placed collection point, a contact and a convention."""
    app.config["MAP_TILE_URL"] = TILES
    with app.app_context():
        orange = db.session.get(Organisation, world.partner_id)
        orange.latitude, orange.longitude, orange.city = Decimal("47.4712"), Decimal("-0.5518"), "Angers"
        landlord = db.session.get(Organisation, world.landlord_org_id)
        landlord.latitude, landlord.longitude, landlord.pipeline_status = Decimal("47.4600"), Decimal("-0.5300"), "active"
        db.session.add(Organisation(name="La Poste Angers", kind="public_service", pipeline_status="met"))
        point = db.session.get(CollectionPoint, world.point_id)
        point.latitude, point.longitude, point.organisation_id = Decimal("47.4790"), Decimal("-0.5600"), orange.id
        db.session.add(ContactPerson(organisation_id=orange.id, name="Claire Martin", role="RSE"))
        db.session.add(Convention(organisation_id=orange.id, title="Collecte de téléphones", starts_on=date(2026, 1, 1),
                                  ends_on=date(2026, 12, 31), expected_items_per_year=500))
        db.session.commit()
    return world


@pytest.mark.console_errors(*NO_NETWORK)
def test_markers_on_the_map_and_the_list_without_tiles(app, phone, browser, live_server, placed, screenshots):
    png = tile_png()
    phone.route("https://tiles.example.test/**", lambda route: route.fulfill(body=png, content_type="image/png"))
    sign_in(phone, "coordinator")
    phone.goto("/partners/map")
    # Waits in the page are read from outside (a locator): the page's CSP forbids eval, which wait_for_function uses.
    phone.locator("#partners-map[data-markers]").wait_for(state="attached")
    assert phone.get_attribute("#partners-map", "data-markers") == "3"
    assert phone.locator("#partners-map path.leaflet-interactive").count() == 3
    assert phone.locator(".leaflet-tile-loaded").count() > 0
    assert "OpenStreetMap" in phone.inner_text(".leaflet-control-attribution")
    assert phone.locator(".places li").count() == 5  # La Poste and a point, not placed, listed all the same
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=os.path.join(screenshots, "partners-map.png"))
    # Coloured by status: the active landlord and the identified operator differ.
    phone.check("input[name=colour][value=status]")
    colours = phone.eval_on_selector_all("#partners-map path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
    assert len(set(colours)) >= 2
    # Placing a collection point by tapping the map fills its coordinates (no geocoder is ever asked here).
    phone.goto(f"/partners/points/{placed.other_point_id}/location")
    phone.wait_for_selector("#location-map .leaflet-tile-loaded")
    phone.locator("#location-map").click(position={"x": 120, "y": 90})
    assert phone.input_value("input[name=latitude]") != ""
    phone.screenshot(path=os.path.join(screenshots, "partners-location.png"))
    phone.get_by_role("button", name="Enregistrer").click()
    phone.wait_for_url(lambda url: "/location" not in url)
    with app.app_context():
        assert db.session.get(CollectionPoint, placed.other_point_id).latitude is not None

    blocked = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, base_url=live_server, locale="fr-FR")
    page = blocked.new_page()
    page.route("https://tiles.example.test/**", lambda route: route.abort())
    sign_in(page, "coordinator")
    page.goto("/partners/map")
    page.wait_for_selector(".map-notice:not([hidden])")
    assert page.locator(".leaflet-tile-loaded").count() == 0
    assert page.locator(".places li").count() == 5
    assert "La Poste Angers" in page.inner_text(".places")
    page.locator("#places-title").scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(screenshots, "partners-map-no-tiles.png"))
    page.goto(f"/partners/{placed.partner_id}")
    assert "Claire Martin" in page.inner_text("#contacts")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("textarea[name=note]", "Premier rendez-vous avec la responsable RSE")
    page.get_by_role("button", name="→ Rencontré").click()
    page.wait_for_selector(".flash-success")
    assert "Premier rendez-vous" in page.inner_text("#timeline")
    with app.app_context():
        assert db.session.get(Organisation, placed.partner_id).pipeline_status == "met"
    page.screenshot(path=os.path.join(screenshots, "partners-partner.png"), full_page=True)
    # The import: a preview, then the rows the page carried back, all at once.
    page.goto("/partners/import")
    page.select_option("select[name=kind]", "territories")
    page.set_input_files("input[name=file]", files=[{
        "name": "communes.csv", "mimeType": "text/csv",
        "buffer": "\ufeffnom;code_insee;population;type_zone\r\nTrélazé;49353;15000;Urbain dense\r\n"
                  "Écouflant;49129;4400;semi-urbain\r\n".encode()}])
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_selector(".import-check table")
    page.screenshot(path=os.path.join(screenshots, "partners-import.png"), full_page=True)
    page.get_by_role("button", name="Importer ces 2 lignes").click()
    page.wait_for_selector(".flash-success")
    with app.app_context():
        assert db.session.scalar(sa.select(Territory.zone_type).where(Territory.name == "Écouflant")) == "semi_urban"
    blocked.close()
