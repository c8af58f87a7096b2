"""Partnerships: the pipeline and its events, contact persons, conventions (reminders, committed against
actual, the signed PDF), the map's GeoJSON and the CSV import — through the pages, on both databases."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa

from intake.extensions import db
from intake.models import CollectionPoint, ContactPerson, Convention, Organisation, PartnerEvent, Territory
from intake.services.partners.conventions import convention_progress

from .factories import make_item

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def post(client, auth, url, data, **kwargs):
    return client.post(url, data={"csrf_token": auth.csrf_token("/account"), **data}, **kwargs)


def status_of(app, partner_id):
    with app.app_context():
        return db.session.get(Organisation, partner_id).pipeline_status


def test_pipeline_moves_one_step_at_a_time_each_an_event(app, client, auth, world):
    auth.login_as("coordinator")
    url = f"/partners/{world.partner_id}/move"
    steps = [("met", "identified"), ("negotiating", "met"), ("signed", "negotiating"), ("active", "signed"),
             ("ended", "active"), ("identified", "ended")]
    for to, seen in steps:
        response = post(client, auth, url, {"to": to, "seen_status": seen, "happened_on": "2026-03-02",
                                             "note": f"Vers {to}"})
        assert response.status_code == 302
        assert status_of(app, world.partner_id) == to
    # Not a step from here (identified -> active), and a move from a status the page no longer shows.
    post(client, auth, url, {"to": "active", "seen_status": "identified", "happened_on": "2026-03-03"})
    assert status_of(app, world.partner_id) == "identified"
    post(client, auth, url, {"to": "negotiating", "seen_status": "met", "happened_on": "2026-03-03"})
    assert status_of(app, world.partner_id) == "identified"
    with app.app_context():
        events = db.session.scalars(sa.select(PartnerEvent).order_by(PartnerEvent.id)).all()
        assert [(e.from_status, e.to_status) for e in events] == [(seen, to) for to, seen in steps]
        assert events[0].happened_on == date(2026, 3, 2) and events[0].note == "Vers met"
        assert events[0].user_id == world.user_ids["coordinator"]
    post(client, auth, f"/partners/{world.partner_id}/events",
         {"kind": "meeting", "happened_on": "2026-03-05", "note": "Rencontre <b>RSE</b>"})
    page = client.get(f"/partners/{world.partner_id}").get_data(as_text=True)
    assert "Rencontre &lt;b&gt;RSE&lt;/b&gt;" in page and "<b>RSE" not in page
    assert "Coordinator Test" in page


def test_contact_persons_are_kept_by_coordinators(app, client, auth, world):
    auth.login_as("coordinator")
    response = post(client, auth, f"/partners/{world.partner_id}/contacts/new",
                    {"name": "Claire Martin", "role": "RSE", "phone": "06 01 02 03 04", "email": "claire@example.org"})
    assert response.status_code == 302
    page = client.get(f"/partners/{world.partner_id}").get_data(as_text=True)
    assert "Claire Martin" in page and "claire@example.org" in page
    with app.app_context():
        contact_id = db.session.scalar(sa.select(ContactPerson.id))
    auth.login_as("technician")
    assert client.get(f"/partners/contacts/{contact_id}").status_code == 403
    assert client.get(f"/partners/{world.partner_id}").status_code == 403


def convention_form(**values):
    return {"title": "Collecte de téléphones", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "expected_items_per_year": "365", "expected_kg_per_year": "730", "items_electrical": "100", **values}


def test_a_non_pdf_named_convention_pdf_is_refused_and_a_pdf_is_served_as_a_download(app, client, auth, world):
    auth.login_as("coordinator")
    url = f"/partners/{world.partner_id}/conventions/new"
    fake = post(client, auth, url, {**convention_form(), "document": (io.BytesIO(b"<html>hello</html>"), "convention.pdf",
                                                                       "application/pdf")})
    assert fake.status_code == 422
    assert "n’est pas un PDF" in fake.get_data(as_text=True) or "pas un PDF" in fake.get_data(as_text=True)
    app.config["CONVENTION_DOCUMENT_MAX_BYTES"] = 60
    too_big = post(client, auth, url, {**convention_form(), "document": (io.BytesIO(PDF), "c.pdf")})
    assert too_big.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Convention.id))) == 0
    app.config["CONVENTION_DOCUMENT_MAX_BYTES"] = 1024 * 1024
    saved = post(client, auth, url, {**convention_form(), "document": (io.BytesIO(PDF), "scan.bin")})
    assert saved.status_code == 302
    with app.app_context():
        convention_id = db.session.scalar(sa.select(Convention.id))
    download = client.get(f"/partners/conventions/{convention_id}/document.pdf")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    for role in ("volunteer", "technician", "landlord"):
        auth.login_as(role)
        assert client.get(f"/partners/conventions/{convention_id}/document.pdf").status_code == 403


def add_convention(app, partner_id, starts_on, ends_on, **values):
    with app.app_context():
        convention = Convention(organisation_id=partner_id, title=values.pop("title", "Convention"),
                                starts_on=starts_on, ends_on=ends_on, **values)
        db.session.add(convention)
        db.session.commit()
        return convention.id


def test_the_coordinators_home_reminds_conventions_ending_within_the_setting(app, client, auth, world, freeze_clock):
    freeze_clock(at(date(2026, 5, 1)))
    add_convention(app, world.partner_id, date(2025, 7, 1), date(2026, 6, 30), title="Finit dans 60 jours")
    add_convention(app, world.partner_id, date(2025, 7, 1), date(2026, 7, 1), title="Finit dans 61 jours")
    add_convention(app, world.partner_id, date(2025, 5, 1), date(2026, 4, 30), title="Finie hier")
    auth.login_as("coordinator")
    page = client.get("/today").get_data(as_text=True)
    assert "Finit dans 60 jours" in page and "60" in page
    assert "Finit dans 61 jours" not in page and "Finie hier" not in page
    app.config["CONVENTION_REMINDER_DAYS"] = 61
    assert "Finit dans 61 jours" in client.get("/today").get_data(as_text=True)


def test_committed_against_actual_to_date_and_projected(app, client, auth, world, freeze_clock):
    """365 items and 730 kg a year over 2026, 100 electrical items: on 31 March (90 days of 365 gone) the
    partner brought 3 phones of 10 kg (another source's item and a voided one do not count)."""
    with app.app_context():
        freeze_clock(at(date(2026, 2, 1)))
        for _ in range(3):
            make_item(world, weight_kg=Decimal("10"), source_id=world.partner_id)
        make_item(world, weight_kg=Decimal("10"))  # a private donor
        freeze_clock(at(date(2026, 4, 2)))
        make_item(world, weight_kg=Decimal("10"), source_id=world.partner_id)  # after "today"
    convention_id = add_convention(app, world.partner_id, date(2026, 1, 1), date(2026, 12, 31),
                                   expected_items_per_year=365, expected_kg_per_year=Decimal("730"))
    with app.app_context():
        from intake.models import ConventionVolume

        db.session.add(ConventionVolume(convention_id=convention_id, family="electrical", items_per_year=100))
        db.session.commit()
        freeze_clock(at(date(2026, 3, 31)))
        progress = convention_progress(db.session, db.session.get(Convention, convention_id), date(2026, 3, 31))
        rows = {(row.family, row.measure): row for row in progress.rows}
        items, weight, electrical = rows[(None, "items")], rows[(None, "kg")], rows[("electrical", "items")]
        assert (items.committed_to_date, items.actual, items.projected, items.committed_total) == (90, 3, 12, 365)
        assert items.ratio == Decimal("0.03")
        assert (weight.committed_to_date, weight.actual, weight.projected) == (
            Decimal("180.000"), Decimal("30.000"), Decimal("121.667"))
        assert (electrical.committed_to_date, electrical.actual, electrical.projected) == (25, 3, 12)
    auth.login_as("coordinator")
    page = client.get(f"/partners/{world.partner_id}").get_data(as_text=True)
    assert "121,667" in page or "121,67" in page
    assert "Conventions en cours" in client.get("/partners/").get_data(as_text=True)
    # The dashboard says it too.
    assert "3 sur 90 engagés à ce jour" in client.get("/indicators").get_data(as_text=True)


def test_geojson_has_the_placed_partners_and_points_filtered(app, client, auth, world):
    with app.app_context():
        partner = db.session.get(Organisation, world.partner_id)
        partner.latitude, partner.longitude = Decimal("47.47"), Decimal("-0.55")
        db.session.get(CollectionPoint, world.point_id).latitude = Decimal("47.48")
        db.session.get(CollectionPoint, world.point_id).longitude = Decimal("-0.56")
        db.session.get(CollectionPoint, world.point_id).organisation_id = world.partner_id
        db.session.commit()
    auth.login_as("coordinator")
    data = client.get("/partners/map.geojson").json
    assert data["type"] == "FeatureCollection"
    features = {(f["properties"]["layer"], f["properties"]["name"]): f for f in data["features"]}
    assert set(features) == {("partner", "Orange"), ("point", "Ressourcerie centre")}
    assert features[("partner", "Orange")]["geometry"]["coordinates"] == [-0.55, 47.47]
    assert features[("partner", "Orange")]["properties"]["status"] == "identified"
    assert features[("point", "Ressourcerie centre")]["properties"]["kind"] == "telecom_operator"
    assert client.get("/partners/map.geojson?kind=social_landlord").json["features"] == []
    only = client.get("/partners/map.geojson?layer=point").json["features"]
    assert [f["properties"]["layer"] for f in only] == ["point"]
    page = client.get("/partners/map").get_data(as_text=True)
    assert "Le Toit Angevin" in page  # not placed: in the list all the same
    # The page may load the tile server's images, nothing else from outside.
    app.config["MAP_TILE_URL"] = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org;" in client.get("/partners/map").headers[
        "Content-Security-Policy"]


