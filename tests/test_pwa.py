"""The installable app: manifest, service worker version, offline page, reserved code blocks."""

from __future__ import annotations

import io
import shutil
import uuid
from decimal import Decimal

import sqlalchemy as sa
from PIL import Image

from intake import create_app
from intake.extensions import db
from intake.models import IssuedCode, Item, ItemEvent, Photo
from intake.pwa.routes import refresh_static_version

from .factories import make_item


def test_the_manifest_is_french_and_its_icons_are_real(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "intake — objets donnés" and manifest["short_name"] == "intake"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/intake", "/", "standalone")
    assert manifest["theme_color"] == "#1f6f50"
    sizes = set()
    for icon in manifest["icons"]:
        body = client.get(icon["src"])
        assert body.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            width, height = Image.open(io.BytesIO(body.data)).size
            assert f"{width}x{height}" == icon["sizes"]
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])


def test_the_service_worker_is_served_from_the_root_and_never_cached(app, client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert f'const CACHE = "intake-{app.extensions["static_version"]}";' in response.get_data(as_text=True)


def test_the_cache_version_follows_the_static_files(app, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    deployed = create_app({**app.config, "STATIC_FOLDER": str(static)})
    before = deployed.extensions["static_version"]
    assert refresh_static_version(deployed) == before  # same files, same version
    with open(static / "css" / "app.css", "a") as css:
        css.write("\n.new-rule { color: red; }\n")
    after = refresh_static_version(deployed)
    assert after != before
    assert f"intake-{after}" in deployed.test_client().get("/sw.js").get_data(as_text=True)


def test_pages_kept_offline_name_nobody(client, auth, world):
    auth.login_as("volunteer")
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    intake = client.get("/intake").get_data(as_text=True)
    assert "Enregistrer" in intake and "Volunteer Test" not in intake and "example.org" not in intake
    offline = client.get("/offline").get_data(as_text=True)
    assert "Hors ligne" in offline and "Volunteer Test" not in offline and "csrf_token" not in offline
    # Kept at sign-in, to choose the point with no network: the setup step and each point's intake page.
    setup = client.get("/intake/setup").get_data(as_text=True)
    assert "Déchèterie nord" in setup and "Volunteer Test" not in setup
    other = client.get(f"/intake?point={world.other_point_id}").get_data(as_text=True)
    assert f'data-point-id="{world.other_point_id}"' in other and "Volunteer Test" not in other
    assert "Volunteer Test" in client.get("/items").get_data(as_text=True)  # other pages still say who you are


def test_a_code_block_is_reserved_once_and_binds_once(app, client, auth, world):
    auth.login_as("volunteer")
    headers = {"X-CSRFToken": auth.csrf_token()}
    assert client.post("/api/v1/code-blocks", json={"count": 10}).status_code == 400  # CSRF
    first = client.post("/api/v1/code-blocks", json={"count": 10}, headers=headers).get_json()["codes"]
    second = client.post("/api/v1/code-blocks", json={}, headers=headers).get_json()["codes"]
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert client.post("/api/v1/code-blocks", json={"count": 500}, headers=headers).status_code == 422
    with app.app_context():
        registered = db.session.scalars(sa.select(IssuedCode).where(IssuedCode.code.in_(first + second))).all()
        assert len(registered) == 20 and all(r.kind == "preprinted" and r.item_id is None for r in registered)
    item = {"category_id": world.bike_id, "weight_kg": "12.5", "grade": "B", "collection_point_id": world.point_id,
            "code": first[0]}
    made = client.post("/api/v1/items", json={**item, "client_uuid": str(uuid.uuid4())}, headers=headers)
    assert made.status_code == 201 and made.get_json()["code"] == first[0]
    again = client.post("/api/v1/items", json={**item, "client_uuid": str(uuid.uuid4())}, headers=headers)
    assert again.status_code == 422 and first[0] in again.get_data(as_text=True)
    assert Decimal(made.get_json()["weight_kg"]) == Decimal("12.5")


def jpeg(colour="green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def test_a_photo_added_later_is_kept_once(app, client, auth, world):
    with app.app_context():
        code = make_item(world).code
    auth.login_as("volunteer")
    token = auth.csrf_token()

    def send(content, **headers):
        return client.post(f"/i/{code}/photo", data={"csrf_token": token, "photo": (io.BytesIO(content), "p.jpg")},
                           headers=headers, content_type="multipart/form-data")

    assert send(jpeg(), **{"X-Intake-Submit": "1"}).get_json() == {"code": code}
    assert send(jpeg(), **{"X-Intake-Submit": "1"}).status_code == 200  # the phone resent it: nothing more
    with app.app_context():
        photos = db.session.scalars(sa.select(Photo).join(Item).where(Item.code == code)).all()
        added = db.session.scalar(sa.select(sa.func.count(ItemEvent.id)).join(Item).where(
            Item.code == code, ItemEvent.kind == "photo"))
        assert (len(photos), added) == (1, 1)
    refused = send(b"not a photo", **{"X-Intake-Submit": "1"})
    assert refused.status_code == 422 and "photo" in refused.get_json()["message"]
    page = client.get(send(jpeg("blue")).headers["Location"]).get_data(as_text=True)
    assert "Photo ajoutée." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 1  # replaced, not added


def test_code_blocks_are_rate_limited_per_account(app, client, auth, world):
    app.config["CODE_BLOCK_RATE_LIMIT"] = "3 per hour"
    auth.login_as("volunteer")
    headers = {"X-CSRFToken": auth.csrf_token()}
    statuses = [client.post("/api/v1/code-blocks", json={"count": 1}, headers=headers).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


def test_an_intake_page_for_a_point_named_in_its_address_saves_there(app, client, auth, world):
    """The page the phone keeps for each point (/intake?point=N) logs items at that point, chosen or not."""
    auth.login_as("volunteer")
    assert client.get("/intake?point=999").headers["Location"] == "/intake/setup"  # no such point
    page = client.get(f"/intake?point={world.other_point_id}")
    assert page.status_code == 200
    response = client.post(f"/intake?point={world.other_point_id}", data={
        "csrf_token": auth.csrf_token("/intake/setup"), "client_uuid": str(uuid.uuid4()),
        "category_id": world.bike_id, "weight_kg": "12", "grade": "B", "source_id": 0, "container_id": 0})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Item.collection_point_id)) == world.other_point_id
    assert client.get("/intake").headers["Location"] == "/intake/setup"  # today's point is still to choose


def test_the_worker_keeps_the_manifest_and_the_setup_step(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    assert 'const MANIFEST = "/manifest.webmanifest";' in worker
    assert 'const SETUP = "/intake/setup";' in worker and 'const POINTS = "/api/v1/collection-points";' in worker
    for icon in client.get("/manifest.webmanifest").get_json()["icons"]:
        assert f'"{icon["src"]}"' in worker  # installing needs them, with no network too
