"""Intake with no network: the page comes from the service worker, items wait in the outbox and
reach the server exactly once when the network is back."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from flask import request
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import IssuedCode, Item, Photo, User
from intake.services.code_register import reserve_codes

from .conftest import NO_NETWORK
from .steps import log_item, sign_in_and_choose_point, wait_until, with_service_worker

pytestmark = [pytest.mark.browser, pytest.mark.console_errors(*NO_NETWORK)]


def sign_in_at_the_point(phone, world):
    """Signed in at the point, the worker in control and this device's block of codes reserved."""
    sign_in_and_choose_point(phone, world)
    with_service_worker(phone)
    wait_until(phone, "self.IntakeOutbox.codesLeft().then((n) => n >= 10)")


def offline(phone, down: bool) -> None:
    """No network for the page nor for its service worker."""
    phone.context.set_offline(down)


@pytest.fixture
def server_hits(app):
    """The paths the pages and the worker asked the server for: with no network, none.

    The browser's own update check of the worker script (and of the script it imports) is not
    subject to Chromium's network emulation; it is left out.
    """
    hits = []

    @app.before_request
    def record():
        if request.path not in ("/sw.js", "/static/js/outbox.js"):
            hits.append(request.path)

    return hits


def counter(phone):
    return phone.locator(".outbox-count")


def items_on_server(app):
    with app.app_context():
        return {code: status for code, status in db.session.execute(sa.select(Item.code, Item.status)).all()}


def five_items_offline(phone, app, world, screenshots, server_hits):
    with app.app_context():
        preprinted = reserve_codes(db.session, 1, batch="sheet", user=db.session.get(User, world.user_ids["coordinator"]))[0]
    sign_in_at_the_point(phone, world)
    offline(phone, True)
    server_hits.clear()
    phone.reload()  # from the service worker's cache
    expect(phone.get_by_role("button", name="Enregistrer")).to_be_visible()
    log_item(phone, "Vélo", "14", code=preprinted)
    expect(counter(phone)).to_have_text("1")
    for category, weight in (("Vélo", "12"), ("Téléphone mobile", "1"), ("Vélo", "9"), ("Vélo", "15")):
        log_item(phone, category, weight)
    expect(counter(phone)).to_have_text("5")
    # The volunteer is shown the reserved code to write on the item.
    shown = re.search(r"l’objet : (\w+)", phone.locator("#queued").inner_text()).group(1)
    assert shown != preprinted
    assert server_hits == []  # all of it with no network
    phone.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    phone.screenshot(path=os.path.join(screenshots, "offline-outbox.png"))
    codes = phone.evaluate("self.IntakeOutbox.entries().then((all) => all.map((e) => e.item.code))")
    assert preprinted in codes and shown in codes and len(set(codes)) == 5 and None not in codes
    return preprinted, codes


def test_five_items_logged_offline_reach_the_server_exactly_once(phone, app, world, screenshots, server_hits):
    assert items_on_server(app) == {}
    preprinted, codes = five_items_offline(phone, app, world, screenshots, server_hits)
    assert items_on_server(app) == {}
    offline(phone, False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("#outbox")).to_be_hidden(timeout=10000)
    on_server = items_on_server(app)
    assert sorted(on_server) == sorted(codes)
    with app.app_context():
        assert db.session.get(IssuedCode, preprinted).item_id is not None