def test_a_place_is_set_from_the_location_page(app, client, auth, world):
    auth.login_as("coordinator")
    response = post(client, auth, f"/partners/points/{world.point_id}/location",
                    {"latitude": "47,471234", "longitude": "-0,551234"})
    assert response.status_code == 302
    with app.app_context():
        point = db.session.get(CollectionPoint, world.point_id)
        assert (point.latitude, point.longitude) == (Decimal("47.471234"), Decimal("-0.551234"))
    half = post(client, auth, f"/partners/{world.partner_id}/location", {"latitude": "47,4"})
    assert half.status_code == 422


def import_csv(client, auth, kind, content: bytes, confirm=False):
    response = post(client, auth, "/partners/import", {"kind": kind, "file": (io.BytesIO(content), "import.csv")})
    if not confirm or response.status_code != 200:
        return response
    from .conftest import form_values

    values = form_values(response.get_data(as_text=True).split('class="card import-check"')[1])
    return client.post("/partners/import", data=values)


def test_an_import_with_one_bad_row_writes_nothing_and_names_the_row_and_field(app, client, auth, world):
    auth.login_as("coordinator")
    content = ("nom;type;ville;latitude\n"
               "Décathlon Angers;Entreprise ou distributeur;Angers;47,45\n"
               "La Poste;Service public (police municipale, La Poste);Angers;91\n").encode()
    response = import_csv(client, auth, "partners", content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ligne 3, champ « latitude »" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.name != "Orange")
                                 .where(Organisation.name != "Le Toit Angevin")) == 0
    # A confirmation carrying a bad file writes nothing either.
    client.post("/partners/import", data={"csrf_token": auth.csrf_token("/account"), "kind": "partners",
                                          "content": content.decode(), "confirm": "1"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 2


def test_a_good_file_of_5000_rows_imports_in_one_transaction(app, client, auth, world):
    auth.login_as("coordinator")
    rows = ["\ufeffnom,code_insee,population,type_zone"]
    rows += [f"Commune {n},{49000 + n},{n * 10},{('Rural', 'semi-urbain', 'dense_urban')[n % 3]}" for n in range(5000)]
    rows.append('"=HYPERLINK(""http://x"")",49999,12,rural')
    started = time.perf_counter()
    response = import_csv(client, auth, "territories", "\n".join(rows).encode("utf-8"), confirm=True)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Territory.id))) == 5002  # with the world's
        assert db.session.scalar(sa.select(Territory.population).where(Territory.name == "Commune 4999")) == 49990
        assert db.session.scalar(sa.select(Territory.zone_type).where(Territory.name == "Commune 1")) == "semi_urban"
        # A formula is text, stored as typed.
        assert db.session.scalar(sa.select(Territory.insee_code).where(Territory.name.like("=HYPERLINK%"))) == "49999"
    print(f"5,001 rows checked, previewed and imported in {elapsed:.2f} s")
    assert elapsed < 30


def test_contacts_and_points_import_against_existing_partners(app, client, auth, world):
    auth.login_as("coordinator")
    contacts = "partenaire;nom;fonction\nOrange;Claire Martin;RSE\nInconnu;Paul;Achats\n".encode()
    page = import_csv(client, auth, "contacts", contacts).get_data(as_text=True)
    assert "Ligne 3, champ « partenaire »" in page
    good = "partenaire;nom;fonction\nOrange;Claire Martin;=1+1\n".encode()
    assert import_csv(client, auth, "contacts", good, confirm=True).status_code == 302
    points = "nom;partenaire;territoire\nBoutique Orange;Orange;Angers\n".encode()
    assert import_csv(client, auth, "points", points, confirm=True).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(ContactPerson.role)) == "=1+1"
        point = db.session.scalar(sa.select(CollectionPoint).where(CollectionPoint.name == "Boutique Orange"))
        assert point.organisation_id == world.partner_id
