"""A full-size phone photo is shrunk on the phone before it is sent or kept offline, and a photo the page
cannot shrink, over the upload limit, leaves the form as typed with the reason beside the photo."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import request
from PIL import Image, ImageChops
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Item, Photo

from .conftest import NO_NETWORK
from .steps import log_item, sign_in_and_choose_point, with_service_worker

pytestmark = pytest.mark.browser
LIMIT = 1_000_000  # bytes: the upload limit in these tests


@pytest.fixture
def full_size_photo(tmp_path):
    """A 4000 × 3000 photo of about 5 MB, as phones take them."""
    width, height = 4000, 3000
    light = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 12)
    picture = Image.merge("RGB", (light, ImageChops.add(light.transpose(Image.FLIP_LEFT_RIGHT), noise, 1, -64), noise))
    path = tmp_path / "IMG_2041.jpg"
    picture.save(path, "JPEG", quality=95)
    assert path.stat().st_size > 4 * LIMIT
    return path


@pytest.fixture
def uploads(app):
    """The small upload limit, and the size of every body sent to the intake page or a photo's address."""
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    sizes = []

    @app.before_request
    def measure():
        if request.method == "POST" and (request.path == "/intake" or request.path.endswith("/photo")):
            sizes.append(request.content_length)

    return sizes


def stored_photo(app):
    with app.app_context():
        return db.session.execute(sa.select(Photo.width, Photo.height)).one_or_none()


def test_a_full_size_photo_is_shrunk_before_it_is_sent(phone, app, world, uploads, full_size_photo):
    sign_in_and_choose_point(phone, world)
    phone.get_by_text("Vélo", exact=True).click()
    for key in "14":
        phone.click(f".keypad button[data-key='{key}']")
    phone.get_by_text("À réparer").click()
    phone.set_input_files("input[name=photo]", str(full_size_photo))
    phone.get_by_role("button", name="Enregistrer").click()
    phone.wait_for_url(lambda url: "/i/" in url)
    assert uploads and max(uploads) < LIMIT / 2  # the small copy went, not the 5 MB
    assert stored_photo(app) == (1600, 1200)  # the server's setting, given to the page


@pytest.mark.console_errors(*NO_NETWORK)
def test_a_photo_kept_offline_is_the_small_copy(phone, app, world, uploads, full_size_photo):
    sign_in_and_choose_point(phone, world)
    with_service_worker(phone)
    phone.context.set_offline(True)
    log_item(phone, "Vélo", "14", photo=full_size_photo)
    kept = phone.evaluate("self.IntakeOutbox.entries().then((all) => all[0].photo.size)")
    assert kept < LIMIT / 2
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("#outbox")).to_be_hidden(timeout=10000)
    assert stored_photo(app) == (1600, 1200)


@pytest.mark.console_errors("status of 413")
def test_a_photo_over_the_limit_that_cannot_be_shrunk_keeps_the_form(phone, app, world, uploads, tmp_path):
    huge = tmp_path / "scan.jpg"  # not a picture the phone can read: sent as it is
    huge.write_bytes(b"\xff\xd8" + b"\x00" * (5 * LIMIT))
    sign_in_and_choose_point(phone, world)
    phone.get_by_text("Vélo", exact=True).click()
    for key in "14":
        phone.click(f".keypad button[data-key='{key}']")
    phone.get_by_text("À réparer").click()
    phone.get_by_text("Plus de détails").click()
    phone.fill("input[name=brand]", "Gitane")
    phone.set_input_files("input[name=photo]", str(huge))
    phone.get_by_role("button", name="Enregistrer").click()
    expect(phone.locator(".photo-refused")).to_contain_text("trop lourd")
    assert phone.url.endswith("/intake")
    expect(phone.locator("input[name=weight_kg]")).to_have_value("14")
    expect(phone.locator("input[name=brand]")).to_have_value("Gitane")
    assert phone.evaluate("document.querySelector('input[name=photo]').files.length") == 0
    phone.get_by_role("button", name="Enregistrer").click()  # without the photo, it goes
    phone.wait_for_url(lambda url: "/i/" in url)
    with app.app_context():
        assert db.session.scalar(sa.select(Item.brand)) == "Gitane"
