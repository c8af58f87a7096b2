"""A landlord reports a fault from its portal on a phone; the workshop takes the device back, repairs it and
answers; the landlord later sees the report resolved, every step on its page."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from intake.extensions import db
from intake.models import Item
from intake.services.status import change_status

from ..factories import PASSWORD, email_for, make_handover, pass_checks, user

pytestmark = pytest.mark.browser


def sign_in(phone, role):
    phone.context.clear_cookies()
    phone.goto("/login")
    phone.fill("input[name=email]", email_for(role))
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_load_state()


def fits_the_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_landlord_reports_a_fault_and_later_sees_it_resolved(phone, app, world, screenshots):
    with app.app_context():
        handover = make_handover(world, tenant_ref="TA-1042")
        handover_id, item_id = handover.id, handover.item_id

    sign_in(phone, "landlord")
    phone.get_by_role("link", name="Locataire TA-1042").click()
    phone.wait_for_url(re.compile(rf"/landlord/handovers/{handover_id}$"))
    phone.get_by_text("Signaler une panne").click()
    phone.fill("textarea[name=problem]", "L'écran reste noir au démarrage ; le voyant s'allume.")
    phone.fill("input[name=availability]", "Mardi et jeudi après-midi")
    phone.locator("#faults").screenshot(path=os.path.join(screenshots, "aftersales-report.png"))
    fits_the_phone(phone)
    phone.get_by_role("button", name="Envoyer le signalement").click()
    phone.wait_for_url(re.compile(r"/landlord/tickets/\d+$"))
    expect(phone.get_by_text("Panne signalée", exact=True).first).to_be_visible()
    expect(phone.get_by_text("Signalée, en attente de l'atelier")).to_be_visible()
    phone.screenshot(path=os.path.join(screenshots, "aftersales-reported.png"), full_page=True)
    fits_the_phone(phone)
    ticket_url = phone.url

    # The workshop: the ticket in the queue, taken back, the item repaired, the answer written.
    sign_in(phone, "technician")
    phone.goto("/workshop")
    tickets = phone.locator("section.tickets")
    expect(tickets.get_by_text("Signalements de panne (1)")).to_be_visible()
    phone.screenshot(path=os.path.join(screenshots, "aftersales-queue.png"))
    fits_the_phone(phone)
    tickets.get_by_role("link").first.click()
    phone.wait_for_url(re.compile(r"/workshop/tickets/\d+$"))
    phone.fill("textarea[name=message]", "Nous passons le chercher jeudi.")
    phone.get_by_role("button", name="Le reprendre").click()
    expect(phone.get_by_text("Revenu à l'atelier pour réparation").first).to_be_visible()
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item.status == "returned"
        technician = user(world, "technician")
        change_status(db.session, item, "repairing", user=technician)
        pass_checks(world, item)
        change_status(db.session, item, "ready", user=technician)
    phone.reload()
    phone.fill("textarea[name=answer]", "Écran remplacé : l'ordinateur vous est rapporté jeudi.")
    phone.screenshot(path=os.path.join(screenshots, "aftersales-workshop.png"), full_page=True)
    fits_the_phone(phone)
    phone.get_by_role("button", name="Clore le signalement").click()
    expect(phone.get_by_text("Répondu et clos.")).to_be_visible()

    # Later, the landlord sees it resolved, with each step.
    sign_in(phone, "landlord")
    phone.goto(ticket_url)
    expect(phone.get_by_text("Répondu et clos", exact=True)).to_be_visible()
    for step in ("Panne signalée", "Reprise à l'atelier", "Nous passons le chercher jeudi.", "Répondu"):
        expect(phone.get_by_text(step, exact=True).first).to_be_visible()
    assert "Technician Test" not in phone.content()
    phone.screenshot(path=os.path.join(screenshots, "aftersales-resolved.png"), full_page=True)
    fits_the_phone(phone)
