"""Scanning labels with a phone camera: Chromium's fake camera is fed a video of a printed label."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import qrcode
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Item, User
from intake.services.code_register import reserve_codes

from ..factories import PASSWORD, email_for, make_item
from .conftest import BROWSER_ARGS, CHROMIUM, PHONE

pytestmark = pytest.mark.browser


def label_png(client, code: str, path) -> None:
    """The label as the app prints it, placed on a sheet of paper in front of the camera."""
    response = client.get(f"/i/{code}/label.png?stock=brother-dk-11209")
    assert response.status_code == 200
    path.write_bytes(response.data)


def video_of(images, path, seconds_each: float = 1.5):
    """A .y4m video showing each image in turn, as Chromium's fake camera wants it."""
    frames = []
    for index, image_path in enumerate(images):
        label = Image.open(image_path).convert("L")
        scale = min(560 / label.width, 400 / label.height)
        label = label.resize((int(label.width * scale), int(label.height * scale)), Image.Resampling.NEAREST)
        paper = Image.new("L", (640, 480), 235)
        paper.paste(label, ((640 - label.width) // 2, (480 - label.height) // 2))
        frame = path.parent / f"frame{index}.png"
        paper.save(frame)
        frames.append(frame)
    command = ["ffmpeg", "-y", "-loglevel", "error"]
    for frame in frames:
        command += ["-loop", "1", "-t", str(seconds_each), "-i", str(frame)]
    command += ["-filter_complex", f"concat=n={len(frames)}:v=1:a=0,fps=10,format=yuv420p", str(path)]
    subprocess.run(command, check=True)
    return path


@pytest.fixture
def camera_phone(playwright, live_server, tmp_path):
    """A phone whose camera films the given video; yields a function that opens it."""
    opened = []

    def open_with(video):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS + [
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server,
                                      locale="fr-FR")
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        opened.append(browser)
        return page

    yield open_with
    for browser in opened:
        browser.close()


def sign_in(page, role="technician"):
    page.goto("/login")
    page.fill("input[name=email]", email_for(role))
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/workshop|/intake"))


@pytest.fixture
def staff_client(app, client, auth):
    auth.login_as("technician")
    return client


def test_the_camera_opens_the_scanned_item(app, live_server, world, staff_client, camera_phone, tmp_path):
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        code = make_item(world).code
    label_png(staff_client, code, tmp_path / "label.png")
    page = camera_phone(video_of([tmp_path / "label.png"], tmp_path / "label.y4m"))
    sign_in(page)
    page.goto("/scan")
    page.wait_for_url(re.compile(rf"/i/{code}$"), timeout=20000)
    expect(page.locator("h1.code")).to_have_text(code)
    page.screenshot(path=str(tmp_path / "scanned.png"))


def test_a_foreign_qr_code_is_refused(app, live_server, world, camera_phone, tmp_path):
    app.config["PUBLIC_BASE_URL"] = live_server
    qrcode.make("https://evil.example/i/K7M2QX", box_size=8).save(tmp_path / "foreign.png")
    page = camera_phone(video_of([tmp_path / "foreign.png"], tmp_path / "foreign.y4m"))
    sign_in(page)
    page.goto("/scan")
    expect(page.locator(".scan-message")).to_have_text(
        "Ce QR code n'est pas une de nos étiquettes : il n'a pas été ouvert.", timeout=20000)
    assert page.url.endswith("/scan")


def test_scan_many_then_move_them_all(app, live_server, world, staff_client, camera_phone, tmp_path, screenshots):
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        codes = [make_item(world).code for _ in range(2)]
    for index, code in enumerate(codes):
        label_png(staff_client, code, tmp_path / f"label{index}.png")
    page = camera_phone(video_of([tmp_path / "label0.png", tmp_path / "label1.png"], tmp_path / "two.y4m"))
    sign_in(page)
    page.goto("/scan/many")
    expect(page.locator(".scanned-count")).to_have_text("2", timeout=20000)
    page.screenshot(path=os.path.join(screenshots, "scan-many.png"), full_page=True)
    # Take the first one out of the batch before confirming.
    page.locator(".scanned li", has_text=codes[0]).get_by_role("button", name="Retirer").click()
    expect(page.locator(".scanned-count")).to_have_text("1")
    page.select_option("select[name=to]", "to_recycle")
    page.get_by_role("button", name="Appliquer à tous").click()
    expect(page.locator(".ok", has_text=codes[1])).to_be_visible()
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Item.code, Item.status).where(Item.code.in_(codes))).all())
    assert statuses == {codes[0]: "received", codes[1]: "to_recycle"}


def test_a_photo_of_the_label_opens_the_item(app, live_server, world, staff_client, phone, tmp_path):
    """No camera (or no permission): the photo fallback decodes the label in the page."""
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        code = make_item(world).code
    label_png(staff_client, code, tmp_path / "label.png")
    sign_in(phone)
    phone.goto("/scan")
    phone.locator(".photo-scan input").set_input_files(str(tmp_path / "label.png"))
    phone.wait_for_url(re.compile(rf"/i/{code}$"), timeout=20000)


def test_a_pre_printed_sticker_is_filmed_into_the_intake_form(app, live_server, world, camera_phone, tmp_path):
    """The volunteer films the sticker rather than typing its code; the item is saved under it."""
    app.config["PUBLIC_BASE_URL"] = live_server
    with app.app_context():
        sticker = reserve_codes(db.session, 1, batch="sheet", user=db.session.get(User, world.user_ids["coordinator"]))[0]
    qrcode.make(f"{live_server}/i/{sticker}", box_size=8).save(tmp_path / "sticker.png")
    page = camera_phone(video_of([tmp_path / "sticker.png"], tmp_path / "sticker.y4m"))
    sign_in(page, role="volunteer")
    page.goto("/intake/setup")
    page.select_option("select[name=collection_point_id]", str(world.point_id))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/intake$"))
    page.get_by_text("Plus de détails").click()
    page.get_by_role("button", name="Scanner l’étiquette").click()
    expect(page.locator("input[name=code]")).to_have_value(sticker, timeout=20000)
    expect(page.locator("#sticker-dialog")).to_be_hidden()
    page.get_by_text("Vélo", exact=True).click()
    page.fill("input[name=weight_kg]", "12")
    page.get_by_text("À réparer").click()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(rf"/i/{sticker}$"))
    with app.app_context():
        assert db.session.scalar(sa.select(Item.code)) == sticker


def test_scan_many_without_a_camera_takes_typed_codes(app, live_server, world, phone):
    """No camera: the page says to type the code, and there is a field for it (Enter adds it to the list)."""
    with app.app_context():
        code = make_item(world).code
    sign_in(phone)
    phone.goto("/scan/many")
    expect(phone.locator(".scan-message")).to_contain_text("saisissez son code")
    phone.fill("input[name=typed]", "2222")
    phone.press("input[name=typed]", "Enter")
    expect(phone.locator(".scan-message")).to_have_text(
        "Ce code n'est pas valide : vérifiez l'étiquette ou saisissez-le à nouveau.")
    phone.fill("input[name=typed]", f"{code[:3].lower()} {code[3:]}")
    phone.press("input[name=typed]", "Enter")
    expect(phone.locator(".scanned-count")).to_have_text("1")
    expect(phone.locator("input[name=typed]")).to_have_value("")
    phone.select_option("select[name=to]", "diagnosing")
    phone.get_by_role("button", name="Appliquer à tous").click()
    expect(phone.locator(".ok", has_text=code)).to_be_visible()
