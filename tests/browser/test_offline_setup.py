"""With no network the app stays installable (its manifest and icons come from the service worker), and a
volunteer who signed in but had not chosen the day's collection point yet can choose it and log items."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Item

from .conftest import NO_NETWORK
from .steps import log_item, sign_in, sign_in_and_choose_point, wait_until, with_service_worker

pytestmark = [pytest.mark.browser, pytest.mark.console_errors(*NO_NETWORK)]


def test_the_app_is_installable_with_no_network(installable, world):
    phone = installable.pages[0]
    sign_in_and_choose_point(phone, world)
    with_service_worker(phone)
    installable.set_offline(True)
    phone.reload()  # the intake page, from the cache
    expect(phone.get_by_role("button", name="Enregistrer")).to_be_visible()
    cdp = installable.new_cdp_session(phone)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and '"short_name":"intake"' in manifest["data"].replace(" ", "")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []


def kept_pages(phone) -> dict[str, str]:
    """What the service worker keeps: every cached page's address and text."""
    return phone.evaluate("""async () => {
        const kept = {};
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          for (const request of await cache.keys()) {
            const response = await cache.match(request);
            if ((response.headers.get("Content-Type") || "").startsWith("text/html")) {
              kept[new URL(request.url).pathname + new URL(request.url).search] = await response.text();
            }
          }
        }
        return kept;
    }""")


def test_a_volunteer_who_has_not_chosen_the_point_chooses_it_with_no_network(phone, app, world):
    sign_in(phone, "volunteer")
    assert phone.url.endswith("/intake/setup")  # signed in, no point chosen yet
    with_service_worker(phone)
    wait_until(phone, f"caches.match('/intake?point={world.other_point_id}').then(Boolean)")
    pages = kept_pages(phone)
    assert {"/intake/setup", f"/intake?point={world.point_id}", f"/intake?point={world.other_point_id}"} <= set(pages)
    assert all("Volunteer Test" not in html for html in pages.values())  # the points, nobody's name

    phone.context.set_offline(True)
    phone.goto("/intake")  # the app opens where it starts: no "Hors ligne", the setup step
    expect(phone.get_by_role("heading", name="Hors ligne")).to_have_count(0)
    phone.select_option("select[name=collection_point_id]", str(world.other_point_id))
    phone.select_option("select[name=source_id]", str(world.partner_id))
    phone.get_by_role("button", name="Commencer la collecte").click()
    phone.wait_for_url(re.compile(rf"/intake\?point={world.other_point_id}&source={world.partner_id}$"))
    expect(phone.locator(".context")).to_contain_text("Orange")
    log_item(phone, "Vélo", "12")
    expect(phone.locator(".outbox-count")).to_have_text("1")
    phone.reload()  # opened again from the cache: a new item, not the same one again
    log_item(phone, "Vélo", "9")
    expect(phone.locator(".outbox-count")).to_have_text("2")

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("#outbox")).to_be_hidden(timeout=10000)
    with app.app_context():
        logged = db.session.execute(sa.select(Item.collection_point_id, Item.source_id, Item.weight_kg)
                                    .order_by(Item.id)).all()
    assert [(row[0], row[1], int(row[2])) for row in logged] == [(world.other_point_id, world.partner_id, 12),
                                                                  (world.other_point_id, world.partner_id, 9)]
