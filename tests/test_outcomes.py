"""Sales, handovers to tenants, returns, the landlord's portal and the public passport."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pypdfium2
import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models.item import STATUSES
from intake.models import AccompanimentSession, Handover, Item, ItemEvent, LandlordAccess, Organisation, Sale, TenantIdentity
from intake.services.accounts import create_user, issue_token
from intake.services.code_register import reserve_codes
from intake.services.reporting.dashboard import destinations
from intake.services.reporting.filters import Filters, year_period
from intake.services.outcomes import Acceptance, plan_session, record_return, record_sale
from intake.services.status import change_status

from .factories import (LOGGED_BEFORE_HANDOVER, PASSWORD, make_handover, make_item, make_ready, pass_checks,
                        signature_png, user)

TENANT_NAME = "Jeanne Martin"
NOTE = "NOTE-INTERNE écran rayé"
PRICE = Decimal("987.65")


@pytest.fixture
def landlords(app, world):
    """Landlord A (the test world's, with its user) and landlord B with its own user and handover.

    A's handover: a phone from the partner "Orange", with an internal note, sold once at a
    remarkable price, returned, then handed to A's tenant who signed and typed a name.
    """
    with app.app_context():
        other = Organisation(name="Podeliha", kind="social_landlord")
        db.session.add(other)
        db.session.commit()
        create_user(db.session, email="landlord-b@example.org", name="Bailleur B", role="landlord",
                    password=PASSWORD, organisation=other)
        technician = user(world, "technician")
        item = make_ready(world, source_id=world.partner_id, brand="Fairphone", model="4",
                          logged_at=LOGGED_BEFORE_HANDOVER)
        db.session.add(ItemEvent(item_id=item.id, kind="note", note=NOTE, user_id=technician.id))
        db.session.commit()
        record_sale(db.session, item, user=technician, price=PRICE, sold_on=date(2026, 11, 2), channel="shop")
        record_return(db.session, item, user=technician, reason="does_not_suit")
        change_status(db.session, item, "repairing", user=technician)
        pass_checks(world, item)
        change_status(db.session, item, "ready", user=technician)
        mine = make_handover(world, item=item, tenant_ref="A-0042")
        identity = db.session.scalar(sa.select(TenantIdentity).where(TenantIdentity.handover_id == mine.id))
        identity.name = TENANT_NAME
        db.session.commit()
        plan_session(db.session, mine, topic="Prise en main", planned_on=date(2026, 12, 1))
        theirs = make_handover(world, landlord_id=other.id, tenant_ref="B-0007", residence="Résidence Belle-Beille")
        return {"mine": mine.id, "mine_code": item.code, "theirs": theirs.id,
                "theirs_code": db.session.get(Item, theirs.item_id).code}


def landlord_routes(ids):
    """Every way a landlord reaches a handover or an item: pages, receipt, API, the label's URL."""
    return [f"/landlord/handovers/{ids['theirs']}", f"/landlord/handovers/{ids['theirs']}/receipt.pdf",
            f"/api/v1/landlord/handovers/{ids['theirs']}", f"/i/{ids['theirs_code']}",
            "/landlord/handovers/999999", "/landlord/handovers/999999/receipt.pdf",
            "/api/v1/landlord/handovers/999999"]


def test_a_landlord_gets_404_for_another_landlords_objects_and_the_attempt_is_logged(app, client, auth, world,
                                                                                     landlords):
    auth.login_as("landlord")
    for url in landlord_routes(landlords):
        before = datetime.now(timezone.utc)
        response = client.get(url)
        assert response.status_code == 404, url
        assert "B-0007" not in response.get_data(as_text=True)
        with app.app_context():
            logged = db.session.scalars(sa.select(LandlordAccess).order_by(LandlordAccess.id.desc())).first()
            assert logged.user_id == world.user_ids["landlord"], url
            assert logged.granted is False
            assert logged.route == url
            assert logged.object_ref in url
            assert logged.at >= before.replace(microsecond=0)
    # Its own, through every route, is granted and logged as such.
    for url in (f"/landlord/handovers/{landlords['mine']}", f"/landlord/handovers/{landlords['mine']}/receipt.pdf",
                f"/api/v1/landlord/handovers/{landlords['mine']}"):
        assert client.get(url).status_code == 200, url
        with app.app_context():
            assert db.session.scalars(sa.select(LandlordAccess).order_by(LandlordAccess.id.desc())).first().granted
    mine_by_label = client.get(f"/i/{landlords['mine_code']}")
    assert mine_by_label.status_code == 302 and mine_by_label.headers["Location"].endswith(
        f"/landlord/handovers/{landlords['mine']}")
    # Lists and exports hold only its own, and are logged with the handovers they showed.
    for url in ("/landlord/", "/landlord/export.csv", "/api/v1/landlord/handovers"):
        text = client.get(url).get_data(as_text=True)
        assert "A-0042" in text and "B-0007" not in text and landlords["theirs_code"] not in text, url
        with app.app_context():
            logged = db.session.scalars(sa.select(LandlordAccess).order_by(LandlordAccess.id.desc())).first()
            assert (logged.object_kind, logged.shown_ids, logged.route) == ("list", [landlords["mine"]], url)


def test_the_other_landlord_sees_its_own_and_not_the_first(client, auth, landlords):
    client.post("/login", data={"email": "landlord-b@example.org", "password": PASSWORD,
                                "csrf_token": auth.csrf_token("/login")})
    assert client.get(f"/landlord/handovers/{landlords['theirs']}").status_code == 200
    assert client.get(f"/landlord/handovers/{landlords['mine']}").status_code == 404
    assert "A-0042" not in client.get("/landlord/export.csv").get_data(as_text=True)


def test_landlord_pages_api_and_csv_hold_only_allowlisted_fields(app, client, auth, world, landlords):
    auth.login_as("landlord")
    forbidden = ["Orange",  # the donor
                 NOTE, "NOTE-INTERNE",  # internal notes
                 "Technician Test",  # the technician
                 "987,65", "987.65",  # the price
                 TENANT_NAME, "Jeanne", "06 12 34 56 78"]  # the tenant
    pages = [client.get("/landlord/").get_data(as_text=True),
             client.get(f"/landlord/handovers/{landlords['mine']}").get_data(as_text=True),
             client.get("/landlord/export.csv").get_data(as_text=True),
             client.get("/api/v1/landlord/handovers").get_data(as_text=True)]
    receipt = client.get(f"/landlord/handovers/{landlords['mine']}/receipt.pdf").data
    pages.append(pdf_text(receipt))
    for text in pages:
        assert "A-0042" in text and landlords["mine_code"] in text
        for value in forbidden:
            assert value not in text, value
    listed = client.get("/api/v1/landlord/handovers").get_json()
    allowed = {"handover_id", "residence", "tenant_ref", "code", "category", "brand", "model", "handed_on",
               "warranty_until", "erasure_level", "erasure_certificate_ref", "sessions", "returned_on",
               "return_reason", "structure"}
    assert set(listed[0]) == allowed
    assert set(listed[0]["sessions"][0]) == {"topic", "partner", "planned_on", "attended_on"}
    rows = list(csv.reader(io.StringIO(client.get("/landlord/export.csv").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["N° de remise", "Résidence", "Référence locataire", "Code de l'objet", "Catégorie", "Marque",
                       "Modèle", "Remis le", "Garantie jusqu’au", "Niveau d’effacement", "Référence du certificat",
                       "Séances prévues", "Séances suivies", "Retourné le", "Motif du retour", "Remis par"]
    assert rows[1][2] == "A-0042" and rows[1][10] == f"CERT-{landlords['mine_code']}"
    assert rows[1][7] == "2026-11-20" and rows[1][8] == "2027-11-20"  # ISO dates


def test_landlord_csv_neutralises_formulas(app, client, auth, world):
    with app.app_context():
        handover = make_handover(world, tenant_ref="=HYPERLINK(\"http://evil\")", residence="+Résidence")
        # Spaces, line breaks or a tab before the sign do not stop a spreadsheet from running the formula.
        db.session.execute(sa.update(Item).where(Item.id == handover.item_id).values(
            brand="  =1+1", model="\n\t@SUM(A1:A9)", description=None))
        db.session.execute(sa.update(Handover).where(Handover.id == handover.id).values(
            erasure_certificate_ref="\r\n-2+3"))
        db.session.commit()
    auth.login_as("landlord")
    rows = list(csv.reader(io.StringIO(client.get("/landlord/export.csv").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[1][1] == "'+Résidence" and rows[1][2].startswith("'=")
    assert rows[1][5] == "'  =1+1" and rows[1][6] == "'\n\t@SUM(A1:A9)" and rows[1][10] == "'\r\n-2+3"
    assert rows[1][4] == "Téléphone mobile"  # plain text stays as it is


def test_returns_show_in_the_landlord_view(app, client, auth, world, landlords):
    auth.login_as("landlord")
    assert "Retourné" not in client.get(f"/landlord/handovers/{landlords['mine']}").get_data(as_text=True)
    with app.app_context():
        item = db.session.get(Item, db.session.get(Handover, landlords["mine"]).item_id)
        record_return(db.session, item, user=user(world, "technician"), reason="breakdown")
    page = client.get(f"/landlord/handovers/{landlords['mine']}").get_data(as_text=True)
    assert "Retourné" in page and "Panne" in page
    assert client.get("/api/v1/landlord/handovers").get_json()[0]["return_reason"] == "breakdown"


def test_retention_deletes_identities_past_the_period_and_keeps_the_handover(app, world, freeze_clock):
    with app.app_context():
        old = make_handover(world, tenant_ref="OLD-1")  # handed on 2026-11-20, kept 365 days
        kept = make_handover(world, tenant_ref="NEW-1")
        db.session.get(TenantIdentity, db.session.scalar(
            sa.select(TenantIdentity.id).where(TenantIdentity.handover_id == kept.id))).delete_after = date(2028, 1, 1)
        db.session.commit()
    runner = app.test_cli_runner()

    def frozen_at(day):
        freeze_clock(datetime(day.year, day.month, day.day, 12,
                                                                       tzinfo=timezone.utc))

    frozen_at(date(2027, 11, 20))  # the last day of the period: nothing goes
    assert "0 tenant identities" in runner.invoke(args=["tenants", "purge"]).output
    frozen_at(date(2027, 11, 21))
    assert "1 tenant identities" in runner.invoke(args=["tenants", "purge"]).output
    with app.app_context():
        remaining = db.session.scalars(sa.select(TenantIdentity.handover_id)).all()
        assert remaining == [kept.id]
        # The handover stays, anonymised, and still counts.
        assert db.session.get(Handover, old.id).tenant_ref == "OLD-1"

        assert db.session.scalar(sa.select(sa.func.count(Handover.id))) == 2


def test_a_coordinator_sees_the_identity_until_the_period_ends(app, client, auth, world, freeze_clock):
    with app.app_context():
        handover = make_handover(world)
    auth.login_as("coordinator")
    page = client.get(f"/handovers/{handover.id}").get_data(as_text=True)
    assert "06 12 34 56 78" in page
    assert client.get(f"/handovers/{handover.id}/signature.png").status_code == 200
    freeze_clock(datetime(2028, 1, 1, tzinfo=timezone.utc))
    auth.login_as("coordinator")  # a staff session lasts a working day, not until 2028
    assert "06 12 34 56 78" not in client.get(f"/handovers/{handover.id}").get_data(as_text=True)
    assert client.get(f"/handovers/{handover.id}/signature.png").status_code == 404
    auth.login_as("technician")
    freeze_clock(None)
    assert "06 12 34 56 78" not in client.get(f"/handovers/{handover.id}").get_data(as_text=True)


def phone_not_erased(app, world, status="ready"):
    """A phone in `ready` (placed there directly) whose data was never erased."""
    with app.app_context():
        item = make_item(world, logged_at=LOGGED_BEFORE_HANDOVER)  # the dates below come after it
        db.session.execute(sa.update(Item).where(Item.id == item.id).values(status=status))
        db.session.commit()
        return item.code


def test_sale_or_handover_of_a_phone_without_passed_erasure_is_refused_by_every_route(app, client, auth, world):
    auth.login_as("technician")
    token = auth.csrf_token("/login")
    code = phone_not_erased(app, world)
    sale = client.post(f"/i/{code}/sale", data={"csrf_token": token, "price": "30", "channel": "shop",
                                                "sold_on": "2026-11-26", "warranty_months": "6"})
    assert sale.status_code == 409 and "effacées" in sale.get_data(as_text=True)
    handover = client.post(f"/i/{code}/handover", data={
        "csrf_token": token, "landlord_id": world.landlord_org_id, "residence": "Les Justices", "tenant_ref": "X1",
        "handed_on": "2026-11-26", "warranty_months": "12", "acceptance": "typed_name", "typed_name": "Jo"})
    assert handover.status_code == 409 and "effacées" in handover.get_data(as_text=True)
    with app.app_context():
        bearer = {"Authorization": f"Bearer {issue_token(db.session, user(world, 'technician'))}"}
    for target in ("sold", "handed_over"):
        response = client.post(f"/api/v1/items/{code}/transitions", json={"to": target}, headers=bearer)
        assert response.status_code == 409 and "effacées" in response.get_json()["message"]
    bulk = client.post("/scan/many", data={"csrf_token": token, "codes": code, "to": "sold"})
    assert bulk.status_code == 200 and "Vendu" not in bulk.get_data(as_text=True).split("<select")[0]
    with app.app_context():
        assert db.session.scalar(sa.select(Item.status).where(Item.code == code)) == "ready"
        assert db.session.scalar(sa.select(sa.func.count(Sale.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Handover.id))) == 0
        from intake.services.outcomes import record_handover

        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        with pytest.raises(Exception) as refused:
            record_handover(db.session, item, user=user(world, "technician"), landlord_id=world.landlord_org_id,
                            tenant_ref="X", residence="R", handed_on=date(2026, 11, 26),
                            acceptance=Acceptance(typed_name="Jo"), warranty_months=0, retention_days=30)
        assert refused.value.status == 409


def test_a_handover_by_typed_name_through_the_page(app, client, auth, world):
    with app.app_context():
        code = make_ready(world, logged_at=LOGGED_BEFORE_HANDOVER).code
    auth.login_as("technician")
    token = auth.csrf_token(f"/i/{code}/handover")
    form = {"csrf_token": token, "landlord_id": world.landlord_org_id, "residence": "Les Justices",
            "tenant_ref": "LJ-12", "handed_on": "2026-11-26", "warranty_months": "12", "acceptance": "typed_name"}
    missing = client.post(f"/i/{code}/handover", data=form)
    assert missing.status_code == 422 and "nom saisi ou signature" in missing.get_data(as_text=True)
    assert 'value="LJ-12"' in missing.get_data(as_text=True)  # nothing typed is lost
    done = client.post(f"/i/{code}/handover", data={**form, "typed_name": TENANT_NAME})
    assert done.status_code == 302
    with app.app_context():
        handover = db.session.scalar(sa.select(Handover))
        assert handover.acceptance == "typed_name" and handover.warranty_until == date(2027, 11, 26)
        assert handover.erasure_certificate_ref == f"CERT-{code}"
        assert db.session.scalar(sa.select(TenantIdentity.name)) == TENANT_NAME
        assert db.session.scalar(sa.select(Item.status).where(Item.code == code)) == "handed_over"


def test_a_drawn_signature_must_be_a_real_drawing(app, client, auth, world):
    with app.app_context():
        code = make_ready(world, logged_at=LOGGED_BEFORE_HANDOVER).code
    auth.login_as("technician")
    form = {"csrf_token": auth.csrf_token(f"/i/{code}/handover"), "landlord_id": world.landlord_org_id,
            "residence": "Les Justices", "tenant_ref": "LJ-13", "handed_on": "2026-11-26", "acceptance": "signature"}
    blank = io.BytesIO()
    from PIL import Image

    Image.new("RGBA", (300, 120), (0, 0, 0, 0)).save(blank, "PNG")
    for bad in ("", "data:image/png;base64,not-base64!", "data:text/html;base64,PGI+",
                "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode()):
        response = client.post(f"/i/{code}/handover", data={**form, "signature": bad})
        assert response.status_code == 422, bad
    good = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    assert client.post(f"/i/{code}/handover", data={**form, "signature": good}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(TenantIdentity.signature_png)).startswith(b"\x89PNG")


def test_the_tenant_receipt_carries_the_erasure_certificate(app, client, auth, world, landlords):
    auth.login_as("technician")
    text = pdf_text(client.get(f"/handovers/{landlords['mine']}/receipt.pdf").data)
    assert f"CERT-{landlords['mine_code']}" in text and "A-0042" in text and "reconditionné" in text
    assert TENANT_NAME not in text


def test_the_sale_receipt_says_refurbished_only_when_the_rule_is_met(app, client, auth, world):
    with app.app_context():
        refurbished = make_ready(world).code
        bike = make_item(world, category_id=world.bike_id, weight_kg=14).code  # never checked
        db.session.execute(sa.update(Item).where(Item.code == bike).values(status="ready"))
        db.session.commit()
    auth.login_as("technician")
    receipts = {}
    for code in (refurbished, bike):
        response = client.post(f"/i/{code}/sale", data={"csrf_token": auth.csrf_token(f"/i/{code}/sale"),
                                                         "price": "12,50", "channel": "shop",
                                                         "sold_on": "2026-11-26", "warranty_months": "6"})
        assert response.status_code == 302
        receipts[code] = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "reconditionné" in receipts[refurbished].lower()
    assert "reconditionné" not in receipts[bike].lower() and "d’occasion" in receipts[bike]
    for page in receipts.values():
        assert "12,50" in page and "26 mai 2027" in page
        assert "comme neuf" not in page.lower() and "état neuf" not in page.lower()


@pytest.mark.parametrize("typed, stored", [("89,90 €", Decimal("89.90")), ("89.90", Decimal("89.90")),
                                           ("89,9", Decimal("89.90")), ("1 234,50 €", Decimal("1234.50")),
                                           ("1.234,50", Decimal("1234.50")), ("89,90 EUR", Decimal("89.90"))])
def test_a_price_is_understood_as_people_type_it(app, client, auth, world, typed, stored):
    with app.app_context():
        code = make_ready(world).code
    auth.login_as("technician")
    response = client.post(f"/i/{code}/sale", data={"csrf_token": auth.csrf_token(f"/i/{code}/sale"),
                                                    "price": typed, "channel": "shop", "sold_on": "2026-11-26"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Sale.price)) == stored


@pytest.mark.parametrize("typed", ["", "quatre-vingts", "-5", "89,999", "12 €€", "1e400", "NaN", "100000000"])
def test_a_wrong_price_gets_one_clear_message(app, client, auth, world, typed):
    with app.app_context():
        code = make_ready(world).code
    auth.login_as("technician")
    response = client.post(f"/i/{code}/sale", data={"csrf_token": auth.csrf_token(f"/i/{code}/sale"),
                                                    "price": typed, "channel": "shop", "sold_on": "2026-11-26"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count('class="error"') == 1 and "Saisissez le prix en euros, 0 ou plus, par exemple 89,90." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Sale.id))) == 0


def test_a_returned_item_goes_back_to_the_workshop_with_its_reason(app, client, auth, world, landlords):
    auth.login_as("technician")
    token = auth.csrf_token("/login")
    code = landlords["mine_code"]
    assert client.post(f"/i/{code}/return", data={"csrf_token": token}).status_code == 422
    assert client.post(f"/i/{code}/return", data={"csrf_token": token, "reason": "breakdown",
                                                  "note": "ne démarre plus"}).status_code == 302
    with app.app_context():
        event = db.session.scalars(sa.select(ItemEvent).order_by(ItemEvent.id.desc())).first()
        assert (event.to_status, event.data, event.note) == ("returned", {"reason": "breakdown"}, "ne démarre plus")
    page = client.get(f"/i/{code}").get_data(as_text=True)
    assert "→ En réparation" in page  # the only way on is the workshop


def test_training_sessions_are_planned_and_marked_attended(app, client, auth, world, landlords, freeze_clock):
    freeze_clock(datetime(2026, 12, 10, 10, tzinfo=timezone.utc))
    auth.login_as("technician")
    token = auth.csrf_token("/login")
    url = f"/handovers/{landlords['mine']}"
    assert client.post(f"{url}/sessions", data={"csrf_token": token, "topic": "Messagerie",
                                                "planned_on": "2026-12-08", "partner_id": "0"}).status_code == 302
    with app.app_context():
        planned = db.session.get(Handover, landlords["mine"]).sessions
        assert [s.topic for s in planned] == ["Prise en main", "Messagerie"]
        session_id = planned[1].id
    client.post(f"{url}/sessions/{session_id}", data={"csrf_token": token, "attended_on": "2026-12-08"})
    auth.login_as("landlord")
    assert "1 séance(s) suivie(s) sur 2" in client.get(url.replace("/handovers", "/landlord/handovers")).get_data(
        as_text=True)


def test_a_session_still_to_come_cannot_be_marked_attended(app, client, auth, world, landlords, freeze_clock):
    freeze_clock(datetime(2026, 11, 26, 10, tzinfo=timezone.utc))
    auth.login_as("technician")
    token = auth.csrf_token("/login")
    url = f"/handovers/{landlords['mine']}"
    with app.app_context():
        future = db.session.get(Handover, landlords["mine"]).sessions[0]  # planned on 1 December 2026
        assert future.planned_on == date(2026, 12, 1)
    page = client.get(url).get_data(as_text=True)
    assert "pourra être marquée suivie une fois passée" in page and 'name="attended_on"' not in page
    refused = client.post(f"{url}/sessions/{future.id}", data={"csrf_token": token, "attended_on": "2026-11-26"},
                          follow_redirects=True).get_data(as_text=True)
    assert "pourra être marquée suivie une fois passée" in refused
    with app.app_context():
        assert db.session.get(AccompanimentSession, future.id).attended_on is None
        past = plan_session(db.session, db.session.get(Handover, landlords["mine"]), topic="Messagerie",
                            planned_on=date(2026, 11, 20)).id
    for day in ("2026-11-19", "2026-11-27"):  # before it was held, or in the future
        client.post(f"{url}/sessions/{past}", data={"csrf_token": token, "attended_on": day})
    with app.app_context():
        assert db.session.get(AccompanimentSession, past).attended_on is None
    assert 'name="attended_on"' in client.get(url).get_data(as_text=True)
    client.post(f"{url}/sessions/{past}", data={"csrf_token": token, "attended_on": "2026-11-20"})
    with app.app_context():
        assert db.session.get(AccompanimentSession, past).attended_on == date(2026, 11, 20)
    auth.login_as("landlord")
    assert "1 séance(s) suivie(s) sur 2" in client.get(url.replace("/handovers", "/landlord/handovers")).get_data(
        as_text=True)


# The public passport --------------------------------------------------------------------------------


def test_the_passport_shows_only_its_allowlist_without_signing_in(app, client, world, landlords):
    page = client.get(f"/i/{landlords['mine_code']}").get_data(as_text=True)
    assert "Fairphone 4" in page and "Téléphone mobile" in page
    assert "Données effacées" in page and "Purge (effacement sécurisé" in page
    assert "Garantie jusqu’au" in page and "20 nov. 2027" in page
    for value in ("Orange", NOTE, "Technician Test", "987,65", "987.65", "A-0042", "Le Toit Angevin", TENANT_NAME,
                  "Ressourcerie centre", "CERT-"):
        assert value not in page, value


PASSPORT_SAYS = {
    "received": "En cours de contrôle et de réparation dans notre atelier",
    "diagnosing": "En cours de contrôle et de réparation dans notre atelier",
    "repairing": "En cours de contrôle et de réparation dans notre atelier",
    "returned": "Revenu à notre atelier après un retour",
    "ready": "Contrôlé et prêt pour un nouveau propriétaire",
    "sold": "Vendu d’occasion",
    "handed_over": "Remis à un nouvel utilisateur",
    "to_recycle": "Il n’a pas pu être réemployé : il attend de partir au recyclage",
    "recycled": "Recyclé : confié à une filière agréée",
    "dismantled": "Démonté : ses pièces servent à réparer d’autres objets",
    "voided": "Ce code n’est pas utilisé",
}


@pytest.mark.parametrize("status", STATUSES)
def test_the_passport_tells_the_truth_for_every_status(app, client, world, status):
    with app.app_context():
        code = make_item(world).code
        db.session.execute(sa.update(Item).where(Item.code == code).values(status=status))
        db.session.commit()
    page = client.get(f"/i/{code}").get_data(as_text=True)
    assert PASSPORT_SAYS[status] in page
    for other in set(PASSPORT_SAYS.values()) - {PASSPORT_SAYS[status]}:
        assert other not in page, other
    assert ("seconde vie" in page) == (status in ("sold", "handed_over"))


def test_the_passport_404_does_not_tell_issued_from_never_issued(app, client, world):
    with app.app_context():
        issued = reserve_codes(db.session, 1, batch="p1", user=user(world, "coordinator"))[0]
    from intake.services.codes import new_code

    never = new_code()
    first, second = client.get(f"/i/{issued}"), client.get(f"/i/{never}")
    assert first.status_code == second.status_code == 404
    # The pages' CSRF tokens carry the second they were made in: two requests may fall either side of one.
    token = re.compile(r'(csrf[^>]*?)"[A-Za-z0-9._-]{40,}"')

    def page_without(response, code):
        return token.sub(r'\1""', response.get_data(as_text=True).replace(code, ""))

    assert 'csrf' in first.get_data(as_text=True)
    assert page_without(first, issued) == page_without(second, never)


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_indicators_count_outcomes_returns_and_sources(app, client, auth, world, landlords):
    with app.app_context():
        item = db.session.get(Item, db.session.get(Handover, landlords["mine"]).item_id)
        record_return(db.session, item, user=user(world, "technician"), reason="breakdown")
        year = item.created_at.year
    auth.login_as("coordinator")
    page = client.get(f"/indicators?year={year}").get_data(as_text=True)
    with app.app_context():
        tables, totals = destinations(db.session, Filters(*year_period(year)))
    where = {row[0]: row[1] for row in tables[0].rows}
    assert where["Vendu"] == 1 and where["Remis"] == 2
    assert totals.returned_items == 2  # returned after the sale, then after the handover
    assert "Orange" in page and "Particulier" in page


def test_coordinators_read_the_landlords_access_log(app, client, auth, world, landlords):
    auth.login_as("landlord")
    client.get(f"/landlord/handovers/{landlords['theirs']}")
    auth.login_as("coordinator")
    page = client.get("/landlord-access?refused=1").get_data(as_text=True)
    assert f"/landlord/handovers/{landlords['theirs']}" in page and "landlord@example.org" in page
    assert "refusé" in page


def test_the_sale_page_says_when_the_item_cannot_be_sold(app, client, auth, world):
    with app.app_context():
        code = make_item(world).code  # just received
    auth.login_as("technician")
    page = client.get(f"/i/{code}/sale").get_data(as_text=True)
    assert "Pas possible maintenant : l’objet est « Reçu »" in page and 'name="price"' not in page
    assert 'name="landlord_id"' not in client.get(f"/i/{code}/handover").get_data(as_text=True)


def test_the_landlord_api_lists_a_page_at_a_time_with_a_link_to_the_next(app, client, auth, world):
    """A landlord with years of handovers reads them page by page (Link: rel="next"), each once, every page
    logged with the handovers it showed."""
    with app.app_context():
        made = {make_handover(world, tenant_ref=f"LOC-{n}").id for n in range(5)}
    auth.login_as("landlord")
    seen, url, pages = [], "/api/v1/landlord/handovers?limit=2", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        rows = response.get_json()
        assert len(rows) <= 2
        seen += [row["handover_id"] for row in rows]
        pages += 1
        link = response.headers.get("Link")
        url = link.split(">", 1)[0].lstrip("<") if link else None
        if url:
            assert 'rel="next"' in link and "limit=2" in url
    assert pages == 3 and len(seen) == 5 and set(seen) == made
    with app.app_context():
        logged = db.session.scalars(sa.select(LandlordAccess.shown_ids).where(
            LandlordAccess.route == "/api/v1/landlord/handovers").order_by(LandlordAccess.id)).all()
    assert [id_ for shown in logged[-3:] for id_ in shown] == seen
    assert client.get("/api/v1/landlord/handovers?limit=0").status_code == 422
    assert client.get("/api/v1/landlord/handovers?limit=501").status_code == 422


def test_the_recycling_page_lists_open_batches_then_the_others_a_page_at_a_time(app, client, auth, world):
    """Years of pickups: open batches first, then the closed ones newest first, thirty at a time, each once."""
    from datetime import timedelta

    from intake.models import RecyclingBatch

    with app.app_context():
        eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
        db.session.add(eco)
        db.session.flush()
        technician = world.user_ids["technician"]
        batches = [RecyclingBatch(eco_organism_id=eco.id, pickup_on=date(2024, 1, 1) + timedelta(days=7 * n),
                                  stream="small", waste_code="20 01 36", state="closed", created_by_id=technician,
                                  slip_number=f"BSD-{n:03d}") for n in range(35)]
        batches.append(RecyclingBatch(eco_organism_id=eco.id, pickup_on=date(2026, 12, 1), stream="small",
                                      waste_code="20 01 36", state="open", created_by_id=technician,
                                      slip_number="BSD-OPEN"))
        db.session.add_all(batches)
        db.session.commit()
    auth.login_as("technician")
    first = client.get("/recycling").get_data(as_text=True)
    slips = re.findall(r"BSD-(\w+)", first)
    assert slips[0] == "OPEN" and slips[1:] == [f"{n:03d}" for n in range(34, 4, -1)]
    following = re.search(r'href="(/recycling\?after=\d+)" rel="next"', first).group(1)
    rest = re.findall(r"BSD-(\w+)", client.get(following).get_data(as_text=True))
    assert rest == ["004", "003", "002", "001", "000"]
