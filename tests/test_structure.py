"""The structure running the instance: its settings page, and where it shows (passport, receipts, labels,
exports); the legal guarantee on the sale receipt; the settings that stand in until it is filled in."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
import sqlalchemy as sa
from PIL import Image, PngImagePlugin

from intake.extensions import db
from intake.models import Item, Organisation, Structure
from intake.services.outcomes import record_sale
from intake.services.recycling import add_all_waiting, close_batch, open_batch

from .conftest import csrf_token_from
from .factories import make_handover, make_item, make_ready, user

NAME = "Ressourcerie de la Roseraie"
SIRET = "900 000 001 00017"  # made up, with a right Luhn key


def logo_upload(secret: str = "SECRET-METADATA") -> bytes:
    """A PNG logo carrying a text chunk that must not survive re-encoding."""
    image = Image.new("RGBA", (1200, 480), (0, 0, 0, 0))
    image.paste((46, 125, 50, 255), (100, 100, 500, 380))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", secret)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def save(client, **fields):
    page = client.get("/admin/structure").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "name": NAME, "siret": SIRET, "address": "12 rue de la Roseraie",
            "postcode": "49000", "city": "Angers", "phone": "02 41 00 00 00", "email": "contact@roseraie.example.org",
            **fields}
    return client.post("/admin/structure", data=data, content_type="multipart/form-data")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(data))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_a_coordinator_sets_the_structure_and_it_shows_where_items_leave(app, client, auth, world):
    with app.app_context():
        code = make_ready(world).code
        handover_id = make_handover(world).id
    auth.login_as("coordinator")
    assert "Notre structure" in client.get("/admin/").get_data(as_text=True)
    response = save(client, name_on_labels="y", logo=(io.BytesIO(logo_upload()), "logo.png"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        record = db.session.scalar(sa.select(Structure))
        assert (record.name, record.siret) == (NAME, "90000000100017")
        assert max(record.logo_width, record.logo_height) == 400  # small

    # The logo: re-encoded, nothing but pixels, public (the passport shows it), cached under its version.
    page = client.get("/admin/structure").get_data(as_text=True)
    logo_url = page.split('class="structure-logo" src="')[1].split('"')[0].replace("&amp;", "&")
    auth.client.post("/logout", data={"csrf_token": auth.csrf_token()})
    logo = client.get(logo_url)
    assert logo.status_code == 200 and logo.mimetype == "image/png" and b"SECRET-METADATA" not in logo.data
    assert "immutable" in logo.headers["Cache-Control"]
    assert Image.open(io.BytesIO(logo.data)).mode == "RGBA"  # its transparency kept

    passport = client.get(f"/i/{code}").get_data(as_text=True)
    assert f"Pris en charge par {NAME}" in passport and "02 41 00 00 00 · contact@roseraie.example.org" in passport
    assert logo_url.replace("&", "&amp;") in passport

    auth.login_as("technician")
    sale = client.post(f"/i/{code}/sale", data={"csrf_token": auth.csrf_token(f"/i/{code}/sale"), "price": "45",
                                                "channel": "shop", "sold_on": "2026-11-26", "warranty_months": "6"})
    receipt = client.get(sale.headers["Location"]).get_data(as_text=True)
    assert NAME in receipt and "SIRET 90000000100017" in receipt and "12 rue de la Roseraie, 49000 Angers" in receipt
    handover_pdf = pdf_text(client.get(f"/handovers/{handover_id}/receipt.pdf").data)
    assert NAME in handover_pdf and "SIRET 90000000100017" in handover_pdf

    auth.login_as("landlord")
    rows = csv_rows(client.get("/landlord/export.csv"))
    assert rows[0][-1] == "Remis par" and rows[1][-1] == NAME


def test_the_refurbished_passport_names_who_refurbished_it(app, client, auth, world):
    with app.app_context():
        fill_in_structure(name=NAME)
        db.session.commit()
        item = make_ready(world)
        record_sale(db.session, item, user=user(world, "technician"), price=Decimal("45"), sold_on=date(2026, 11, 26),
                    channel="shop", warranty_months=6)
        code = item.code
    passport = client.get(f"/i/{code}").get_data(as_text=True)
    assert f"Reconditionné par {NAME}" in passport
    assert "à neuf" not in passport and "comme neuf" not in passport


def test_the_waste_register_names_the_establishment(app, client, auth, world):
    with app.app_context():
        fill_in_structure(name=NAME, siret="90000000100017")
        eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
        db.session.add(eco)
        item = make_item(world)
        db.session.execute(sa.update(Item).where(Item.id == item.id).values(status="to_recycle"))
        db.session.commit()
        batch = open_batch(db.session, user=user(world, "coordinator"), eco_organism_id=eco.id,
                           pickup_on=date(2026, 11, 30), stream="small")
        add_all_waiting(db.session, batch)
        close_batch(db.session, batch, user=user(world, "coordinator"))
    auth.login_as("coordinator")
    rows = csv_rows(client.get("/recycling/register.csv"))
    assert rows[0][-2:] == ["Établissement", "SIRET de l’établissement"]
    assert rows[1][-2:] == [NAME, "90000000100017"] and rows[1][2] == "20 01 36"  # the stream's usual code


@pytest.mark.parametrize("siret, accepted", [("90000000100017", True), ("900 000 001 00017", True),
                                             ("90000000100018", False), ("9000000010001", False),
                                             ("A0000000100017", False), ("", True)])
def test_a_siret_is_checked_with_its_luhn_key(app, client, auth, world, siret, accepted):
    auth.login_as("coordinator")
    response = save(client, siret=siret)
    assert (response.status_code == 302) == accepted
    if not accepted:
        assert response.status_code == 422 and "clé de contrôle" in response.get_data(as_text=True)


@pytest.mark.parametrize("upload", [b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
                                    b"GIF89a not really", b"\x89PNG\r\n\x1a\n broken"])
def test_a_logo_that_is_not_a_picture_is_refused(app, client, auth, world, upload):
    auth.login_as("coordinator")
    response = save(client, logo=(io.BytesIO(upload), "logo.svg"))
    assert response.status_code == 422 and "JPEG, PNG ou WebP" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Structure.name).order_by(Structure.id)) == ""  # still not filled in


def test_the_name_goes_on_labels_only_if_chosen(app, client, auth, world):
    with app.app_context():
        code = make_item(world).code
    auth.login_as("coordinator")
    plain = client.get(f"/i/{code}/label.png?stock=brother-dk-11209").data
    save(client)
    assert client.get(f"/i/{code}/label.png?stock=brother-dk-11209").data == plain
    save(client, name_on_labels="y")
    assert client.get(f"/i/{code}/label.png?stock=brother-dk-11209").data != plain


def test_the_settings_stand_in_until_the_structure_is_filled_in(app, client, auth, world):
    app.config["LABEL_ORGANISATION"] = "Atelier des Settings"
    app.config["ORGANISATION_CONTACT"] = "01 02 03 04 05"
    with app.app_context():
        code = make_item(world).code
    passport = client.get(f"/i/{code}").get_data(as_text=True)
    assert "Pris en charge par Atelier des Settings" in passport and "01 02 03 04 05" in passport
    auth.login_as("coordinator")
    save(client)
    auth.client.post("/logout", data={"csrf_token": auth.csrf_token()})
    passport = client.get(f"/i/{code}").get_data(as_text=True)
    assert NAME in passport and "Atelier des Settings" not in passport


def test_only_coordinators_change_the_structure(app, client, auth, world):
    for role in ("volunteer", "technician", "landlord"):
        auth.login_as(role)
        assert client.get("/admin/structure").status_code == 403
        assert client.post("/admin/structure", data={"name": "x", "csrf_token": auth.csrf_token()}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(Structure.name).order_by(Structure.id)) == ""  # still not filled in


# The legal guarantee on the sale receipt -------------------------------------------------------------


def receipt_for(app, client, auth, world, warranty_months: str) -> str:
    with app.app_context():
        code = make_ready(world).code
    auth.login_as("technician")
    sale = client.post(f"/i/{code}/sale", data={"csrf_token": auth.csrf_token(f"/i/{code}/sale"), "price": "45",
                                                "channel": "shop", "sold_on": "2026-11-26",
                                                "warranty_months": warranty_months})
    return client.get(sale.headers["Location"]).get_data(as_text=True)


def test_the_receipt_states_the_legal_guarantee_apart_from_the_commercial_warranty(app, client, auth, world):
    receipt = receipt_for(app, client, auth, world, "6")
    legal = receipt.index("Garantie légale de conformité")
    commercial = receipt.index("Garantie commerciale")
    assert legal < commercial
    legal_part = receipt[legal:commercial]
    # Two years from delivery; defects within twelve months presumed (second-hand goods, L217-7).
    assert "L217-3" in legal_part and "jusqu’au 26 nov. 2028" in legal_part
    assert "L217-7" in legal_part and "douze mois" in legal_part and "jusqu’au 26 nov. 2027" in legal_part
    assert "vices cachés" in legal_part and "1641" in legal_part
    commercial_part = receipt[commercial:]
    assert "garantie commerciale de 6 mois, jusqu’au 26 mai 2027" in commercial_part
    assert "ne remplace pas la garantie légale de conformité" in commercial_part
    assert "comme neuf" not in receipt.lower()


def test_the_receipt_pdf_carries_the_structure_and_the_same_guarantees(app, client, auth, world):
    with app.app_context():
        fill_in_structure(name=NAME, siret="90000000100017")
        db.session.commit()
    page = receipt_for(app, client, auth, world, "6")
    pdf_url = page.split('href="/sales/')[1].split('"')[0]
    text = " ".join(pdf_text(client.get(f"/sales/{pdf_url}").data).split())
    assert NAME in text and "SIRET 90000000100017" in text and "45,00 EUR" in text
    assert text.index("Garantie légale de conformité") < text.index("Garantie commerciale")
    assert "L217-7" in text and "jusqu'au 26 nov. 2027" in text and "jusqu'au 26 mai 2027" in text
    assert "ne remplace pas la garantie légale de conformité" in text


def test_without_a_commercial_warranty_the_legal_guarantee_still_applies(app, client, auth, world):
    receipt = receipt_for(app, client, auth, world, "0")
    assert "Garantie légale de conformité" in receipt and "jusqu’au 26 nov. 2028" in receipt
    assert "Pas de garantie commerciale : les garanties légales ci-dessus s’appliquent." in receipt


def test_the_demo_sets_a_structure(runner, app):
    assert runner.invoke(args=["demo", "--items", "40"]).exit_code == 0
    with app.app_context():
        record = db.session.scalar(sa.select(Structure))
        assert record.name and record.siret and record.logo_width and record.name_on_labels


def fill_in_structure(**values) -> None:
    """What a coordinator types on the structure's page, straight into its record."""
    record = db.session.scalar(sa.select(Structure).order_by(Structure.id))
    for name, value in values.items():
        setattr(record, name, value)
