"""The till in Chromium, on a phone (390×844) and at a counter's screen (1280×800): a cashier sells a
scanned item (the scanner types its code and Enter), two books by weight and a discount, is paid part cash
part card, prints the ticket and closes the till."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest

from intake.extensions import db
from intake.models import Category, TillSession
from intake.services import lots

from ..factories import make_ready, user
from .steps import sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def sell_and_close(page, code: str, device: str, books_id: int, shots: str, size: str) -> None:
    page.goto("/till")
    page.fill("input[name=device]", device)
    page.fill("input[name=opening_float]", "50")
    page.click("text=Ouvrir la caisse")
    page.wait_for_url(re.compile(r"/till/sessions/\d+/sale$"))
    # The scanner types the code and Enter into the code field.
    page.click("#scan")
    page.keyboard.type(code.lower())
    page.keyboard.press("Enter")
    page.wait_for_selector(".basket-item")
    page.fill("#price-1", "30")
    for number, (price, weight) in enumerate((("3", "1,2"), ("2,50", "0,8")), start=2):
        page.click("button[value=goods]")
        page.wait_for_selector(f"#category-{number}")
        page.select_option(f"#category-{number}", str(books_id))
        page.fill(f"#price-{number}", price)
        page.fill(f"#weight-{number}", weight)
    page.click("button[value=discount]")
    page.fill("#price-4", "5")
    page.fill("#reason-4", "Tarif solidaire")
    page.fill("#amount-1", "20")  # cash; total 30.50
    page.click("button[value=payment]")
    page.select_option(".payments li:nth-child(2) select", label="Carte")
    page.fill("#amount-2", "10,50")
    page.click("button[value=refresh]")
    assert "30,50" in page.inner_text(".till-total")
    page.screenshot(path=os.path.join(shots, f"till-basket-{size}.png"), full_page=True)
    page.click("#pay")
    page.wait_for_url(re.compile(r"/till/sales/\d+$"))
    ticket = page.inner_text("#ticket")
    assert "30,50" in ticket and "Tarif solidaire" in ticket and "Carte" in ticket and "garantie" in ticket
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#print")
    assert page.evaluate("window.printed === true")
    page.screenshot(path=os.path.join(shots, f"till-ticket-{size}.png"), full_page=True)
    page.click("text=← Caisse")
    page.fill("input[name=counted_cash]", "70")
    page.click("#close-till")
    page.wait_for_selector("#z-difference")
    assert "70,00" in page.inner_text("#z-cash") and "10,50" in page.inner_text("#z-methods")
    page.screenshot(path=os.path.join(shots, f"till-z-{size}.png"), full_page=True)


def test_a_cashier_sells_prints_and_closes_on_a_phone_and_a_desktop(app, world, phone, browser, live_server,
                                                                    screenshots):
    with app.app_context():
        books = Category(name="Livres", family="books_media", icon="📚")
        db.session.add(books)
        db.session.commit()
        books_id = books.id
        lots.record_lot(db.session, lots.LotEntry(category_id=books_id, gross_kg=Decimal("40"),
                                                  collection_point_id=world.point_id), user=user(world, "volunteer"))
        codes = [make_ready(world).code, make_ready(world).code]
    sign_in(phone, "technician")
    phone.goto(f"/lots/new?point={world.point_id}")  # "Sans étiquette" on the intake page leads here
    phone.screenshot(path=os.path.join(screenshots, "till-lot-form-phone.png"), full_page=True)
    sell_and_close(phone, codes[0], "Caisse 1", books_id, screenshots, "phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    desktop = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="fr-FR").new_page()
    errors = []
    desktop.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(desktop, "technician")
    sell_and_close(desktop, codes[1], "Caisse 2", books_id, screenshots, "desktop")
    desktop.context.close()
    assert errors == []
    with app.app_context():
        closed = db.session.query(TillSession).all()
        assert [till.z_totals["total"] for till in closed] == ["30.50", "30.50"]
        assert lots.kept_stock(db.session)[books_id] == Decimal("36")
