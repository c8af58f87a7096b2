"""The phone intake form: remembered context, French input, errors that keep what was typed, photos."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from intake.extensions import db
from intake.models import Item, Photo

from .conftest import csrf_token_from


@pytest.fixture
def volunteer(client, auth, world):
    """A volunteer signed in who chose the collection point and the partner as usual source."""
    auth.login_as("volunteer")
    page = client.get("/intake/setup")
    response = client.post("/intake/setup", data={"collection_point_id": world.point_id,
                                                  "source_id": world.partner_id,
                                                  "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/intake"
    return client


def intake_fields(client):
    html = client.get("/intake").get_data(as_text=True)
    client_uuid = re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', html).group(1)
    return html, {"csrf_token": csrf_token_from(html), "client_uuid": client_uuid}


def jpeg_bytes(size=(3000, 2000), exif_gps=True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if exif_gps:
        exif[0x8825] = {1: "N", 2: (47.0, 28.0, 12.0), 3: "W", 4: (0.0, 33.0, 5.0)}  # GPSInfo: Angers
    exif[0x0112] = 6  # Orientation: rotate 90° on display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=70)
    return out.getvalue()


def test_intake_page_remembers_point_and_offers_categories(volunteer, world):
    html, _ = intake_fields(volunteer)
    assert "Ressourcerie centre" in html
    assert "Téléphone mobile" in html and "Vélo" in html
    assert "Électrique" not in html.split('name="category_id"', 1)[1].split("</fieldset>")[0]
    # The usual source is preselected in the details.
    assert re.search(rf'<option selected value="{world.partner_id}">Orange</option>', html)


def test_a_common_item_in_one_post(volunteer, app, world):
    _, fields = intake_fields(volunteer)
    response = volunteer.post("/intake", data={**fields, "category_id": world.phone_id, "weight_kg": "0,25",
                                               "grade": "A", "source_id": world.partner_id, "container_id": 0})
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    page = volunteer.get(f"/i/{code}").get_data(as_text=True)
    assert f"Objet {code} enregistré." in page
    assert "0,25 kg" in page and "Orange" in page and "Réemploi en l&#39;état" in page
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        assert str(item.weight_kg) == "0.250" and item.source_id == world.partner_id


def test_container_tare_is_taken_off(volunteer, app, world):
    _, fields = intake_fields(volunteer)
    response = volunteer.post("/intake", data={**fields, "category_id": world.bike_id, "weight_kg": "15,2",
                                               "grade": "B", "source_id": 0, "container_id": world.crate_id})
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert "14 kg" in volunteer.get(f"/i/{code}").get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        assert item.source_id is None  # a private donor


def test_double_submit_makes_one_item(volunteer, app, world):
    _, fields = intake_fields(volunteer)
    data = {**fields, "category_id": world.phone_id, "weight_kg": "1", "grade": "B", "source_id": 0}
    first = volunteer.post("/intake", data=data)
    second = volunteer.post("/intake", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1


def test_missing_and_bad_values_are_explained_and_kept(volunteer, app, world):
    _, fields = intake_fields(volunteer)
    response = volunteer.post("/intake", data={**fields, "weight_kg": "deux", "brand": "Fairphone", "source_id": 0})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choisissez une catégorie." in html
    assert "Saisissez un poids en kg, par exemple 2,5." in html
    assert "Choisissez un état." in html
    assert 'value="Fairphone"' in html and 'value="deux"' in html  # nothing typed is lost
    assert fields["client_uuid"] in html  # a retry stays the same intake
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0


def test_weight_below_tare_is_refused_by_the_service(volunteer, world):
    _, fields = intake_fields(volunteer)
    response = volunteer.post("/intake", data={**fields, "category_id": world.phone_id, "weight_kg": "1",
                                               "grade": "B", "source_id": 0, "container_id": world.crate_id})
    assert response.status_code == 422
    assert "Le poids doit dépasser la tare du contenant." in response.get_data(as_text=True)


def test_same_again_repeats_the_item(volunteer, app, world):
    _, fields = intake_fields(volunteer)
    first = volunteer.post("/intake", data={**fields, "category_id": world.phone_id, "weight_kg": "0,2",
                                            "grade": "C", "brand": "Nokia", "source_id": world.partner_id})
    code = first.headers["Location"].rsplit("/", 1)[1]
    page = volunteer.get(f"/i/{code}").get_data(as_text=True)
    again_uuid = re.search(r'name="client_uuid"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_token_from(page), "client_uuid": again_uuid}
    second = volunteer.post(f"/i/{code}/again", data=data)
    replay = volunteer.post(f"/i/{code}/again", data=data)
    new_code = second.headers["Location"].rsplit("/", 1)[1]
    assert new_code != code and replay.headers["Location"] == second.headers["Location"]
    with app.app_context():
        items = db.session.scalars(sa.select(Item).order_by(Item.id)).all()
        assert len(items) == 2
        assert [(i.category_id, i.weight_kg, i.grade, i.brand, i.source_id) for i in items][0] == \
               [(i.category_id, i.weight_kg, i.grade, i.brand, i.source_id) for i in items][1]


def test_markup_in_fields_is_shown_inert(volunteer, world):
    _, fields = intake_fields(volunteer)
    attack = "<img src=x onerror=alert(1)>"
    response = volunteer.post("/intake", data={**fields, "category_id": world.phone_id, "weight_kg": "1",
                                               "grade": "B", "source_id": 0, "description": attack,
                                               "brand": "<script>alert(2)</script>"})
    code = response.headers["Location"].rsplit("/", 1)[1]
    page = volunteer.get(f"/i/{code}").get_data(as_text=True)
    assert attack not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    listing = volunteer.get("/items").get_data(as_text=True)
    assert "<script>alert(2)" not in listing


def test_photo_is_reencoded_without_metadata(volunteer, app, world):
    _, fields = intake_fields(volunteer)
    response = volunteer.post("/intake", data={**fields, "category_id": world.bike_id, "weight_kg": "12",
                                               "grade": "B", "source_id": 0,
                                               "photo": (io.BytesIO(jpeg_bytes()), "IMG_0001.jpg", "image/jpeg")},
                              content_type="multipart/form-data")
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    photo = volunteer.get(f"/i/{code}/photo")
    assert photo.status_code == 200 and photo.content_type == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    stored = Image.open(io.BytesIO(photo.data))
    assert stored.format == "JPEG"
    assert stored.size == (1067, 1600)  # shrunk to 1600 px, and turned upright per its orientation tag
    assert len(stored.getexif()) == 0  # no camera make, no GPS
    assert b"PhoneMaker" not in photo.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 1


NOT_A_PHOTO = "Ce fichier n&#39;est pas une photo (JPEG, PNG ou WebP attendu)."


@pytest.mark.parametrize("payload, filename, message", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "photo.svg", NOT_A_PHOTO),
    (b"<html><script>alert(1)</script></html>", "photo.jpg", NOT_A_PHOTO),
    (b"GIF89a" + b"\x00" * 40, "photo.gif", NOT_A_PHOTO),
    (b"", "empty.jpg", "La photo est vide."),
])
def test_non_photos_are_refused_with_a_message(volunteer, app, world, payload, filename, message):
    _, fields = intake_fields(volunteer)
    response = volunteer.post("/intake", data={**fields, "category_id": world.bike_id, "weight_kg": "12",
                                               "grade": "B", "source_id": 0, "brand": "Gitane",
                                               "photo": (io.BytesIO(payload), filename)},
                              content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Gitane"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 0


def oversized_intake(client, fields, world, size: int, **headers):
    return client.post("/intake", data={**fields, "category_id": world.bike_id, "weight_kg": "12,5", "grade": "B",
                                        "source_id": 0, "brand": "Gitane", "description": "Cadre bleu",
                                        "photo": (io.BytesIO(b"\xff" * size), "big.jpg")},
                       content_type="multipart/form-data", headers=headers)


def test_a_photo_over_the_upload_limit_keeps_the_form(volunteer, app, world):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    _, fields = intake_fields(volunteer)
    response = oversized_intake(volunteer, fields, world, 300_000)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le fichier est trop lourd" in html  # on the photo, in French
    assert 'value="12,5"' in html and 'value="Gitane"' in html and "Cadre bleu" in html
    assert re.search(rf'value="{world.bike_id}"[^>]*checked', html)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0


def test_an_upload_far_over_the_limit_still_gets_a_page_that_says_why(volunteer, app, world):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    _, fields = intake_fields(volunteer)
    response = oversized_intake(volunteer, fields, world, 2_000_000)
    assert response.status_code == 413
    assert "Le fichier est trop lourd" in response.get_data(as_text=True)
    # The intake page's own script is answered in JSON, to say so beside the photo.
    scripted = oversized_intake(volunteer, fields, world, 2_000_000, **{"X-Intake-Submit": "1"})
    assert scripted.status_code == 413 and "trop lourd" in scripted.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0


def test_intake_without_a_point_asks_for_one(client, auth, world):
    auth.login_as("volunteer")
    assert client.get("/intake").headers["Location"] == "/intake/setup"


def test_closed_point_in_session_asks_again(volunteer, app, world):
    from intake.models import CollectionPoint

    with app.app_context():
        db.session.get(CollectionPoint, world.point_id).active = False
        db.session.commit()
    assert volunteer.get("/intake").headers["Location"] == "/intake/setup"


def test_item_code_in_url_is_case_insensitive(volunteer, world):
    _, fields = intake_fields(volunteer)
    code = volunteer.post("/intake", data={**fields, "category_id": world.phone_id, "weight_kg": "1",
                                           "grade": "B", "source_id": 0}).headers["Location"].rsplit("/", 1)[1]
    response = volunteer.get(f"/i/{code.lower()}")
    assert response.status_code == 301 and response.headers["Location"] == f"/i/{code}"
    spaced = volunteer.get(f"/i/{code[:3]}-{code[3:].lower()}")
    assert spaced.headers["Location"] == f"/i/{code}"
    assert volunteer.get(f"/i/{code[:-1]}{'2' if code[-1] != '2' else '3'}").status_code == 404


def test_logout_forgets_the_day_context(volunteer, auth):
    volunteer.post("/logout", data={"csrf_token": auth.csrf_token()})
    auth.login_as("volunteer")
    assert volunteer.get("/intake").headers["Location"] == "/intake/setup"




def test_preprinted_sticker_is_bound_from_the_form(volunteer, app, world):
    from intake.models import User
    from intake.services.code_register import reserve_codes

    with app.app_context():
        code = reserve_codes(db.session, 1, batch="r", user=db.session.get(User, world.user_ids["coordinator"]))[0]
    _, fields = intake_fields(volunteer)
    data = {**fields, "category_id": world.phone_id, "weight_kg": "0,2", "grade": "B", "source_id": 0,
            "code": f"{code[:3]} {code[3:].lower()}"}
    response = volunteer.post("/intake", data=data)
    assert response.headers["Location"] == f"/i/{code}"
    _, fields = intake_fields(volunteer)
    again = volunteer.post("/intake", data={**data, **fields})
    assert again.status_code == 422
    assert f"Le code {code} est déjà sur un autre objet." in again.get_data(as_text=True)