def test_a_network_that_drops_while_sending_still_gives_five_items(phone, app, world, screenshots, server_hits):
    preprinted, codes = five_items_offline(phone, app, world, screenshots, server_hits)
    seen = []

    def flaky(route):
        seen.append(route.request.post_data_json["client_uuid"])
        try:
            if len(seen) == 2:
                route.fetch()  # the server saves it, but the answer is lost on the way back
                route.abort("connectionreset")
            elif len(seen) == 4:
                route.abort("internetdisconnected")  # never reaches the server
            else:
                route.continue_()
        except PlaywrightError:  # the reload below cancelled a request still on its way
            pass

    phone.route("**/api/v1/items", flaky)
    offline(phone, False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(phone, "self.IntakeOutbox.entries().then((all) => all.length <= 3)")
    for _ in range(50):  # the route handlers run when Playwright gets the hand back: give it to them
        if len(seen) >= 2:
            break
        phone.wait_for_timeout(100)
    assert len(seen) >= 2  # the answer to the second was lost: it is still in the outbox, and on the server
    phone.unroute("**/api/v1/items")
    phone.reload()  # the app starts again and sends what is left
    expect(phone.locator("#outbox")).to_be_hidden(timeout=10000)
    assert sorted(items_on_server(app)) == sorted(codes)


def test_a_refused_entry_stays_with_its_reason_and_can_be_fixed(phone, app, world, screenshots):
    with app.app_context():
        taken = reserve_codes(db.session, 1, batch="sheet", user=db.session.get(User, world.user_ids["coordinator"]))[0]
    sign_in_at_the_point(phone, world)
    offline(phone, True)
    log_item(phone, "Vélo", "14", code=taken)
    with app.app_context():  # meanwhile, someone else binds the same sticker
        from decimal import Decimal
        import uuid

        from intake.services.intake import Donation, register_donation

        register_donation(db.session, Donation(client_uuid=uuid.uuid4(), category_id=world.bike_id,
                                               weight_kg=Decimal("10"), grade="B", collection_point_id=world.point_id,
                                               code=taken), user=db.session.get(User, world.user_ids["volunteer"]))
    offline(phone, False)
    phone.click("#send-now")
    refused = phone.locator(".outbox-entry.rejected")
    expect(refused).to_contain_text(f"Le code {taken} est déjà sur un autre objet")
    expect(counter(phone)).to_have_text("1")
    phone.screenshot(path=os.path.join(screenshots, "offline-refused.png"), full_page=True)
    refused.get_by_role("button", name="Corriger").click()
    expect(phone.locator("input[name=code]")).to_have_value(taken)
    phone.fill("input[name=code]", "")
    phone.get_by_role("button", name="Enregistrer").click()
    phone.wait_for_url(re.compile(r"/i/\w+$"))
    assert len(items_on_server(app)) == 2
    phone.goto("/intake")
    expect(phone.locator("#outbox")).to_be_hidden()


def test_other_pages_offline_show_the_offline_page(phone, world):
    sign_in_at_the_point(phone, world)
    offline(phone, True)
    phone.goto("/workshop")
    expect(phone.get_by_role("heading", name="Hors ligne")).to_be_visible()
    phone.goto("/intake")
    expect(phone.get_by_role("button", name="Enregistrer")).to_be_visible()


@pytest.fixture
def items_api_down(app):
    """Set ["down"] to make the server answer 503 to new items."""
    state = {"down": False}

    @app.before_request
    def busy():
        if state["down"] and request.path == "/api/v1/items":
            return "", 503

    return state


@pytest.mark.console_errors("status of 503")
def test_signing_out_forgets_the_outbox_and_the_cache(phone, app, world, items_api_down):
    sign_in_at_the_point(phone, world)
    offline(phone, True)
    log_item(phone, "Vélo", "14")
    items_api_down["down"] = True  # still not sent (by the page, nor by Background Sync) when signing out
    offline(phone, False)
    messages = []
    phone.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    phone.get_by_role("button", name="Se déconnecter").click()
    phone.wait_for_url(re.compile(r"/login"))
    assert messages and messages[0].startswith("1 objet(s)")
    left = phone.evaluate("""new Promise((resolve) => {
        const open = indexedDB.open('intake', 1);
        open.onsuccess = () => { const db = open.result;
          const t = db.transaction(['outbox', 'codes', 'meta']);
          Promise.all(['outbox', 'codes', 'meta'].map((s) => new Promise((r) => {
            const q = t.objectStore(s).count(); q.onsuccess = () => r(q.result); })))
          .then((counts) => { db.close(); resolve(counts); }); };
      })""")
    assert left == [0, 0, 0]
    assert phone.evaluate("caches.keys()") == []


@pytest.mark.console_errors("status of 400")
def test_an_expired_form_token_leaves_the_entry_waiting_not_refused(phone, app, world):
    sign_in_at_the_point(phone, world)
    good = phone.evaluate("self.IntakeOutbox.recall('csrf')")
    offline(phone, True)
    log_item(phone, "Vélo", "14")
    phone.evaluate("self.IntakeOutbox.remember('csrf', 'expired')")
    offline(phone, False)
    phone.evaluate("self.IntakeOutbox.send()")
    assert phone.evaluate("self.IntakeOutbox.entries().then((all) => all.map((e) => e.state))") == ["pending"]
    assert items_on_server(app) == {}
    phone.evaluate(f"self.IntakeOutbox.remember('csrf', {good!r}).then(() => self.IntakeOutbox.send())")
    wait_until(phone, "self.IntakeOutbox.entries().then((all) => all.length === 0)")
    assert len(items_on_server(app)) == 1


def test_a_photo_taken_offline_follows_its_item(phone, app, world, tmp_path):
    picture = tmp_path / "velo.jpg"
    Image.new("RGB", (1200, 900), (40, 90, 160)).save(picture, "JPEG")
    sign_in_at_the_point(phone, world)
    offline(phone, True)
    log_item(phone, "Vélo", "14", photo=picture)
    expect(phone.locator(".outbox-entry")).to_contain_text("📷")
    offline(phone, False)
    # Back online the outbox sends by itself, and its panel (with "Envoyer maintenant") may be gone before a
    # click lands: ask it to send as the button does, which does nothing if it already has.
    phone.evaluate("self.IntakeOutbox.send()")
    expect(phone.locator("#outbox")).to_be_hidden(timeout=10000)
    with app.app_context():
        photo = db.session.scalar(sa.select(Photo))
        assert photo is not None and (photo.width, photo.height) == (1200, 900)
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1
