"""A volunteer on a phone logs an item with a photo in at most 4 taps plus the weight."""

from __future__ import annotations

import io
import os
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Item, Photo

from .steps import sign_in_and_choose_point

pytestmark = pytest.mark.browser


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "velo.jpg"
    image = Image.new("RGB", (1200, 900), (40, 90, 160))
    image.save(path, "JPEG")
    return path


def test_log_an_item_with_a_photo_in_four_taps(phone, app, world, photo_file, screenshots):
    sign_in_and_choose_point(phone, world)
    phone.screenshot(path=os.path.join(screenshots, "intake.png"))

    taps = 0
    phone.get_by_text("Vélo", exact=True).click()
    taps += 1
    for key in ("1", "4", ",", "5"):  # the weight, on the on-screen keypad
        phone.click(f".keypad button[data-key='{key}']")
    assert phone.input_value("input[name=weight_kg]") == "14,5"
    phone.get_by_text("À réparer").click()
    taps += 1
    with phone.expect_file_chooser() as chooser:
        phone.get_by_text("Prendre une photo").click()
        taps += 1
    chooser.value.set_files(str(photo_file))
    expect(phone.locator(".photo-preview")).to_be_visible()
    phone.screenshot(path=os.path.join(screenshots, "intake-filled.png"))
    phone.get_by_role("button", name="Enregistrer").click()
    taps += 1
    assert taps <= 4

    phone.wait_for_url(re.compile(r"/i/[2-9A-HJ-NP-Z]{6}$"))
    code = phone.url.rsplit("/", 1)[1]
    assert phone.locator("h1.code").inner_text() == code
    expect(phone.get_by_text(f"Objet {code} enregistré.")).to_be_visible()
    expect(phone.get_by_text("14,5 kg")).to_be_visible()
    assert phone.evaluate("document.querySelector('img.photo').naturalWidth") == 1200
    expect(phone.get_by_role("link", name="Objet suivant")).to_be_visible()
    phone.screenshot(path=os.path.join(screenshots, "item.png"), full_page=True)

    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        assert (item.category_id, str(item.weight_kg), item.grade) == (world.bike_id, "14.500", "B")
        stored = db.session.scalar(sa.select(Photo.content).where(Photo.item_id == item.id))
        assert Image.open(io.BytesIO(stored)).size == (1200, 900)

    # The next intake is one tap away, and "same again" repeats the item in one more.
    phone.get_by_role("button", name="Encore un identique").click()
    phone.wait_for_url(re.compile(r"/i/[2-9A-HJ-NP-Z]{6}$"))
    assert phone.url.rsplit("/", 1)[1] != code
    phone.get_by_role("link", name="Objet suivant").click()
    phone.wait_for_url(re.compile(r"/intake$"))


def test_tare_shows_the_net_weight_and_errors_keep_the_input(phone, world):
    sign_in_and_choose_point(phone, world)
    for key in ("3", ",", "7"):
        phone.click(f".keypad button[data-key='{key}']")
    phone.get_by_text("Caisse (1,2 kg)").click()
    expect(phone.locator(".net")).to_have_text("Poids net : 2,5 kg")
    phone.get_by_role("button", name="Enregistrer").click()  # no category, no condition
    phone.wait_for_load_state()
    expect(phone.get_by_text("Choisissez une catégorie.")).to_be_visible()
    expect(phone.get_by_text("Choisissez un état.")).to_be_visible()
    assert phone.input_value("input[name=weight_kg]") == "3,7"
    assert phone.locator("input[name=container_id]:checked").get_attribute("value") == str(world.crate_id)
