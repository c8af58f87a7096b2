"""A technician hands a computer over to a tenant who signs on the phone; the landlord then sees it."""

from __future__ import annotations

import io
import os
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Category, Handover, TenantIdentity

from ..factories import PASSWORD, email_for, make_ready

pytestmark = pytest.mark.browser


def sign_in(phone, role):
    phone.goto("/login")
    phone.fill("input[name=email]", email_for(role))
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_load_state()


def test_a_computer_handed_over_with_a_drawn_signature_shows_in_the_landlords_portal(phone, app, world,
                                                                                       screenshots):
    with app.app_context():
        laptop = Category(name="Ordinateur portable", family="electrical", data_bearing=True, icon="💻",
                          checklist=["Alimentation", "Écran", "Clavier"])
        db.session.add(laptop)
        db.session.commit()
        code = make_ready(world, category_id=laptop.id, weight_kg=2, brand="Lenovo", model="ThinkPad T480").code

    sign_in(phone, "technician")
    phone.goto(f"/i/{code}")
    phone.get_by_role("link", name=re.compile("Remettre à un locataire")).click()
    phone.wait_for_url(re.compile(rf"/i/{code}/handover$"))
    phone.select_option("select[name=landlord_id]", str(world.landlord_org_id))
    phone.fill("input[name=residence]", "Résidence Les Justices")
    phone.fill("input[name=tenant_ref]", "TA-1042")
    expect(phone.locator("#signature-pad")).to_be_visible()
    expect(phone.locator("input[name=typed_name]")).to_be_hidden()  # a signature is the default

    pad = phone.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * (box["width"] - 40) / 11,
                         box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)), steps=3)
    phone.mouse.up()
    phone.screenshot(path=os.path.join(screenshots, "handover-signature.png"))
    phone.get_by_role("button", name="Confirmer la remise").click()
    phone.wait_for_url(re.compile(r"/handovers/\d+$"))
    expect(phone.get_by_text("Remis.")).to_be_visible()

    with app.app_context():
        handover = db.session.scalar(sa.select(Handover))
        assert (handover.tenant_ref, handover.acceptance) == ("TA-1042", "signature")
        signature = db.session.scalar(sa.select(TenantIdentity.signature_png))
        drawn = Image.open(io.BytesIO(signature)).convert("LA")
        assert drawn.getextrema()[1][1] == 255  # ink on it
        handover_id = handover.id

    phone.context.clear_cookies()
    sign_in(phone, "landlord")
    phone.wait_for_url(re.compile(r"/landlord/$"))
    expect(phone.get_by_text("Locataire TA-1042")).to_be_visible()
    expect(phone.get_by_text("Lenovo ThinkPad T480")).to_be_visible()
    expect(phone.get_by_text(f"CERT-{code}").first).to_be_visible()
    phone.screenshot(path=os.path.join(screenshots, "landlord-portal.png"), full_page=True)
    phone.get_by_role("link", name="Locataire TA-1042").click()
    phone.wait_for_url(re.compile(rf"/landlord/handovers/{handover_id}$"))
    expect(phone.get_by_text("Résidence Les Justices")).to_be_visible()
    assert "Technician Test" not in phone.content()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
