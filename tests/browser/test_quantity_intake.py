"""Many identical items in one step, in Chromium: a volunteer logs 20 phones and prints their sheet
(at 390×844 and at a desk's 1280×800), and 25 phones logged offline reach the server once, as 25 items."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Item

from ..test_labels import decode, pdf_pages
from .conftest import NO_NETWORK
from .steps import sign_in_and_choose_point, wait_until, with_service_worker

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def twenty_phones(page, screenshots, name: str) -> list[str]:
    page.get_by_text("Téléphone mobile", exact=True).click()
    for key in "0,17":
        page.click(f".keypad button[data-key='{key}']")
    page.fill("input[name=quantity]", "20")
    expect(page.get_by_role("button", name="Enregistrer 20 articles")).to_be_visible()
    expect(page.get_by_text("kg chacun")).to_be_visible()
    page.get_by_text("À réparer").click()
    page.locator("input[name=quantity]").scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(screenshots, f"quantity-{name}.png"))
    page.get_by_role("button", name="Enregistrer 20 articles").click()
    page.wait_for_url(re.compile(r"/labels\?codes="))
    expect(page.get_by_text("Étiquettes à imprimer : 20")).to_be_visible()
    page.screenshot(path=os.path.join(screenshots, f"quantity-labels-{name}.png"), full_page=True)
    codes = page.locator(".label-job .code").all_inner_texts()
    # Fits the screen: nothing wider than the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    return codes


def sheet_codes(page) -> set[str]:
    """The sheet PDF the page's button opens, fetched with the page's session, read by a QR reader."""
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Ouvrir le PDF").click()
    url = popup_info.value.url
    popup_info.value.close()
    response = page.request.get(url)
    assert response.headers["content-type"] == "application/pdf"
    return {text.rsplit("/", 1)[1] for _, image in pdf_pages(response.body(), 300) for text in decode(image)}


def test_twenty_phones_in_one_step_and_their_sheet_on_a_phone_and_a_desk(phone, app, world, browser, live_server,
                                                                        screenshots):
    sign_in_and_choose_point(phone, world)
    codes = twenty_phones(phone, screenshots, "phone")
    assert len(set(codes)) == 20
    assert sheet_codes(phone) == set(codes)
    with app.app_context():
        stored = db.session.execute(sa.select(Item.code, Item.weight_kg)).all()
    assert {code for code, _ in stored} == set(codes)
    assert {str(weight) for _, weight in stored} == {"0.170"}

    desk = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="fr-FR").new_page()
    errors = []
    desk.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_and_choose_point(desk, world)
    more = twenty_phones(desk, screenshots, "desktop")
    assert not set(more) & set(codes) and len(set(more)) == 20
    desk.context.close()
    assert errors == []


@pytest.mark.console_errors(*NO_NETWORK)
def test_twenty_five_phones_logged_offline_are_sent_once(phone, app, world, screenshots):
    sign_in_and_choose_point(phone, world)
    with_service_worker(phone)
    wait_until(phone, "self.IntakeOutbox.codesLeft().then((n) => n >= 10)")
    phone.context.set_offline(True)
    phone.reload()  # from the service worker's cache
    phone.get_by_text("Téléphone mobile", exact=True).click()
    for key in "4,25":
        phone.click(f".keypad button[data-key='{key}']")
    phone.fill("input[name=quantity]", "25")
    phone.get_by_text("kg au total").click()
    phone.get_by_text("À réparer").click()
    phone.once("dialog", lambda dialog: dialog.accept())  # "25 items at once?" asked before keeping them
    phone.get_by_role("button", name="Enregistrer 25 articles").click()
    expect(phone.locator("#queued")).to_contain_text("25 articles, qui recevront leurs codes à l’envoi")
    expect(phone.locator(".outbox-count")).to_have_text("1")
    expect(phone.locator(".outbox-entry")).to_contain_text(re.compile(r"25 × .*Téléphone mobile · 4,25 kg au total"))
    phone.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    phone.screenshot(path=os.path.join(screenshots, "quantity-offline.png"))
    # No reserved code spent on them: the server draws their 25 codes.
    assert phone.evaluate("self.IntakeOutbox.codesLeft()") >= 10

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("#outbox")).to_be_hidden(timeout=15000)
    with app.app_context():
        weights = db.session.scalars(sa.select(Item.weight_kg)).all()
    assert len(weights) == 25 and str(sum(weights)) == "4.250"  # 4,25 kg in total, 170 g each
