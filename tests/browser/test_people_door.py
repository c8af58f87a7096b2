"""At the door of a self-repair session, on a phone: ten people come in, three of them members, one of whom
joins on the spot; then the coordinator reads the figures."""

from __future__ import annotations

import os
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from intake.clock import local_today
from intake.extensions import db
from intake.services.people import members, participation

from .steps import sign_in

pytestmark = pytest.mark.browser


def test_ten_check_ins_three_members_one_joining(phone, app, world, screenshots):
    with app.app_context():
        for name in ("Marie Dupont", "Paul Martin", "Ana Silva"):
            members.join(db.session, name=name, contact=None, card_number=None, paid_on=date(2026, 1, 10),
                         amount=Decimal(10), membership_days=365, retention_days=365)
        paul = members.find_at_the_door(db.session, "Martin", date(2026, 1, 10))[0][0].card_number
        workshop = participation.create_session(db.session, held_on=local_today(), starts_at=None, minutes=180,
                                                place="Atelier vélo, rue Lionnaise", kind="Vélo", capacity=12,
                                                facilitators="Léa, Karim")
        workshop_id = workshop.id

    sign_in(phone, "volunteer")
    phone.locator("details.more-menu summary").click()  # a phone's menu keeps three entries in the bar
    phone.locator(".more-panel").get_by_role("link", name="Autoréparation").click()
    phone.get_by_role("link", name=re.compile("Vélo")).first.click()
    phone.wait_for_url(re.compile(rf"/people/sessions/{workshop_id}$"))
    started = time.monotonic()

    def visitor():
        phone.locator("#visitor").click()
        phone.wait_for_load_state()

    for _ in range(4):
        visitor()
    # A member found by three letters of her name: one tap on her line.
    phone.fill("input[name=text]", "dup")
    phone.get_by_role("button", name="Trouver l'adhérent").click()
    found = phone.locator(".found button")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Marie D.")
    phone.screenshot(path=os.path.join(screenshots, "people-door-search.png"))
    found.click()
    phone.wait_for_load_state()
    # Another by his card number.
    phone.fill("input[name=text]", paul)
    phone.get_by_role("button", name="Trouver l'adhérent").click()
    expect(phone.locator(".found button")).to_contain_text("Paul M.")
    phone.locator(".found button").click()
    phone.wait_for_load_state()
    for _ in range(2):
        visitor()
    # A newcomer joins and is checked in.
    phone.get_by_text("Un nouvel adhérent").click()
    phone.fill("input[name=name]", "Jules Neuf")
    phone.fill("input[name=amount]", "10")
    phone.screenshot(path=os.path.join(screenshots, "people-door-join.png"))
    phone.get_by_role("button", name="Adhérer et entrer").click()
    phone.wait_for_load_state()
    expect(phone.locator(".flash")).to_contain_text("Bienvenue")
    visitor()
    seconds = time.monotonic() - started

    expect(phone.locator("#door-count")).to_contain_text("10 / 12")
    expect(phone.locator("#door-count")).to_contain_text("3 adhérents")
    expect(phone.locator(".here li")).to_have_count(10)
    assert "Jules Neuf" not in phone.content() and "Jules N." in phone.content()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    phone.screenshot(path=os.path.join(screenshots, "people-door-ten.png"), full_page=True)
    print(f"10 check-ins (3 members, 1 joining) in {seconds:.1f} s")
    with app.app_context():
        record = participation.session_by_id(db.session, workshop_id)
        assert len(record.attendances) == 10
        assert sum(1 for attendance in record.attendances if attendance.member_id) == 3

    # The coordinator's figures: this session's attendance, the members.
    phone.context.clear_cookies()
    sign_in(phone, "coordinator")
    phone.goto("/people/")
    expect(phone.locator("#participation")).to_contain_text("10, dont 3 adhérents")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=os.path.join(screenshots, "people-figures.png"), full_page=True)
